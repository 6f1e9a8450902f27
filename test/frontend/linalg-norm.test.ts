import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/ir/tensor.js';
import { expectMatchesOrt } from '../support/ort-compare.js';
import { importCase, operand, runOurs } from '../support/one-node-model.js';
import { randomTensor } from '../support/random.js';

const positive = (shape: number[], seed: number): Tensor => Tensor.fromNumbers('f32', shape, randomTensor(shape, seed).toNumbers().map((v) => Math.abs(v) + 0.1));

describe('BatchNormalization importer vs onnxruntime', () => {
  const params = (constant: boolean) => [
    operand('s', randomTensor([3], 2), { constant }),
    operand('b', randomTensor([3], 3), { constant }),
    operand('m', randomTensor([3], 4), { constant }),
    operand('v', positive([3], 5), { constant }),
  ];

  it('inference with runtime statistics', async () => {
    await expectMatchesOrt({ op: 'BatchNormalization', opset: 15, inputs: [operand('x', randomTensor([2, 3, 4, 5], 1)), ...params(false)], outputs: ['y'], attrs: { epsilon: { float: 0.01 } } });
  });

  it('inference with constant statistics folds into one mul and one add', async () => {
    const c = { op: 'BatchNormalization', opset: 15, inputs: [operand('x', randomTensor([2, 3, 4], 1)), ...params(true)], outputs: ['y'] };
    await expectMatchesOrt(c);
    const ops = (await importCase(c)).graph.nodes.map((n) => n.op).filter((o) => o !== 'constant');
    expect(ops).toEqual(['mul', 'add']);
  });

  it('older opsets (9) and a 2-D input', async () => {
    await expectMatchesOrt({ op: 'BatchNormalization', opset: 9, inputs: [operand('x', randomTensor([4, 3], 1)), ...params(false)], outputs: ['y'] });
  });
});

describe('Instance/Layer/Group normalization importers vs onnxruntime', () => {
  it('InstanceNormalization 3-D and 5-D', async () => {
    for (const shape of [[2, 3, 7], [1, 3, 2, 3, 4]]) {
      await expectMatchesOrt({
        op: 'InstanceNormalization',
        inputs: [operand('x', randomTensor(shape, 1)), operand('s', randomTensor([3], 2)), operand('b', randomTensor([3], 3))],
        outputs: ['y'],
        attrs: { epsilon: { float: 1e-3 } },
      });
    }
  });

  it('LayerNormalization with all three outputs, every axis', async () => {
    const shape = [2, 3, 4];
    for (const axis of [-3, -2, -1, 0, 1, 2]) {
      const norm = shape.slice(axis < 0 ? axis + 3 : axis);
      await expectMatchesOrt({
        op: 'LayerNormalization',
        opset: 17,
        inputs: [operand('x', randomTensor(shape, 1)), operand('s', randomTensor(norm, 2)), operand('b', randomTensor(norm, 3))],
        outputs: ['y', 'mean', 'inv'],
        attrs: { axis },
      });
    }
  });

  it('LayerNormalization without bias, in f16 (stash_type f32)', async () => {
    const x = Tensor.fromNumbers('f16', [3, 8], randomTensor([3, 8], 4).toNumbers());
    const s = Tensor.fromNumbers('f16', [8], randomTensor([8], 5).toNumbers());
    await expectMatchesOrt({ op: 'LayerNormalization', opset: 17, inputs: [operand('x', x), operand('s', s)], outputs: ['y'] }, { rtol: 1e-2, atol: 1e-2 });
  });

  it('GroupNormalization (opset 18, per-group scale)', async () => {
    await expectMatchesOrt({
      op: 'GroupNormalization',
      opset: 18,
      inputs: [operand('x', randomTensor([2, 6, 3, 2], 1)), operand('s', randomTensor([3], 2)), operand('b', randomTensor([3], 3))],
      outputs: ['y'],
      attrs: { num_groups: 3, epsilon: { float: 1e-4 } },
    });
  });
});

describe('MeanVarianceNormalization and LRN importers vs onnxruntime', () => {
  it('MVN with default and custom axes', async () => {
    await expectMatchesOrt({ op: 'MeanVarianceNormalization', inputs: [operand('x', randomTensor([2, 3, 4, 2], 1))], outputs: ['y'] });
    await expectMatchesOrt({ op: 'MeanVarianceNormalization', inputs: [operand('x', randomTensor([2, 3, 4, 2], 2))], outputs: ['y'], attrs: { axes: [1, 3] } });
  });

  it('LRN with odd windows', async () => {
    for (const size of [1, 3, 5]) {
      await expectMatchesOrt({
        op: 'LRN',
        inputs: [operand('x', randomTensor([2, 5, 3, 3], size))],
        outputs: ['y'],
        attrs: { size, alpha: { float: 0.02 }, beta: { float: 0.6 }, bias: { float: 1.5 } },
      });
    }
  });

  it('LRN with an even window on a 3-D input (onnxruntime has neither): the spec formula', async () => {
    const [n, c, l] = [1, 6, 5];
    const size = 4;
    const x = randomTensor([n, c, l], 7);
    const [y] = await runOurs({ op: 'LRN', inputs: [operand('x', x)], outputs: ['y'], attrs: { size, alpha: { float: 0.02 }, beta: { float: 0.6 }, bias: { float: 1.5 } } });
    const xv = x.toNumbers();
    for (let ch = 0; ch < c; ch++) {
      for (let i = 0; i < l; i++) {
        let sum = 0;
        for (let k = Math.max(0, ch - 1); k <= Math.min(c - 1, ch + 2); k++) sum += xv[k * l + i]! ** 2;
        const want = xv[ch * l + i]! / (1.5 + (0.02 / size) * sum) ** 0.6;
        expect(y!.getNumber(ch * l + i)).toBeCloseTo(want, 5);
      }
    }
  });
});
