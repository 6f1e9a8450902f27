// The model digest is a pure function of the file's bytes: equal in a fresh process and whatever
// this process digested before, different when any byte differs (inside a weight too, beyond the
// sampled bytes), and plain xxhash64 where there is no large raw_data or no protobuf to follow.
// The import of digested bytes takes the decoded weights the digest proved equal without
// comparing their bytes again.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Buffer } from 'node:buffer';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SeededRandom } from '../../fixtures/prng.js';
import { importModel } from '../../src/frontend/import-model.js';
import { modelDigest, STRUCTURED_DIGEST_PREFIX } from '../../src/frontend/model-digest.js';
import { rawDataRanges } from '../../src/frontend/onnx-skim.js';
import { writeOnnxModel } from '../../src/frontend/onnx-writer.js';
import { hashTensor } from '../../src/ir/constant-hash.js';
import type { IRModule } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { hashBytes, initHashing } from '../../src/util/hash.js';
import { skimModel } from './skim-models.js';

const dir = mkdtempSync(join(tmpdir(), 'ireets-digest-'));
beforeAll(async () => {
  await initHashing();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const K = 32;
const N = 64; // [K, N] f32 weights: 8 KB each, above the size hashed on its own

function weights(seed: number, edit?: { at: number; value: number }): Float32Array {
  const v = Float32Array.from({ length: K * N }, (_, i) => Math.sin(i * 0.37 + seed));
  if (edit) v[edit.at] = edit.value;
  return v;
}

/** MatMul by w1 then w2; `extraAdd` puts a node before them (the weights move in the file). */
function model(w1: Float32Array, w2: Float32Array, opts: { extraAdd?: boolean; alpha?: number } = {}): Uint8Array {
  const nodes = [
    ...(opts.extraAdd ? [{ op: 'Add', inputs: ['x0', 'x0'], outputs: ['x'] }] : [{ op: 'Identity', inputs: ['x0'], outputs: ['x'] }]),
    { op: 'MatMul', inputs: ['x', 'w1'], outputs: ['h'] },
    { op: 'LeakyRelu', inputs: ['h'], outputs: ['r'], attrs: { alpha: { float: opts.alpha ?? 0.1 } } },
    { op: 'MatMul', inputs: ['r', 'w2'], outputs: ['y'] },
  ];
  return writeOnnxModel({
    graph: {
      nodes,
      inputs: [{ name: 'x0', dtype: 'f32', shape: [1, K] }],
      outputs: [{ name: 'y', dtype: 'f32', shape: [1, K] }],
      initializers: [
        { name: 'w1', tensor: new Tensor('f32', [K, N], w1) },
        { name: 'w2', tensor: new Tensor('f32', [N, K], w2) },
      ],
    },
  });
}

/** Digests in a fresh module graph: no raw bytes seen before, like a new process. */
async function freshDigest(bytes: Uint8Array): Promise<string> {
  vi.resetModules();
  const hash = await import('../../src/util/hash.js');
  await hash.initHashing();
  const { modelDigest: fresh } = await import('../../src/frontend/model-digest.js');
  return fresh(bytes);
}

function childDigests(models: Uint8Array[]): string[] {
  const files = models.map((m, i) => {
    const f = join(dir, `m${i}.onnx`);
    writeFileSync(f, m);
    return f;
  });
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'model-digest-child.ts'), ...files], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return r.stdout.trim().split('\n');
}

const copy = (b: Uint8Array): Uint8Array => new Uint8Array(b);

