// The compiler as queries of the build graph, on a real LMDB cache: what a build executes after
// each kind of edit, that a fresh process reuses everything, and that every module it returns is
// byte-identical to a clean build (compileOnnx, the whole pipeline in one go).
import { readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureSpec } from '../../fixtures/catalog.js';
import { ensureFixture } from '../../fixtures/generate.js';
import { writeOnnxModel, type OnnxModelSpec } from '../../src/frontend/onnx-writer.js';
import { Tensor } from '../../src/ir/tensor.js';
import { compileOnnx } from '../../src/stages/compile-pipeline.js';
import { openCompiler, type CompileOptions, type CompilerOptions, type Explain } from '../../src/stages/compiler.js';
import { tempDirs } from '../support/temp-dirs.js';

const NODE = '/usr/share/libonnx-testdata/data/node';
const tempDir = tempDirs('ireets-incremental-');

/** One compile in a compiler of its own: a fresh "process" over the cache directory. */
async function build(cacheDir: string, path: string, options: CompileOptions = {}, compilerOptions: CompilerOptions = {}) {
  const compiler = await openCompiler({ cacheDir, ...compilerOptions });
  try {
    return await compiler.compile(path, options);
  } finally {
    await compiler.close();
  }
}

const executed = (e: Explain): Record<string, number> => Object.fromEntries(e.stages.map((s) => [s.stage, s.executed]));
const ran = (e: Explain, stage: string): number => e.stages.find((s) => s.stage === stage)!.executed;
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

async function clean(path: string) {
  return compileOnnx(readFileSync(path), { path });
}

function writeModel(dir: string, name: string, spec: OnnxModelSpec): string {
  const path = join(dir, name);
  writeFileSync(path, writeOnnxModel(spec));
  return path;
}

/** Region keys a clean build dispatches, one per dispatch (an independent view of the partition). */
const keysOf = (r: Awaited<ReturnType<typeof clean>>): string[] => r.dispatches.map((d) => d.key);

