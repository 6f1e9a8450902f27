import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/ir/tensor.js';
import { expectMatchesOrt } from '../support/ort-compare.js';
import { importCase, operand, runOurs } from '../support/one-node-model.js';
import { randomTensor } from '../support/random.js';
import { i64 } from '../support/tensors.js';

describe('MaxPool importer vs onnxruntime', () => {
  it('ceil_mode, pads, strides and dilations with argmax indices', async () => {
    await expectMatchesOrt({
      op: 'MaxPool',
      opset: 12,
      inputs: [operand('x', randomTensor([2, 3, 9, 8], 1))],
      outputs: ['y', 'i'],
      attrs: { kernel_shape: [3, 2], strides: [2, 3], pads: [1, 0, 1, 1], dilations: [1, 2], ceil_mode: 1 },
    });
  });

  it('column-major indices (storage_order 1)', async () => {
    await expectMatchesOrt({
      op: 'MaxPool',
      opset: 12,
      inputs: [operand('x', randomTensor([1, 2, 5, 6], 2))],
      outputs: ['y', 'i'],
      attrs: { kernel_shape: [2, 3], strides: [2, 2], storage_order: 1 },
    });
  });

  it('1-D SAME_LOWER and 3-D with indices', async () => {
    await expectMatchesOrt({
      op: 'MaxPool',
      inputs: [operand('x', randomTensor([1, 2, 10], 3))],
      outputs: ['y'],
      attrs: { kernel_shape: [4], strides: [3], auto_pad: 'SAME_LOWER' },
    });
    await expectMatchesOrt({
      op: 'MaxPool',
      opset: 12,
      inputs: [operand('x', randomTensor([1, 1, 4, 5, 3], 4))],
      outputs: ['y', 'i'],
      attrs: { kernel_shape: [2, 2, 2], strides: [2, 2, 1] },
    });
  });

  it('int8 and uint8', async () => {
    for (const dt of ['u8', 'i8'] as const) {
      await expectMatchesOrt({
        op: 'MaxPool',
        opset: 12,
        inputs: [operand('x', randomTensor([1, 1, 5, 5], 5, 0, dt))],
        outputs: ['y'],
        attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] },
      });
    }
  });
});

describe('AveragePool and LpPool importers vs onnxruntime', () => {
  for (const countIncludePad of [0, 1]) {
    it(`ceil_mode with pads, count_include_pad ${countIncludePad}`, async () => {
      await expectMatchesOrt({
        op: 'AveragePool',
        inputs: [operand('x', randomTensor([1, 2, 7, 8], 6))],
        outputs: ['y'],
        attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 0], ceil_mode: 1, count_include_pad: countIncludePad },
      });
    });
  }

  it('SAME_UPPER', async () => {
    await expectMatchesOrt({
      op: 'AveragePool',
      inputs: [operand('x', randomTensor([1, 1, 7, 7], 7))],
      outputs: ['y'],
      attrs: { kernel_shape: [3, 2], strides: [2, 2], auto_pad: 'SAME_UPPER' },
    });
  });

  it('LpPool p=2 and p=3', async () => {
    for (const p of [2, 3]) {
      await expectMatchesOrt({
        op: 'LpPool',
        inputs: [operand('x', randomTensor([1, 2, 6, 5], 8))],
        outputs: ['y'],
        attrs: { kernel_shape: [2, 2], strides: [2, 1], pads: [0, 1, 1, 0], p },
      });
    }
  });
});

describe('global pools (decomposed into reductions) vs onnxruntime', () => {
  for (const op of ['GlobalAveragePool', 'GlobalMaxPool']) {
    it(op, async () => {
      await expectMatchesOrt({ op, inputs: [operand('x', randomTensor([2, 3, 4, 5], 9))], outputs: ['y'] });
      const ops = (await importCase({ op, inputs: [operand('x', randomTensor([1, 2, 3], 9))], outputs: ['y'] })).graph.nodes.map((n) => n.op);
      expect(ops).toContain(op === 'GlobalAveragePool' ? 'reduce_mean' : 'reduce_max');
    });
  }

  it('GlobalLpPool', async () => {
    for (const p of [1, 2, 3]) {
      await expectMatchesOrt({ op: 'GlobalLpPool', inputs: [operand('x', randomTensor([2, 3, 4, 3], 10))], outputs: ['y'], attrs: { p } });
    }
  });
});

describe('MaxUnpool', () => {
  it('undoes MaxPool positions (default output shape)', async () => {
    const x = Tensor.fromNumbers('f32', [1, 1, 2, 2], [5, 6, 7, 8]);
    const [y] = await runOurs({
      op: 'MaxUnpool',
      opset: 11,
      inputs: [operand('x', x), operand('i', Tensor.fromBigInts('i64', [1, 1, 2, 2], [5n, 7n, 13n, 15n]))],
      outputs: ['y'],
      attrs: { kernel_shape: [2, 2], strides: [2, 2] },
    });
    expect(y!.shape).toEqual([1, 1, 4, 4]);
    expect(y!.toNumbers()).toEqual([0, 0, 0, 0, 0, 5, 0, 6, 0, 0, 0, 0, 0, 7, 0, 8]);
  });

  it('matches onnxruntime with pads', async () => {
    await expectMatchesOrt({
      op: 'MaxUnpool',
      opset: 11,
      inputs: [operand('x', randomTensor([1, 2, 2, 3], 11)), operand('i', Tensor.fromBigInts('i64', [1, 2, 2, 3], [0n, 2n, 3n, 4n, 6n, 7n, 8n, 9n, 11n, 12n, 13n, 15n]))],
      outputs: ['y'],
      attrs: { kernel_shape: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1] },
    });
  });

  it('takes output_shape as a runtime input', async () => {
    const [y] = await runOurs({
      op: 'MaxUnpool',
      opset: 11,
      inputs: [operand('x', Tensor.fromNumbers('f32', [1, 1, 1, 2], [3, 4])), operand('i', Tensor.fromBigInts('i64', [1, 1, 1, 2], [1n, 3n])), operand('s', i64([4], [1, 1, 2, 5]))],
      outputs: ['y'],
      attrs: { kernel_shape: [2, 2], strides: [2, 2] },
    });
    // Indices address the default 2x4 output; the 2x5 output keeps their coordinates.
    expect(y!.shape).toEqual([1, 1, 2, 5]);
    expect(y!.toNumbers()).toEqual([0, 3, 0, 4, 0, 0, 0, 0, 0, 0]);
  });
});