describe('modelDigest', () => {
  it('is plain xxhash64 for bytes without large raw_data, and for bytes that are not protobuf', () => {
    const small = writeOnnxModel({
      graph: {
        nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }],
        inputs: [{ name: 'x', dtype: 'f32', shape: [4] }],
        outputs: [{ name: 'y', dtype: 'f32', shape: [4] }],
        initializers: [{ name: 'b', tensor: new Tensor('f32', [4], Float32Array.of(1, 2, 3, 4)) }],
      },
    });
    expect(modelDigest(small)).toBe(hashBytes(small));
    const garbage = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 7919) & 0xff);
    expect(rawDataRanges(garbage, 4096)).toBeUndefined();
    expect(modelDigest(garbage)).toBe(hashBytes(garbage));
    expect(modelDigest(new Uint8Array(0))).toBe(hashBytes(new Uint8Array(0)));
  });

  it('is structured for models with large raw_data, and the same in a fresh process whatever came before', async () => {
    const a = model(weights(1), weights(2));
    const moved = model(weights(1), weights(2), { extraAdd: true });
    const edited = model(weights(1, { at: 100, value: 42 }), weights(2));
    const other = skimModel(5);
    // This process: some of these bytes seen before, in another order, in other buffers.
    const here = [edited, other, a, moved, a].map((m) => modelDigest(copy(m)));
    expect(here[2]!.startsWith(STRUCTURED_DIGEST_PREFIX)).toBe(true);
    expect(here[2]).toBe(here[4]);
    expect(new Set(here.slice(0, 4)).size).toBe(4);
    // A fresh module graph, then a fresh process, each in their own order.
    const fresh = [];
    for (const m of [a, moved, other, edited]) fresh.push(await freshDigest(copy(m)));
    expect(fresh).toEqual([here[2], here[3], here[1], here[0]]);
    expect(childDigests([moved, edited, a, other])).toEqual([here[3], here[0], here[2], here[1]]);
  });

  it('tells apart bytes that differ anywhere, also past the bytes sampled to find an earlier weight', async () => {
    const base = model(weights(1), weights(2));
    const d = modelDigest(base);
    const ranges = rawDataRanges(base, 4096)!;
    const rng = new SeededRandom('digest edits');
    for (let i = 0; i < 40; i++) {
      const changed = copy(base);
      // Half the edits inside a weight (away from its start, middle and end), half anywhere.
      const r = ranges[i % ranges.length]!;
      const at = i % 2 ? r.start + 200 + (rng.nextUint32() % 1000) : rng.nextUint32() % base.length;
      changed[at] ^= 1 + (rng.nextUint32() % 255);
      const got = modelDigest(changed);
      expect(got).not.toBe(d);
      expect(got).toBe(await freshDigest(changed));
    }
    expect(modelDigest(copy(base))).toBe(d);
  });

  it('fuzz: damaged models digest without throwing, to what a fresh process computes', async () => {
    const base = skimModel(9);
    modelDigest(base);
    const rng = new SeededRandom('digest fuzz');
    const cases: Uint8Array[] = [];
    for (let i = 0; i < 60; i++) {
      const b = copy(base);
      for (let f = 0; f < 1 + (i % 4); f++) b[rng.nextUint32() % b.length] = rng.nextUint32() & 0xff;
      cases.push(i % 3 === 0 ? b.subarray(0, rng.nextUint32() % b.length) : b);
    }
    const here = cases.map((c) => modelDigest(c));
    const fresh = [];
    for (const c of cases) fresh.push(await freshDigest(c));
    expect(fresh).toEqual(here);
  });
});

describe('the import of digested bytes', () => {
  const weightOf = (mod: IRModule, shape: string): { hash: string; tensor: Tensor } => {
    const entry = [...mod.constants.values()].find((c) => c.type.shape?.join() === shape)!;
    return { hash: entry.hash, tensor: entry.load() };
  };

  it('finds unchanged weights by hash and reuses their tensors without comparing bytes, and decodes edited ones', async () => {
    const first = model(weights(3), weights(4));
    modelDigest(first);
    const before = await importModel(first);
    // An edit elsewhere: both weights unchanged, moved in the file.
    const next = copy(model(weights(3), weights(4), { alpha: 0.2, extraAdd: true }));
    // Neither the digest (by hash: the earlier bytes may have gone cold) nor the import compares.
    const equals = vi.spyOn(Buffer.prototype, 'equals');
    modelDigest(next);
    const after = await importModel(next);
    expect(equals).not.toHaveBeenCalled();
    equals.mockRestore();
    expect(weightOf(after, `${K},${N}`).tensor).toBe(weightOf(before, `${K},${N}`).tensor);
    expect(weightOf(after, `${N},${K}`).tensor).toBe(weightOf(before, `${N},${K}`).tensor);
    // A weight edited past its sampled bytes: decoded afresh, with its own hash.
    const editedW = weights(3, { at: 300, value: 7 });
    const edited = copy(model(editedW, weights(4)));
    modelDigest(edited);
    const w = weightOf(await importModel(edited), `${K},${N}`);
    expect(w.hash).toBe(hashTensor(new Tensor('f32', [K, N], editedW)));
    expect((w.tensor.data as Float32Array)[300]).toBe(7);
    expect(weightOf(await importModel(copy(first)), `${K},${N}`).hash).toBe(weightOf(before, `${K},${N}`).hash);
  });
});