describe('MiniLM through the build cache', () => {
  const cacheDir = tempDir();
  const work = tempDir();
  let path: string;
  let before: Awaited<ReturnType<typeof clean>>;

  it('compiles six identical encoder layers into one set of executables', async () => {
    path = writeModel(work, 'minilm.onnx', fixtureSpec('minilm'));
    await ensureFixture('minilm');
    const { module, explain } = await build(cacheDir, path);
    before = await clean(path);
    expect(same(module, before.module)).toBe(true);
    const distinct = new Set(keysOf(before)).size;
    expect(explain.dispatches).toBe(before.dispatches.length);
    expect(ran(explain, 'executable')).toBe(distinct);
    expect(ran(explain, 'executable')).toBeLessThan(explain.dispatches / 5);
    expect(explain.recompiledDispatches).toBe(explain.dispatches);
    expect(explain.summary).toBe(`${explain.dispatches} of ${explain.dispatches} dispatches recompiled`);
    expect(explain.recompiled.every((r) => r.cause === 'first build of minilm.onnx')).toBe(true);
  });

  it('runs no stage in a fresh process when nothing changed', async () => {
    const { module, explain } = await build(cacheDir, path);
    expect(same(module, before.module)).toBe(true);
    expect(executed(explain)).toEqual({ importModel: 0, partition: 0, executable: 0, schedule: 0, module: 0 });
    expect(explain.stages.find((s) => s.stage === 'module')!.verified).toBe(1);
    expect(explain.summary).toBe(`0 of ${before.dispatches.length} dispatches recompiled`);
  });

  it('after one attribute edit, recompiles exactly the dispatches whose region keys changed', async () => {
    const spec = fixtureSpec('minilm');
    const ln = spec.graph.nodes.find((n) => n.name === '/encoder.layer.3.output.LayerNorm/LayerNormalization')!;
    (ln as { attrs: Record<string, unknown> }).attrs = { ...ln.attrs, epsilon: { float: 1e-5 } };
    writeModel(work, 'minilm.onnx', spec);
    const { module, explain } = await build(cacheDir, path);
    const after = await clean(path);
    expect(same(module, after.module)).toBe(true);

    const old = new Set(keysOf(before));
    const fresh = new Set(keysOf(after).filter((k) => !old.has(k)));
    expect(fresh.size).toBeGreaterThan(0);
    expect(new Set(explain.recompiled.map((r) => r.regionKey))).toEqual(fresh);
    expect(explain.recompiledDispatches).toBe(keysOf(after).filter((k) => fresh.has(k)).length);
    expect(explain.recompiledDispatches).toBeLessThan(5);
    expect(explain.recompiled.every((r) => r.cause === 'minilm.onnx changed: new region')).toBe(true);
    expect(executed(explain)).toMatchObject({ importModel: 1, partition: 1, executable: fresh.size, module: 1 });
    before = after;
  });

  it('after a weight edit, recompiles no executable and only relinks', async () => {
    const spec = fixtureSpec('minilm');
    const ln = spec.graph.nodes.find((n) => n.name === '/encoder.layer.3.output.LayerNorm/LayerNormalization')!;
    (ln as { attrs: Record<string, unknown> }).attrs = { ...ln.attrs, epsilon: { float: 1e-5 } };
    const w = spec.graph.initializers!.find((i) => i.name === 'encoder.layer.2.intermediate.dense.weight')!;
    const data = Float32Array.from(w.tensor.data as Float32Array, (x) => -x);
    (w as { tensor: Tensor }).tensor = new Tensor('f32', w.tensor.shape, data);
    writeModel(work, 'minilm.onnx', spec);
    const { module, explain } = await build(cacheDir, path);
    const after = await clean(path);
    expect(same(module, after.module)).toBe(true);
    expect(same(module, before.module)).toBe(false);
    expect(executed(explain)).toEqual({ importModel: 1, partition: 1, executable: 0, schedule: 1, module: 1 });
    expect(explain.summary).toBe(`0 of ${after.dispatches.length} dispatches recompiled`);
  });
});

describe('tuning and targets', () => {
  it('retuning one region recompiles that region alone; switching back recompiles nothing', async () => {
    const cacheDir = tempDir();
    const path = await ensureFixture('tiny_cnn');
    const first = await build(cacheDir, path);
    const key = first.explain.recompiled[0]!.regionKey;
    const tuning = { regions: { [key]: { vectorize: false } } };

    const tuned = await build(cacheDir, path, { tuning });
    expect(executed(tuned.explain)).toEqual({ importModel: 0, partition: 0, executable: 1, schedule: 0, module: 1 });
    expect(tuned.explain.recompiled.map((r) => [r.regionKey, r.cause])).toEqual([[key, 'tuning for cpu changed']]);
    // Incremental = from scratch, tuning included.
    expect(same(tuned.module, (await build(tempDir(), path, { tuning })).module)).toBe(true);

    const back = await build(cacheDir, path);
    expect(executed(back.explain)).toEqual({ importModel: 0, partition: 0, executable: 0, schedule: 0, module: 1 });
    expect(same(back.module, first.module)).toBe(true);

    const all = await build(cacheDir, path, { tuning: { default: { vectorize: false } } });
    expect(ran(all.explain, 'executable')).toBe(first.explain.executablesCompiled - 1);
  });

  it('refuses tuning settings nobody reads', async () => {
    const compiler = await openCompiler({ cacheDir: tempDir() });
    try {
      await expect(compiler.compile(await ensureFixture('tiny_cnn'), { tuning: { default: { vectorise: false } as never } })).rejects.toThrow(/unknown tuning setting vectorise/);
      await expect(compiler.compile(await ensureFixture('tiny_cnn'), { target: 'gpu' as never })).rejects.toThrow(/unknown target gpu/);
    } finally {
      await compiler.close();
    }
  });
});

