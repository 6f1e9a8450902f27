// An edit re-imports the whole model; initializers whose raw bytes equal those of a tensor an
// earlier import decoded reuse that tensor and its hash. What the import produces must not
// change: the values and content hashes are those of a fresh decode, and an edited weight is
// never mistaken for the old one, however alike their sampled bytes.
import { describe, expect, it } from 'vitest';
import { importModel } from '../../src/frontend/import-model.js';
import { writeOnnxModel } from '../../src/frontend/onnx-writer.js';
import { hashTensor } from '../../src/ir/constant-hash.js';
import type { IRModule } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';

const K = 32;
const N = 64; // a [K, N] f32 weight: 8 KB, above the size that is reused

function weightValues(edit?: { at: number; value: number }): Float32Array {
  const v = Float32Array.from({ length: K * N }, (_, i) => Math.sin(i) * 0.5);
  if (edit) v[edit.at] = edit.value;
  return v;
}

function model(w: Float32Array): Uint8Array {
  return writeOnnxModel({
    graph: {
      nodes: [{ op: 'MatMul', inputs: ['x', 'w'], outputs: ['y'], name: 'mm' }],
      inputs: [{ name: 'x', dtype: 'f32', shape: [1, K] }],
      outputs: [{ name: 'y', dtype: 'f32', shape: [1, N] }],
      initializers: [{ name: 'w', tensor: new Tensor('f32', [K, N], w) }],
    },
  });
}

function weightOf(mod: IRModule): { hash: string; tensor: Tensor } {
  const entry = [...mod.constants.values()].find((c) => c.type.shape?.join() === `${K},${N}`)!;
  return { hash: entry.hash, tensor: entry.load() };
}

describe('initializers reused across imports', () => {
  it('an unchanged weight is the tensor an earlier import decoded, with its content hash', async () => {
    const first = weightOf(await importModel(model(weightValues())));
    const second = weightOf(await importModel(model(weightValues())));
    expect(second.tensor).toBe(first.tensor);
    expect(second.hash).toBe(first.hash);
    expect(second.hash).toBe(hashTensor(new Tensor('f32', [K, N], weightValues())));
    expect(Array.from(second.tensor.data as Float32Array)).toEqual(Array.from(weightValues()));
  });

  it('an edited weight is decoded afresh, even when its sampled bytes are unchanged', async () => {
    const before = weightOf(await importModel(model(weightValues())));
    // Element 100 lies outside the bytes sampled to find a candidate (start, middle, end).
    const edited = weightValues({ at: 100, value: 42 });
    const after = weightOf(await importModel(model(edited)));
    expect(after.tensor).not.toBe(before.tensor);
    expect(after.hash).not.toBe(before.hash);
    expect(after.hash).toBe(hashTensor(new Tensor('f32', [K, N], edited)));
    expect((after.tensor.data as Float32Array)[100]).toBe(42);
    // And the old content, imported again, is right again.
    expect(weightOf(await importModel(model(weightValues()))).hash).toBe(before.hash);
  });

  it('equal bytes under another shape or dtype are not the same initializer', async () => {
    const flat = writeOnnxModel({
      graph: {
        nodes: [{ op: 'Identity', inputs: ['w'], outputs: ['y'] }],
        inputs: [],
        outputs: [{ name: 'y', dtype: 'i32', shape: [K * N] }],
        initializers: [{ name: 'w', tensor: new Tensor('i32', [K * N], new Int32Array(weightValues().buffer)) }],
      },
    });
    await importModel(model(weightValues()));
    const mod = await importModel(flat);
    const entry = [...mod.constants.values()].find((c) => c.type.dtype === 'i32' && c.type.shape?.join() === `${K * N}`)!;
    expect(entry.load().dtype).toBe('i32');
    expect(entry.hash).toBe(hashTensor(new Tensor('i32', [K * N], new Int32Array(weightValues().buffer))));
  });
});
