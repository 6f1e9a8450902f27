import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/ir/tensor.js';
import { expectMatchesOrt } from '../support/ort-compare.js';
import { importCase, operand } from '../support/one-node-model.js';
import { randomTensor } from '../support/random.js';

describe('Conv importer vs onnxruntime', () => {
  it('2-D with groups, dilations, strides, asymmetric pads and bias', async () => {
    await expectMatchesOrt({
      op: 'Conv',
      inputs: [operand('x', randomTensor([2, 4, 9, 8], 1)), operand('w', randomTensor([6, 2, 3, 2], 2)), operand('b', randomTensor([6], 3))],
      outputs: ['y'],
      attrs: { group: 2, dilations: [2, 1], strides: [1, 2], pads: [1, 0, 2, 1] },
    });
  });

  it('1-D and 3-D', async () => {
    await expectMatchesOrt({
      op: 'Conv',
      inputs: [operand('x', randomTensor([1, 3, 11], 4)), operand('w', randomTensor([2, 3, 4], 5))],
      outputs: ['y'],
      attrs: { strides: [3], pads: [2, 1] },
    });
    await expectMatchesOrt({
      op: 'Conv',
      inputs: [operand('x', randomTensor([1, 2, 5, 4, 6], 6)), operand('w', randomTensor([3, 2, 2, 3, 2], 7))],
      outputs: ['y'],
      attrs: { pads: [1, 0, 1, 0, 1, 1] },
    });
  });

  for (const autoPad of ['SAME_UPPER', 'SAME_LOWER', 'VALID']) {
    it(`auto_pad ${autoPad} with stride 2, resolved to explicit pads`, async () => {
      const c = {
        op: 'Conv',
        inputs: [operand('x', randomTensor([1, 2, 8, 7], 8)), operand('w', randomTensor([3, 2, 4, 3], 9), { constant: true })],
        outputs: ['y'],
        attrs: { auto_pad: autoPad, strides: [2, 2] },
      };
      await expectMatchesOrt(c);
      const conv = (await importCase(c)).graph.nodes.find((n) => n.op === 'conv')!;
      expect(conv.attrs['auto_pad']).toBe('NOTSET');
    });
  }

  it('keeps auto_pad when the spatial extents are symbolic, and still computes right', async () => {
    const c = {
      op: 'Conv',
      inputs: [operand('x', randomTensor([1, 1, 7, 6], 10), { symbolic: true }), operand('w', randomTensor([2, 1, 3, 3], 11), { constant: true })],
      outputs: ['y'],
      attrs: { auto_pad: 'SAME_LOWER', strides: [2, 2] },
    };
    const conv = (await importCase(c)).graph.nodes.find((n) => n.op === 'conv')!;
    expect(conv.attrs['auto_pad']).toBe('SAME_LOWER');
    await expectMatchesOrt(c);
  });

  it('depthwise conv', async () => {
    await expectMatchesOrt({
      op: 'Conv',
      inputs: [operand('x', randomTensor([1, 4, 6, 6], 12)), operand('w', randomTensor([4, 1, 3, 3], 13)), operand('b', randomTensor([4], 14))],
      outputs: ['y'],
      attrs: { group: 4, pads: [1, 1, 1, 1] },
    });
  });
});

describe('ConvTranspose importer vs onnxruntime', () => {
  it('groups, dilations, strides, pads and output_padding', async () => {
    await expectMatchesOrt({
      op: 'ConvTranspose',
      inputs: [operand('x', randomTensor([1, 4, 4, 3], 20)), operand('w', randomTensor([4, 3, 3, 2], 21)), operand('b', randomTensor([6], 22))],
      outputs: ['y'],
      attrs: { group: 2, strides: [2, 3], dilations: [1, 2], pads: [1, 0, 0, 1], output_padding: [1, 1] },
    });
  });

  it('output_shape larger than natural: trailing zeros', async () => {
    await expectMatchesOrt({
      op: 'ConvTranspose',
      inputs: [operand('x', randomTensor([1, 1, 3, 3], 23)), operand('w', randomTensor([1, 2, 3, 3], 24))],
      outputs: ['y'],
      attrs: { strides: [3, 2], output_shape: [10, 8] },
    });
  });

  it('1-D and 3-D', async () => {
    await expectMatchesOrt({
      op: 'ConvTranspose',
      inputs: [operand('x', randomTensor([2, 2, 5], 25)), operand('w', randomTensor([2, 3, 4], 26))],
      outputs: ['y'],
      attrs: { strides: [2] },
    });
    await expectMatchesOrt({
      op: 'ConvTranspose',
      inputs: [operand('x', randomTensor([1, 1, 2, 3, 2], 27)), operand('w', randomTensor([1, 2, 2, 2, 3], 28))],
      outputs: ['y'],
    });
  });
});

describe('integer convolutions', () => {
  it('ConvInteger with zero points is exact', async () => {
    const { ours: [y] } = await expectMatchesOrt({
      op: 'ConvInteger',
      opset: 10,
      inputs: [
        operand('x', randomTensor([1, 2, 5, 5], 30, 0, 'u8')),
        operand('w', randomTensor([3, 2, 2, 2], 31, 0, 'u8')),
        operand('xz', Tensor.scalar('u8', 100)),
        operand('wz', Tensor.scalar('u8', 7)),
      ],
      outputs: ['y'],
      attrs: { pads: [1, 1, 0, 0] },
    });
    expect(y!.dtype).toBe('i32');
  });

  it('QLinearConv with per-channel weight scales and an i32 bias', async () => {
    await expectMatchesOrt({
      op: 'QLinearConv',
      opset: 10,
      inputs: [
        operand('x', randomTensor([1, 2, 6, 6], 40, 0, 'u8')),
        operand('xs', Tensor.scalar('f32', 0.02)),
        operand('xz', Tensor.scalar('u8', 120)),
        operand('w', randomTensor([3, 2, 3, 3], 41, 0, 'i8'), { constant: true }),
        operand('ws', Tensor.fromNumbers('f32', [3], [0.01, 0.02, 0.005]), { constant: true }),
        operand('wz', Tensor.fromNumbers('i8', [3], [0, 0, 0]), { constant: true }),
        operand('ys', Tensor.scalar('f32', 0.05)),
        operand('yz', Tensor.scalar('u8', 128)),
        operand('b', Tensor.fromNumbers('i32', [3], [100, -2000, 50]), { constant: true }),
      ],
      outputs: ['y'],
      attrs: { pads: [1, 1, 1, 1], strides: [2, 1] },
    });
  });
});
