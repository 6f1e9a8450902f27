// `ireets tune` as a user runs it: a JSON report, a spec file `ireets compile --tuning` takes,
// and clear errors for bad arguments.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureFixture } from '../../fixtures/generate.js';
import { parseBudget } from '../../cli/commands/tune.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'ireets-tune-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function ireets(args: string[]): Promise<string> {
  const r = await run(process.execPath, ['--import', 'tsx', 'cli/ireets.ts', ...args, '--cache-dir', join(dir, 'cache')], { cwd: process.cwd() });
  return r.stdout;
}

describe('ireets tune', () => {
  it('writes a tuning spec that compile accepts, and reports trials as JSON', async () => {
    const model = await ensureFixture('tiny_cnn');
    const spec = join(dir, 'tiny.tuning.json');
    const report = JSON.parse(await ireets(['tune', model, '--device', 'cpu-sync', '--top', '1', '--budget', '20s', '--runs', '3', '--no-verify', '-o', spec, '--json'])) as {
      output: string; regions: { regionKey: string; trials: number; candidates: number }[]; trials: number; trialsPerMinute: number;
    };
    expect(report.output).toBe(spec);
    expect(report.regions).toHaveLength(1);
    expect(report.regions[0]!.regionKey).toMatch(/^[0-9a-f]{16}$/);
    expect(report.trials).toBeGreaterThan(0);
    expect(report.trialsPerMinute).toBeGreaterThan(0);
    const written = JSON.parse(readFileSync(spec, 'utf8')) as { about: { tool: string } };
    expect(written.about.tool).toBe('ireets tune');
    const out = await ireets(['compile', model, '--tuning', spec, '-o', join(dir, 'tiny.vmfb')]);
    expect(out).toMatch(/^wrote .*tiny\.vmfb/);
  }, 120_000);

  it('refuses a target no device runs and a bad budget, naming them', async () => {
    const model = await ensureFixture('tiny_cnn');
    const bad = (args: string[]) => ireets(args).then(() => undefined, (e: { code: number; stderr: string }) => e);
    const target = await bad(['tune', model, '--target', 'vulkan-spirv']);
    expect(target?.code).not.toBe(0);
    expect(target?.stderr).toMatch(/--target vulkan-spirv/);
    const budget = await bad(['tune', model, '--budget', 'soon']);
    expect(budget?.stderr).toMatch(/--budget soon.*duration|duration.*--budget soon/);
  }, 60_000);

  it('reads budgets in ms, s and minutes', () => {
    expect(parseBudget('500ms')).toBe(500);
    expect(parseBudget('60s')).toBe(60_000);
    expect(parseBudget('90')).toBe(90_000);
    expect(parseBudget('2m')).toBe(120_000);
  });
});
