// `ireets compile` and `ireets run MODEL.onnx` go through the build cache (--cache-dir): a real
// process per command, so "a fresh process runs no stage" is tested as users meet it.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureFixture } from '../../fixtures/generate.js';
import { compileOnnx } from '../../src/stages/compile-pipeline.js';

const exec = promisify(execFile);

async function ireets(args: string[]): Promise<{ stdout: string; stderr: string }> {
  // IREETS_CACHE_DIR would lose to --cache-dir anyway; unset it so a stray one can't mislead.
  const env = { ...process.env };
  delete env['IREETS_CACHE_DIR'];
  return exec(process.execPath, ['--import', 'tsx', 'cli/ireets.ts', ...args], { cwd: process.cwd(), env });
}

describe('ireets compile --explain / --json and run through the cache', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ireets-incr-cli-'));
  const cache = join(dir, 'cache');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('compiles once, then verifies everything in the next process', async () => {
    const model = await ensureFixture('tiny_cnn');
    const out = join(dir, 'tiny.vmfb');
    const first = JSON.parse((await ireets(['compile', model, '-o', out, '--cache-dir', cache, '--json'])).stdout) as {
      output: string;
      stages: { stage: string; executed: number; verified: number }[];
      dispatches: number;
      recompiledDispatches: number;
      summary: string;
    };
    expect(first.output).toBe(out);
    expect(first.stages.map((s) => s.stage)).toEqual(['importModel', 'partition', 'executable', 'schedule', 'module']);
    expect(first.recompiledDispatches).toBe(first.dispatches);
    const clean = await compileOnnx(readFileSync(model), { path: model });
    expect(Buffer.from(readFileSync(out)).equals(Buffer.from(clean.module))).toBe(true);

    const second = await ireets(['--cache-dir', cache, 'compile', model, '-o', out, '--explain']);
    expect(second.stdout).toMatch(/^stage\s+executed\s+verified\s+reused\s+ms$/m);
    expect(second.stdout).toMatch(/^module\s+0\s+1\s+0\s/m);
    expect(second.stdout).toMatch(/^executable\s+0\s+\d+\s+0\s/m);
    expect(second.stdout).toContain(`0 of ${first.dispatches} dispatches recompiled`);
    expect(Buffer.from(readFileSync(out)).equals(Buffer.from(clean.module))).toBe(true);

    // `run MODEL.onnx` finds the module in the cache: the module query hits, never misses again.
    const run = await ireets(['run', model, '--cache-dir', cache, '--device', 'cpu-sync', '--input', 'input=random']);
    expect(run.stdout).toMatch(/^output: f32\[1,10\]/);
    const stats = JSON.parse((await ireets(['cache', 'stats', '--cache-dir', cache, '--json'])).stdout) as {
      queries: { query: string; hits: number; misses: number }[];
    };
    expect(stats.queries.find((q) => q.query === 'module')).toMatchObject({ hits: 2, misses: 1 });
  }, 120_000);
});
