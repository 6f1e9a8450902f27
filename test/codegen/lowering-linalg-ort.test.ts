// Small networks written with the ONNX writer, compiled through the CPU code generator (direct
// runner) and compared with onnxruntime-node: a conv net (conv + bias, relu, max/avg pooling,
// grouped/strided/dilated conv, gemm), a transposed-conv decoder, and a 2-layer MLP.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { importModel } from '../../src/frontend/import-model.js';
import { writeOnnxModel, type OnnxGraphSpec } from '../../src/frontend/onnx-writer.js';
import { foldConstants } from '../../src/ir/fold-constants.js';
import { Tensor } from '../../src/ir/tensor.js';
import { runDirect } from './direct-runner.js';
import { useCpuDevice } from '../support/lowering-harness.js';
import { lcg32 } from '../support/random.js';

const device = useCpuDevice();

/** Deterministic values in [-scale, scale). */
function randomF32(shape: number[], seed: number, scale = 1): Tensor {
  const next = lcg32(seed);
  return new Tensor('f32', shape, Float32Array.from({ length: shape.reduce((a, d) => a * d, 1) }, () => (next() * 2 - 1) * scale));
}

const weight = (name: string, shape: number[], seed: number, scale = 0.3): { name: string; tensor: Tensor } =>
  ({ name, tensor: randomF32(shape, seed, scale) });

async function compareWithOrt(graph: OnnxGraphSpec, input: Tensor): Promise<void> {
  const bytes = writeOnnxModel({ opset: 17, graph });
  const session = await ort.InferenceSession.create(bytes);
  const feeds = { [graph.inputs[0]!.name]: new ort.Tensor('float32', input.data as Float32Array, input.shape) };
  const expected = (await session.run(feeds))[graph.outputs[0]!.name]!;

  const mod = await importModel(bytes);
  foldConstants(mod);
  const [actual] = await runDirect(mod, [input], device());
  expect(actual!.shape).toEqual([...expected.dims]);
  const got = actual!.data as Float32Array;
  const want = expected.data as Float32Array;
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i]! - want[i]!) - (1e-5 + 1e-3 * Math.abs(want[i]!));
    worst = Math.max(worst, err);
  }
  expect(worst).toBeLessThanOrEqual(0);
  // The network must compute something non-trivial.
  expect(want.some((v) => Math.abs(v) > 1e-3)).toBe(true);
}

describe('CPU code generator vs onnxruntime-node', () => {
  it('runs a small conv net', async () => {
    const graph: OnnxGraphSpec = {
      nodes: [
        { op: 'Conv', inputs: ['x', 'w1', 'b1'], outputs: ['c1'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
        { op: 'Relu', inputs: ['c1'], outputs: ['r1'] },
        { op: 'MaxPool', inputs: ['r1'], outputs: ['p1'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
        { op: 'Conv', inputs: ['p1', 'w2', 'b2'], outputs: ['c2'], attrs: { kernel_shape: [3, 3], pads: [2, 1, 2, 1], strides: [2, 1], dilations: [2, 1], group: 2 } },
        { op: 'Relu', inputs: ['c2'], outputs: ['r2'] },
        { op: 'AveragePool', inputs: ['r2'], outputs: ['p2'], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 0 } },
        { op: 'Flatten', inputs: ['p2'], outputs: ['f'] },
        { op: 'Gemm', inputs: ['f', 'w3', 'b3'], outputs: ['y'], attrs: { transB: 1 } },
      ],
      inputs: [{ name: 'x', dtype: 'f32', shape: [2, 3, 16, 16] }],
      outputs: [{ name: 'y', dtype: 'f32', shape: [2, 10] }],
      initializers: [
        weight('w1', [8, 3, 3, 3], 1), weight('b1', [8], 2),
        weight('w2', [12, 4, 3, 3], 3), weight('b2', [12], 4),
        weight('w3', [10, 12 * 2 * 4], 5), weight('b3', [10], 6),
      ],
    };
    await compareWithOrt(graph, randomF32([2, 3, 16, 16], 7));
  });

  it('runs a transposed-conv decoder with pooling', async () => {
    const graph: OnnxGraphSpec = {
      nodes: [
        { op: 'ConvTranspose', inputs: ['x', 'w1', 'b1'], outputs: ['u1'], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] } },
        { op: 'Relu', inputs: ['u1'], outputs: ['r1'] },
        { op: 'ConvTranspose', inputs: ['r1', 'w2'], outputs: ['u2'], attrs: { kernel_shape: [2, 3], strides: [1, 2], dilations: [2, 1], group: 2 } },
        { op: 'MaxPool', inputs: ['u2'], outputs: ['y'], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 } },
      ],
      inputs: [{ name: 'x', dtype: 'f32', shape: [1, 4, 5, 6] }],
      outputs: [{ name: 'y', dtype: 'f32', shape: null }],
      initializers: [weight('w1', [4, 6, 3, 3], 11), weight('b1', [6], 12), weight('w2', [6, 2, 2, 3], 13)],
    };
    await compareWithOrt(graph, randomF32([1, 4, 5, 6], 14));
  });

  it('runs a 2-layer MLP', async () => {
    const graph: OnnxGraphSpec = {
      nodes: [
        { op: 'Gemm', inputs: ['x', 'w1', 'b1'], outputs: ['h'], attrs: { transB: 1 } },
        { op: 'Relu', inputs: ['h'], outputs: ['r'] },
        { op: 'MatMul', inputs: ['r', 'w2'], outputs: ['m'] },
        { op: 'Add', inputs: ['m', 'b2'], outputs: ['y'] },
      ],
      inputs: [{ name: 'x', dtype: 'f32', shape: [5, 32] }],
      outputs: [{ name: 'y', dtype: 'f32', shape: [5, 10] }],
      initializers: [weight('w1', [64, 32], 21), weight('b1', [64], 22), weight('w2', [64, 10], 23), weight('b2', [10], 24)],
    };
    await compareWithOrt(graph, randomF32([5, 32], 25));
  });
});
