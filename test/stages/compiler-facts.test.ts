// Facts about content kept in the cache (src/stages/queries/facts.ts): a fresh process that builds
// an edit of a model the cache has seen takes its weights' constant hashes and packed forms from
// them instead of hashing and packing again, and its module is still a clean build's.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { compileOnnx } from '../../src/stages/compile-pipeline.js';
import { mlp } from '../support/mlp-model.js';
import { tempDirs } from '../support/temp-dirs.js';

const tempDir = tempDirs('ireets-facts-');
const run = promisify(execFile);

async function build(cacheDir: string, model: string, output: string): Promise<{ hashed: number; packed: number; module: string; summary: string }> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'test/stages/facts-process.ts', cacheDir, model, output], { cwd: process.cwd() });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('facts in the cache', () => {
  it('spare a fresh process the hashing and packing of weights the cache has seen', async () => {
    const dir = tempDir();
    const model = join(dir, 'mlp.onnx');
    const output = join(dir, 'mlp.vmfb');
    const cacheDir = join(dir, 'cache');
    writeFileSync(model, mlp());
    const cold = await build(cacheDir, model, output);
    expect(cold).toMatchObject({ hashed: 2, packed: 2 }); // w1, w2: hashed as decoded, packed for the matmuls
    expect(cold.module).toBe(sha((await compileOnnx(mlp(), { path: model })).module));

    // An op edit in a fresh process: the weights are the same content.
    writeFileSync(model, mlp({ act: 'Tanh' }));
    const edited = await build(cacheDir, model, output);
    expect(edited).toMatchObject({ hashed: 0, packed: 0 });
    expect(edited.summary).toMatch(/^1 of 2 dispatches recompiled/);
    expect(edited.module).toBe(sha((await compileOnnx(mlp({ act: 'Tanh' }), { path: model })).module));

    // A new weight is hashed and packed; the unchanged one is not.
    writeFileSync(model, mlp({ act: 'Tanh', w2Seed: 9 }));
    const weight = await build(cacheDir, model, output);
    expect(weight).toMatchObject({ hashed: 1, packed: 1 });
    expect(weight.module).toBe(sha((await compileOnnx(mlp({ act: 'Tanh', w2Seed: 9 }), { path: model })).module));
  }, 120_000);
});
