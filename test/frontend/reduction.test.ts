import { describe, it } from 'vitest';
import type { OnnxAttrValue } from '../../src/frontend/onnx-writer.js';
import { Tensor } from '../../src/ir/tensor.js';
import type { OneNodeCase, Operand } from '../support/one-node-model.js';
import { expectMatchesOrt } from '../support/ort-compare.js';
import { randomTensor } from '../support/random.js';
import { i64 } from '../support/tensors.js';

interface Case extends OneNodeCase {
  readonly name: string;
}

const x = randomTensor([2, 3, 4], 7, 4);
const X = (t: Tensor = x): Operand => ({ name: 'x', value: t });
const constAxes = (...a: number[]): Operand => ({ name: 'axes', value: i64([a.length], a), constant: true });
const fedAxes = (...a: number[]): Operand => ({ name: 'axes', value: i64([a.length], a) });
const positive = new Tensor('f32', [2, 3, 4], (x.data as Float32Array).map((v) => Math.abs(v) + 0.1));

const REDUCE_CASES: Case[] = [];
for (const op of ['ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare']) {
  const data = op === 'ReduceLogSum' ? positive : x;
  const attrOpset = op === 'ReduceSum' ? 11 : 13;
  REDUCE_CASES.push(
    { name: `${op} attr axes, keepdims`, op, opset: attrOpset, inputs: [X(data)], attrs: { axes: [1], keepdims: 1 } },
    { name: `${op} attr axes, negative, no keepdims`, op, opset: attrOpset, inputs: [X(data)], attrs: { axes: [0, -1], keepdims: 0 } },
    { name: `${op} default axes`, op, opset: attrOpset, inputs: [X(data)], attrs: { keepdims: 0 } },
    { name: `${op} axes input (constant)`, op, opset: 18, inputs: [X(data), constAxes(2)], attrs: { keepdims: 0 } },
    { name: `${op} axes input (fed)`, op, opset: 18, inputs: [X(data), fedAxes(-2, 0)], attrs: { keepdims: 1 } },
    { name: `${op} empty axes, noop`, op, opset: 18, inputs: [X(data), fedAxes()], attrs: { noop_with_empty_axes: 1 } },
  );
}

const OTHER_CASES: Case[] = [
  { name: 'ReduceSum opset 13 constant axes', op: 'ReduceSum', opset: 13, inputs: [X(), constAxes(1, 2)], attrs: { keepdims: 0 } },
  { name: 'ReduceSum opset 13 no axes', op: 'ReduceSum', opset: 13, inputs: [X()], attrs: { keepdims: 1 } },
  { name: 'ReduceSum i64', op: 'ReduceSum', opset: 13, inputs: [X(i64([2, 3], [1, -2, 3, 2 ** 40, 5, 6])), constAxes(1)] },
  { name: 'ReduceMax i32', op: 'ReduceMax', opset: 13, inputs: [X(Tensor.fromNumbers('i32', [2, 3], [1, -2, 3, 4, 5, -6]))], attrs: { axes: [0] } },
  { name: 'ReduceL2 i32 (through f64)', op: 'ReduceL2', opset: 13, inputs: [X(Tensor.fromNumbers('i32', [2, 3], [1, 2, 3, 4, 5, 7]))], attrs: { axes: [1] } },
  { name: 'ReduceLogSumExp i64 (through f64)', op: 'ReduceLogSumExp', opset: 13, inputs: [X(i64([2, 3], [1, 2, 3, 4, 5, 7]))], attrs: { axes: [1] } },
  { name: 'ReduceLogSumExp large values', op: 'ReduceLogSumExp', opset: 13, inputs: [X(Tensor.fromNumbers('f32', [2, 2], [1000, 1001, -1000, -1002]))], attrs: { axes: [1] } },
  { name: 'ReduceLogSumExp all -inf row', op: 'ReduceLogSumExp', opset: 13, inputs: [X(Tensor.fromNumbers('f32', [2, 2], [-Infinity, -Infinity, 0, 0]))], attrs: { axes: [1], keepdims: 0 } },
  { name: 'ReduceSum over an empty dim', op: 'ReduceSum', opset: 13, inputs: [X(Tensor.zeros('f32', [2, 0, 3])), constAxes(1)] },
  { name: 'ReduceMax over an empty dim', op: 'ReduceMax', opset: 18, inputs: [X(Tensor.zeros('f32', [2, 0, 3])), constAxes(1)], attrs: { keepdims: 0 } },
  { name: 'ReduceProd over an empty dim', op: 'ReduceProd', opset: 13, inputs: [X(Tensor.zeros('f32', [0, 3]))], attrs: { axes: [0] } },
  { name: 'ArgMax', op: 'ArgMax', opset: 13, inputs: [X()], attrs: { axis: 1, keepdims: 0 } },
  { name: 'ArgMin last index', op: 'ArgMin', opset: 13, inputs: [X(Tensor.fromNumbers('f32', [2, 3], [1, 0, 0, 5, 5, 7]))], attrs: { axis: -1, select_last_index: 1 } },
  { name: 'ArgMax ties first', op: 'ArgMax', opset: 11, inputs: [X(Tensor.fromNumbers('f32', [2, 3], [1, 9, 9, 5, 5, 7]))], attrs: { axis: 0 } },
  { name: 'Softmax opset 11 (2-D coercion)', op: 'Softmax', opset: 11, inputs: [X()], attrs: { axis: 1 } },
  { name: 'Softmax opset 11 default axis', op: 'Softmax', opset: 11, inputs: [X()] },
  { name: 'Softmax opset 13 axis 1', op: 'Softmax', opset: 13, inputs: [X()], attrs: { axis: 1 } },
  { name: 'Softmax opset 13 default axis', op: 'Softmax', opset: 13, inputs: [X()] },
  { name: 'LogSoftmax opset 11', op: 'LogSoftmax', opset: 11, inputs: [X()], attrs: { axis: 1 } },
  { name: 'LogSoftmax opset 13 axis 0', op: 'LogSoftmax', opset: 13, inputs: [X()], attrs: { axis: 0 } },
  { name: 'Hardmax opset 11', op: 'Hardmax', opset: 11, inputs: [X()], attrs: { axis: 1 } },
  { name: 'Hardmax opset 13 with ties', op: 'Hardmax', opset: 13, inputs: [X(Tensor.fromNumbers('f32', [2, 3], [3, 3, 1, 0, 2, 2]))] },
  { name: 'Hardmax opset 13 axis 1', op: 'Hardmax', opset: 13, inputs: [X()], attrs: { axis: 1 } },
  { name: 'Hardmax opset 11, symbolic dims', op: 'Hardmax', opset: 11, inputs: [{ name: 'x', value: x, symbolic: true }], attrs: { axis: 1 } },
  { name: 'Hardmax opset 11 axis 0, symbolic dims', op: 'Hardmax', opset: 11, inputs: [{ name: 'x', value: x, symbolic: true }], attrs: { axis: 0 } },
  { name: 'Hardmax opset 13, symbolic dims', op: 'Hardmax', opset: 13, inputs: [{ name: 'x', value: x, symbolic: true }], attrs: { axis: 1 } },
  { name: 'Softmax opset 11, symbolic dims', op: 'Softmax', opset: 11, inputs: [{ name: 'x', value: x, symbolic: true }], attrs: { axis: 1 } },
  { name: 'TopK, symbolic dims', op: 'TopK', opset: 11, inputs: [{ name: 'x', value: x, symbolic: true }, { name: 'k', value: i64([1], [2]) }], attrs: { axis: 1 }, outputs: ['v', 'i'] },
  { name: 'CumSum', op: 'CumSum', opset: 14, inputs: [X(), { name: 'axis', value: Tensor.fromNumbers('i32', [], [1]) }] },
  { name: 'CumSum exclusive reverse', op: 'CumSum', opset: 14, inputs: [X(), { name: 'axis', value: i64([], [-1]), constant: true }], attrs: { exclusive: 1, reverse: 1 } },
  { name: 'TopK opset 1 (k attribute)', op: 'TopK', opset: 1, inputs: [X()], attrs: { k: 2, axis: 1 }, outputs: ['v', 'i'] },
  { name: 'TopK opset 10 (k input)', op: 'TopK', opset: 10, inputs: [X(), { name: 'k', value: i64([1], [3]) }], outputs: ['v', 'i'] },
  {
    name: 'TopK opset 11 smallest with ties', op: 'TopK', opset: 11,
    inputs: [X(Tensor.fromNumbers('f32', [2, 4], [3, 1, 1, 2, 5, 5, 5, 0])), { name: 'k', value: i64([1], [3]), constant: true }],
    attrs: { axis: -1, largest: 0 }, outputs: ['v', 'i'],
  },
];

