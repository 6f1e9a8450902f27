// A small model with two 256 KB weights, for tests of what an edit writes: x [1,256] → MatMul w1
// → activation → MatMul w2. Its options change one op, or one weight, and nothing else.
import { writeOnnxModel, type OnnxModelSpec } from '../../src/frontend/onnx-writer.js';
import { Tensor } from '../../src/ir/tensor.js';

export const WIDTH = 256;
/** Bytes of one [WIDTH, WIDTH] f32 weight. */
export const WEIGHT_BYTES = WIDTH * WIDTH * 4;

function values(seed: number, n: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

/** x [1,W] → MatMul W1 → act → MatMul W2: two 256 KB weights. */
export function mlp(o: { act?: string; w2Seed?: number } = {}): Uint8Array {
  const spec: OnnxModelSpec = {
    graph: {
      nodes: [
        { op: 'MatMul', inputs: ['x', 'w1'], outputs: ['h'], name: 'fc1' },
        { op: o.act ?? 'Relu', inputs: ['h'], outputs: ['a'], name: 'act' },
        { op: 'MatMul', inputs: ['a', 'w2'], outputs: ['y'], name: 'fc2' },
      ],
      inputs: [{ name: 'x', dtype: 'f32', shape: [1, WIDTH] }],
      outputs: [{ name: 'y', dtype: 'f32', shape: [1, WIDTH] }],
      initializers: [
        { name: 'w1', tensor: new Tensor('f32', [WIDTH, WIDTH], values(1, WIDTH * WIDTH)) },
        { name: 'w2', tensor: new Tensor('f32', [WIDTH, WIDTH], values(o.w2Seed ?? 2, WIDTH * WIDTH)) },
      ],
    },
  };
  return writeOnnxModel(spec);
}

