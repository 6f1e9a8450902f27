// What each rebuild of `ireets watch` does underneath (compiler.compileToFile): the module file
// equals a clean build, a no-op leaves it alone (in a fresh process too, where a stamp vouches
// for the model), a file changed by someone else is rewritten, and an edit writes to the cache
// only the weights it changed.
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LmdbStore } from '../../src/cache/lmdb-store.js';
import { parseMemoKey } from '../../src/cache/tables.js';
import { compileOnnx } from '../../src/stages/compile-pipeline.js';
import { openCompiler, type Explain } from '../../src/stages/compiler.js';
import { mlp, WEIGHT_BYTES } from '../support/mlp-model.js';
import { tempDirs } from '../support/temp-dirs.js';

const tempDir = tempDirs('ireets-to-file-');

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));
const executed = (e: Explain): number => e.stages.reduce((n, s) => n + s.executed, 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function cacheBytes(cacheDir: string): Promise<number> {
  const store = await LmdbStore.open({ cacheDir });
  try {
    return store.stats().valueBytes;
  } finally {
    await store.close();
  }
}

describe('compileToFile', () => {
  it('writes a clean build’s module; a no-op, in this process or a fresh one, leaves the file alone', async () => {
    const dir = tempDir();
    const cacheDir = join(dir, 'cache');
    const model = join(dir, 'mlp.onnx');
    const output = join(dir, 'mlp.vmfb');
    writeFileSync(model, mlp());
    const clean = (await compileOnnx(mlp(), { path: model })).module;

    let compiler = await openCompiler({ cacheDir });
    const first = await compiler.compileToFile(model, output);
    expect(first.written).toBe(true);
    expect(first.bytes).toBe(clean.length);
    expect(same(readFileSync(output), clean)).toBe(true);
    await sleep(30); // older than the file clock's granularity: stamps may vouch from here on
    const again = await compiler.compileToFile(model, output);
    expect(again).toMatchObject({ written: false, bytes: clean.length });
    await compiler.close();

    const mtime = statSync(output).mtimeMs;
    compiler = await openCompiler({ cacheDir });
    try {
      const fresh = await compiler.compileToFile(model, output);
      expect(fresh.written).toBe(false);
      expect(executed(fresh.explain)).toBe(0);
      expect(statSync(output).mtimeMs).toBe(mtime);

      // Someone else's bytes in the file: it is written again.
      writeFileSync(output, 'not a module');
      const repaired = await compiler.compileToFile(model, output);
      expect(repaired.written).toBe(true);
      expect(executed(repaired.explain)).toBe(0);
      expect(same(readFileSync(output), clean)).toBe(true);
      // compile() gives the same bytes.
      expect(same((await compiler.compile(model)).module, clean)).toBe(true);
    } finally {
      await compiler.close();
    }
  }, 60_000);

  it('a fresh process notices a model changed since the stamp it trusted', async () => {
    const dir = tempDir();
    const cacheDir = join(dir, 'cache');
    const model = join(dir, 'mlp.onnx');
    const output = join(dir, 'mlp.vmfb');
    writeFileSync(model, mlp());
    let compiler = await openCompiler({ cacheDir });
    await compiler.compileToFile(model, output);
    await sleep(30);
    await compiler.compileToFile(model, output); // records a stamp that can vouch
    await compiler.close();

    writeFileSync(model, mlp({ act: 'Sigmoid' }));
    compiler = await openCompiler({ cacheDir });
    try {
      const r = await compiler.compileToFile(model, output);
      expect(r.written).toBe(true);
      expect(r.explain.recompiledDispatches).toBeGreaterThan(0);
      expect(same(readFileSync(output), (await compileOnnx(mlp({ act: 'Sigmoid' }), { path: model })).module)).toBe(true);
    } finally {
      await compiler.close();
    }
  }, 60_000);

  it('an edit that keeps the weights writes no weight bytes; a weight edit writes that weight only', async () => {
    const dir = tempDir();
    const cacheDir = join(dir, 'cache');
    const model = join(dir, 'mlp.onnx');
    const output = join(dir, 'mlp.vmfb');
    writeFileSync(model, mlp());
    const compiler = await openCompiler({ cacheDir });
    try {
      await compiler.compileToFile(model, output);
      const cold = await cacheBytes(cacheDir);
      expect(cold).toBeGreaterThan(2 * WEIGHT_BYTES);

      writeFileSync(model, mlp({ act: 'Sigmoid' }));
      const opEdit = await compiler.compileToFile(model, output);
      expect(opEdit.explain.recompiledDispatches).toBeGreaterThan(0);
      const afterOp = await cacheBytes(cacheDir);
      expect(afterOp - cold).toBeLessThan(WEIGHT_BYTES / 4);

      writeFileSync(model, mlp({ act: 'Sigmoid', w2Seed: 3 }));
      const weightEdit = await compiler.compileToFile(model, output);
      expect(weightEdit.explain.recompiledDispatches).toBe(0);
      const afterWeight = await cacheBytes(cacheDir);
      expect(afterWeight - afterOp).toBeGreaterThan(WEIGHT_BYTES);
      expect(afterWeight - afterOp).toBeLessThan(1.5 * WEIGHT_BYTES);
      expect(same(readFileSync(output), (await compileOnnx(mlp({ act: 'Sigmoid', w2Seed: 3 }), { path: model })).module)).toBe(true);
    } finally {
      await compiler.close();
    }
  }, 60_000);

  it('a weight lost from the cache is derived again from the model', async () => {
    const dir = tempDir();
    const cacheDir = join(dir, 'cache');
    const model = join(dir, 'mlp.onnx');
    const output = join(dir, 'mlp.vmfb');
    writeFileSync(model, mlp());
    let compiler = await openCompiler({ cacheDir });
    await compiler.compileToFile(model, output);
    await compiler.close();

    // Drop every weight's bytes (as GC or damage might), keeping the memos that name them.
    const store = await LmdbStore.open({ cacheDir });
    let dropped = 0;
    for (const [key] of [...store.tables.memos.entries()]) {
      const { query, keyHash } = parseMemoKey(key);
      if (query !== 'constantData') continue;
      const memo = store.readMemo(query, keyHash);
      if (memo.found) {
        store.tables.transact(() => store.tables.values.remove(memo.value.valueFingerprint));
        dropped++;
      }
    }
    await store.close();
    expect(dropped).toBeGreaterThanOrEqual(2);

    rmSync(output);
    compiler = await openCompiler({ cacheDir });
    try {
      const r = await compiler.compileToFile(model, output);
      expect(r.explain.stages.find((s) => s.stage === 'importModel')!.executed).toBe(0);
      expect(same(readFileSync(output), (await compileOnnx(mlp(), { path: model })).module)).toBe(true);
    } finally {
      await compiler.close();
    }
  }, 60_000);
});