const scores = randomTensor([3, 5, 2], 11, 4);
const labels = i64([3, 2], [0, 4, 2, -1, 1, 3]);
const weights = new Tensor('f32', [5], new Float32Array([0.5, 1, 2, 0.25, 1.5]));
const LOSS_CASES: Case[] = [];
for (const reduction of ['none', 'sum', 'mean']) {
  for (const [label, withWeight, ii] of [['', false, undefined], [' weighted', true, undefined], [' ignore_index', false, -1], [' weighted ignore_index', true, 2]] as const) {
    const attrs: Record<string, OnnxAttrValue> = { reduction };
    if (ii !== undefined) attrs['ignore_index'] = ii;
    const targets = ii === undefined ? i64([3, 2], [0, 4, 2, 3, 1, 3]) : labels;
    const w: Operand | null = withWeight ? { name: 'w', value: weights, constant: true } : null;
    LOSS_CASES.push(
      { name: `NLL ${reduction}${label}`, op: 'NegativeLogLikelihoodLoss', opset: 13, inputs: [X(scores), { name: 't', value: targets }, w], attrs },
      { name: `SCE ${reduction}${label}`, op: 'SoftmaxCrossEntropyLoss', opset: 13, inputs: [X(scores), { name: 't', value: targets }, w], attrs, outputs: ['y', 'log_prob'] },
    );
  }
}
LOSS_CASES.push({
  name: 'SCE symbolic dims', op: 'SoftmaxCrossEntropyLoss', opset: 13,
  inputs: [{ name: 'x', value: scores, symbolic: true }, { name: 't', value: labels, symbolic: true }], attrs: { ignore_index: -1 }, outputs: ['y', 'log_prob'],
});
LOSS_CASES.push({ name: 'NLL 2-D input, i32 targets', op: 'NegativeLogLikelihoodLoss', opset: 13, inputs: [X(randomTensor([4, 3], 3, 4)), { name: 't', value: Tensor.fromNumbers('i32', [4], [2, 0, 1, 2]) }] });

async function check(c: Case): Promise<void> {
  await expectMatchesOrt(c, { rtol: 1e-5, atol: 1e-6 });
}

describe('reduction importers match onnxruntime', () => {
  it.each(REDUCE_CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => check(c));
  it.each(OTHER_CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => check(c));
  it.each(LOSS_CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => check(c));
});