describe('regions are shared by content', () => {
  it('a second model compiles only the regions the first did not have', async () => {
    const cacheDir = tempDir();
    const work = tempDir();
    const spec = fixtureSpec('tiny_cnn');
    const a = writeModel(work, 'a.onnx', spec);
    const relu = spec.graph.nodes.find((n) => n.name === '/relu2/Relu')!;
    (relu as { op: string }).op = 'Sigmoid';
    const b = writeModel(work, 'b.onnx', spec);
    const ra = await build(cacheDir, a);
    const rb = await build(cacheDir, b);
    expect(same(rb.module, (await clean(b)).module)).toBe(true);
    const known = new Set(keysOf(await clean(a)));
    const expected = new Set(keysOf(await clean(b)).filter((k) => !known.has(k)));
    expect(new Set(rb.explain.recompiled.map((r) => r.regionKey))).toEqual(expected);
    expect(rb.explain.executablesCompiled).toBeLessThan(ra.explain.executablesCompiled);
    expect(rb.explain.recompiled.every((r) => r.cause === 'first build of b.onnx')).toBe(true);
  });
});

describe('control flow and errors', () => {
  it.each(['test_if', 'test_range_float_type_positive_delta_expanded'])('%s: same module as a clean build, then nothing runs', async (name) => {
    const cacheDir = tempDir();
    const path = `${NODE}/${name}/model.onnx`;
    const first = await build(cacheDir, path);
    expect(same(first.module, (await clean(path)).module)).toBe(true);
    const again = await build(cacheDir, path);
    expect(Object.values(executed(again.explain)).every((n) => n === 0)).toBe(true);
  });

  it('names the model node when a region fails to compile, and stays usable', async () => {
    const path = `${NODE}/test_range_float_type_positive_delta/model.onnx`;
    const expected = await clean(path).then(() => '', (e: Error) => e.message);
    expect(expected).toMatch(/node "Range#0"/);
    const compiler = await openCompiler({ cacheDir: tempDir() });
    try {
      await expect(compiler.compile(path)).rejects.toThrow(expected);
      const ok = await compiler.compile(await ensureFixture('tiny_cnn'));
      expect(ok.explain.dispatches).toBeGreaterThan(0);
    } finally {
      await compiler.close();
    }
  });
});

describe('a model file rewritten during a build', () => {
  it('returns what was read, caches nothing derived from it, and the next build sees the new content', async () => {
    const cacheDir = tempDir();
    const work = tempDir();
    const specA = fixtureSpec('tiny_cnn');
    const path = writeModel(work, 'model.onnx', specA);
    const bytesA = readFileSync(path);
    const specB = fixtureSpec('tiny_cnn');
    const relu = specB.graph.nodes.find((n) => n.name === '/relu1/Relu')!;
    (relu as { op: string }).op = 'Sigmoid';
    const bytesB = writeOnnxModel(specB);

    // The first read returns A; right after it, someone saves B.
    let reads = 0;
    const readFile_ = async (p: string): Promise<Uint8Array> => {
      const bytes = await readFile(p);
      if (++reads === 1) writeFileSync(p, bytesB);
      return bytes;
    };
    const stale = await build(cacheDir, path, {}, { readFile: readFile_ });
    expect(stale.explain.staleInputs).toEqual([path]);
    expect(same(stale.module, (await compileOnnx(bytesA, { path })).module)).toBe(true);

    // Nothing derived from A was kept: with A back on disk, a fresh process imports it again
    // (its executables, pure functions of region content, were kept).
    writeFileSync(path, bytesA);
    const again = await build(cacheDir, path);
    expect(ran(again.explain, 'importModel')).toBe(1);
    expect(ran(again.explain, 'executable')).toBe(0);
    expect(again.explain.staleInputs).toEqual([]);
    expect(same(again.module, stale.module)).toBe(true);

    // And B builds as a clean build would.
    writeFileSync(path, bytesB);
    const next = await build(cacheDir, path);
    expect(same(next.module, (await compileOnnx(bytesB, { path })).module)).toBe(true);
  });
});
