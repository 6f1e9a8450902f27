// `ireets bench` as a user runs it: JSON statistics, the human line, the per-dispatch list, and
// one dispatch timed alone.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureFixture } from '../../fixtures/generate.js';

const run = promisify(execFile);
const cacheDir = mkdtempSync(join(tmpdir(), 'ireets-bench-cli-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

async function ireets(args: string[]): Promise<string> {
  const r = await run(process.execPath, ['--import', 'tsx', 'cli/ireets.ts', ...args, '--cache-dir', cacheDir], { cwd: process.cwd() });
  return r.stdout;
}

describe('ireets bench', () => {
  it('prints {median_ms, min_ms, max_ms, runs} with --json', async () => {
    const model = await ensureFixture('tiny_cnn');
    const stats = JSON.parse(await ireets(['bench', model, '--device', 'cpu-sync', '--warmup', '1', '--runs', '4', '--json'])) as Record<string, number>;
    expect(Object.keys(stats).sort()).toEqual(['max_ms', 'median_ms', 'min_ms', 'runs']);
    expect(stats['runs']).toBe(4);
    expect(stats['min_ms']!).toBeLessThanOrEqual(stats['median_ms']!);
    expect(stats['median_ms']!).toBeLessThanOrEqual(stats['max_ms']!);
  }, 60_000);

  it('lists dispatches slowest first with the regions they run', async () => {
    const model = await ensureFixture('tiny_cnn');
    const out = await ireets(['bench', model, '--threads', '2', '--runs', '3', '--dispatches']);
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^dispatches: \d+, [\d.]+ ms of [\d.]+ ms per run/);
    const ms = lines.slice(1).map((l) => Number(l.trim().split(' ')[0]));
    expect(ms.length).toBeGreaterThan(0);
    expect(ms).toEqual([...ms].sort((a, b) => b - a));
    // Each names its region: a label and the region key `ireets compile --explain` and `tune` use.
    expect(lines.slice(1).every((l) => /\S \([0-9a-f]{16}\)$/.test(l))).toBe(true);
  }, 60_000);

  it('times one dispatch alone, by position or region key, with realistic buffers', async () => {
    const model = await ensureFixture('tiny_cnn');
    const one = JSON.parse(await ireets(['bench', model, '--device', 'cpu-sync', '--dispatch', '0', '--runs', '3', '--warmup', '1', '--json'])) as {
      dispatch: number; region: string; median_ms: number; min_ms: number; max_ms: number; runs: number; repeat: number; workgroups: number[];
    };
    expect(one.dispatch).toBe(0);
    expect(one.runs).toBe(3);
    expect(one.repeat).toBeGreaterThanOrEqual(1);
    expect(one.min_ms).toBeGreaterThan(0);
    expect(one.min_ms).toBeLessThanOrEqual(one.median_ms);
    const key = /\(([0-9a-f]{16})\)/.exec(one.region)![1]!;
    const byKey = JSON.parse(await ireets(['bench', model, '--device', 'cpu-sync', '--dispatch', key, '--runs', '2', '--warmup', '0', '--repeat', '5', '--json'])) as { dispatch: number; repeat: number };
    expect(byKey.dispatch).toBe(0);
    expect(byKey.repeat).toBe(5);
  }, 60_000);

  it('names the valid range when the dispatch does not exist', async () => {
    const model = await ensureFixture('tiny_cnn');
    const err = await ireets(['bench', model, '--device', 'cpu-sync', '--dispatch', '999']).then(() => undefined, (e: { code: number; stderr: string }) => e);
    expect(err?.code).not.toBe(0);
    expect(err?.stderr).toMatch(/--dispatch 999.*there is no dispatch 999|there is no dispatch 999/);
    expect(err?.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
