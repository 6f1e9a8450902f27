// `ireets bench` as a user runs it: JSON statistics, the human line, and the per-dispatch list.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ensureFixture } from '../../fixtures/generate.js';

const run = promisify(execFile);

async function ireets(args: string[]): Promise<string> {
  const r = await run(process.execPath, ['--import', 'tsx', 'cli/ireets.ts', ...args], { cwd: process.cwd() });
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
    expect(lines.slice(1).every((l) => / → [a-z0-9]+\[/.test(l))).toBe(true);
  }, 60_000);
});
