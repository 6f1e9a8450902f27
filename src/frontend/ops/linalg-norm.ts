// ONNX importers: BatchNormalization, InstanceNormalization, LayerNormalization,
// GroupNormalization, MeanVarianceNormalization, LRN — all decomposed into reduce_* and
// elementwise IR ops (LRN's cross-channel window sum is an avg_pool over the channel axis).
import type { DType } from '../../ir/dtype.js';
import { isFloat } from '../../ir/dtype.js';
import type { Value } from '../../ir/graph.js';
import { Tensor } from '../../ir/tensor.js';
import { defineImporter, type ImportContext } from '../registry.js';
import { bin, cast, channelVector, i64s, range, requireRank, required, scalar, withScalar } from './linalg-util.js';

const KEEP = { keepdims: 1, noop_with_empty_axes: 0 };

/** Mean over `axes` (kept as unit dims). */
function mean(ctx: ImportContext, x: Value, axes: readonly number[]): Value {
  return ctx.op1('reduce_mean', [x, i64s(ctx, axes)], KEEP);
}

/** (x - mean) and the biased variance over `axes`, both with the reduced axes kept. */
function centeredAndVariance(ctx: ImportContext, x: Value, axes: readonly number[]): { mu: Value; centered: Value; variance: Value } {
  const mu = mean(ctx, x, axes);
  const centered = bin(ctx, 'sub', x, mu);
  const variance = mean(ctx, bin(ctx, 'mul', centered, centered), axes);
  return { mu, centered, variance };
}

/** 1 / sqrt(variance + epsilon). */
function invStdDev(ctx: ImportContext, variance: Value, epsilon: number): Value {
  return ctx.op1('reciprocal', [ctx.op1('sqrt', [withScalar(ctx, 'add', variance, epsilon)])]);
}

/** Per-channel scale and shift folded at import time: a = s / sqrt(v + eps), b = bias - m * a. */
function foldedBatchNorm(s: Tensor, bias: Tensor, m: Tensor, v: Tensor, epsilon: number, dtype: DType, shape: number[]): [Tensor, Tensor] {
  const c = s.size;
  const a = new Float64Array(c);
  const b = new Float64Array(c);
  for (let i = 0; i < c; i++) {
    a[i] = s.getNumber(i) / Math.sqrt(v.getNumber(i) + epsilon);
    b[i] = bias.getNumber(i) - m.getNumber(i) * a[i]!;
  }
  return [Tensor.fromNumbers(dtype, shape, a), Tensor.fromNumbers(dtype, shape, b)];
}

defineImporter('BatchNormalization', (ctx, inputs) => {
  const x = required(ctx, inputs, 0, 'X');
  const scale = required(ctx, inputs, 1, 'scale');
  const bias = required(ctx, inputs, 2, 'B');
  const inMean = required(ctx, inputs, 3, 'input_mean');
  const inVar = required(ctx, inputs, 4, 'input_var');
  const epsilon = ctx.attrFloat('epsilon', 1e-5);
  const rank = requireRank(ctx, x, 'X');
  const spatial = rank - 2;
  const training = ctx.opset >= 14 ? ctx.attrInt('training_mode', 0) !== 0 : (ctx.node.outputs[1] ?? '') !== '';
  const perChannel = (v: Value): Value => channelVector(ctx, v, Math.max(0, spatial));

  if (!training) {
    const consts = [scale, bias, inMean, inVar].map((v) => ctx.constValue(v));
    if (consts.every((t) => t !== undefined) && rank >= 2) {
      const shape = [consts[0]!.size, ...new Array<number>(spatial).fill(1)];
      const [a, b] = foldedBatchNorm(consts[0]!, consts[1]!, consts[2]!, consts[3]!, epsilon, x.type.dtype, shape);
      return [bin(ctx, 'add', bin(ctx, 'mul', x, ctx.constant(a)), ctx.constant(b))];
    }
    const a = bin(ctx, 'mul', perChannel(scale), invStdDev(ctx, perChannel(inVar), epsilon));
    return [bin(ctx, 'add', bin(ctx, 'mul', bin(ctx, 'sub', x, perChannel(inMean)), a), perChannel(bias))];
  }

  // Training mode: normalise with the batch statistics and update the running ones.
  const axes = [0, ...range(2, rank)];
  const { centered, mu, variance } = centeredAndVariance(ctx, x, axes);
  const y = bin(ctx, 'add', bin(ctx, 'mul', bin(ctx, 'mul', centered, invStdDev(ctx, variance, epsilon)), perChannel(scale)), perChannel(bias));
  const momentum = ctx.attrFloat('momentum', 0.9);
  const running = (old: Value, batch: Value): Value => {
    const flat = ctx.op1('squeeze', [batch, i64s(ctx, axes)]);
    return bin(ctx, 'add', withScalar(ctx, 'mul', old, momentum), withScalar(ctx, 'mul', flat, 1 - momentum));
  };
  const outs = [y, running(inMean, mu), running(inVar, variance)];
  // Before opset 14 training mode also exposes the batch statistics (saved_mean, saved_var).
  if (ctx.opset < 14) outs.push(ctx.op1('squeeze', [mu, i64s(ctx, axes)]), ctx.op1('squeeze', [variance, i64s(ctx, axes)]));
  return outs;
});

defineImporter('InstanceNormalization', (ctx, inputs) => {
  const x = required(ctx, inputs, 0, 'input');
  const scale = required(ctx, inputs, 1, 'scale');
  const bias = required(ctx, inputs, 2, 'B');
  const rank = requireRank(ctx, x, 'input');
  const { centered, variance } = centeredAndVariance(ctx, x, range(2, rank));
  const normed = bin(ctx, 'mul', centered, invStdDev(ctx, variance, ctx.attrFloat('epsilon', 1e-5)));
  return [bin(ctx, 'add', bin(ctx, 'mul', normed, channelVector(ctx, scale, rank - 2)), channelVector(ctx, bias, rank - 2))];
});

/** The computation type of stash_type: f32 (1) lifts f16/bf16 inputs; other values keep the input type. */
function stashType(ctx: ImportContext, x: Value): DType {
  const stash = ctx.attrInt('stash_type', 1);
  return stash === 1 && (x.type.dtype === 'f16' || x.type.dtype === 'bf16') ? 'f32' : x.type.dtype;
}

defineImporter('LayerNormalization', (ctx, inputs) => {
  const x = required(ctx, inputs, 0, 'X');
  const scale = required(ctx, inputs, 1, 'Scale');
  const bias = inputs[2] ?? null;
  const rank = requireRank(ctx, x, 'X');
  let axis = ctx.attrInt('axis', -1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) ctx.invalid(`axis ${ctx.attrInt('axis', -1)} out of range for rank ${rank}`);
  const dt = x.type.dtype;
  const xs = cast(ctx, x, stashType(ctx, x));
  const { mu, centered, variance } = centeredAndVariance(ctx, xs, range(axis, rank));
  const inv = invStdDev(ctx, variance, ctx.attrFloat('epsilon', 1e-5));
  let y = cast(ctx, bin(ctx, 'mul', centered, inv), dt);
  y = bin(ctx, 'mul', y, scale);
  if (bias) y = bin(ctx, 'add', y, bias);
  return [y, mu, inv];
});

// GroupNormalization: statistics over [N, G, C/G * spatial]; opset 18 scales per group, 21 per channel.
defineImporter('GroupNormalization', (ctx, inputs) => {
  const x = required(ctx, inputs, 0, 'X');
  const scale = required(ctx, inputs, 1, 'scale');
  const bias = required(ctx, inputs, 2, 'bias');
  const rank = requireRank(ctx, x, 'X');
  const groups = ctx.attrInt('num_groups');
  const dt = x.type.dtype;
  const xs = cast(ctx, x, ctx.opset >= 21 ? stashType(ctx, x) : dt);
  const grouped = ctx.op1('reshape', [xs, i64s(ctx, [0, groups, -1])]);
  const { centered, variance } = centeredAndVariance(ctx, grouped, [2]);
  let normed = bin(ctx, 'mul', centered, invStdDev(ctx, variance, ctx.attrFloat('epsilon', 1e-5)));
  if (ctx.opset < 21) {
    normed = bin(ctx, 'add', bin(ctx, 'mul', normed, channelVector(ctx, scale, 1)), channelVector(ctx, bias, 1));
  }
  const shape = ctx.op1('shape', [x]);
  let y = cast(ctx, ctx.op1('reshape', [normed, shape]), dt);
  if (ctx.opset >= 21) {
    y = bin(ctx, 'add', bin(ctx, 'mul', y, channelVector(ctx, scale, rank - 2)), channelVector(ctx, bias, rank - 2));
  }
  return [y];
});

// MeanVarianceNormalization, as its ONNX function body: (x - E[x]) / (sqrt(E[x²] - E[x]²) + 1e-9).
defineImporter('MeanVarianceNormalization', (ctx, inputs) => {
  const x = required(ctx, inputs, 0, 'X');
  const axes = ctx.attrInts('axes', [0, 2, 3]);
  const mu = mean(ctx, x, axes);
  const meanOfSquares = mean(ctx, bin(ctx, 'mul', x, x), axes);
  const variance = bin(ctx, 'sub', meanOfSquares, bin(ctx, 'mul', mu, mu));
  const std = withScalar(ctx, 'add', ctx.op1('sqrt', [variance]), 1e-9);
  return [bin(ctx, 'div', bin(ctx, 'sub', x, mu), std)];
});

// LRN: y = x / (bias + alpha/size * Σ x²)^beta, the sum over a channel window of `size`. The
// window sum is an avg_pool (count_include_pad) over the channel axis of x² unsqueezed to
// [N, 1, C, ...], which yields Σ/size directly.
defineImporter('LRN', (ctx, inputs) => {
  const x = required(ctx, inputs, 0, 'X');
  if (!isFloat(x.type.dtype)) ctx.invalid(`LRN needs a float input, got ${x.type.dtype}`);
  const rank = requireRank(ctx, x, 'X');
  const size = ctx.attrInt('size');
  const alpha = ctx.attrFloat('alpha', 1e-4);
  const beta = ctx.attrFloat('beta', 0.75);
  const bias = ctx.attrFloat('bias', 1);
  const windowRank = rank - 1;
  const kernel = [size, ...new Array<number>(windowRank - 1).fill(1)];
  const before = Math.floor((size - 1) / 2);
  const after = Math.ceil((size - 1) / 2);
  const zeros = new Array<number>(windowRank - 1).fill(0);
  const squares = ctx.op1('unsqueeze', [bin(ctx, 'mul', x, x), i64s(ctx, [1])]);
  const windowMean = ctx.op1('avg_pool', [squares], {
    kernel_shape: kernel,
    strides: new Array<number>(windowRank).fill(1),
    dilations: new Array<number>(windowRank).fill(1),
    pads: [before, ...zeros, after, ...zeros],
    auto_pad: 'NOTSET',
    ceil_mode: 0,
    count_include_pad: 1,
  });
  const sum = ctx.op1('squeeze', [windowMean, i64s(ctx, [1])]);
  const denom = bin(ctx, 'pow', withScalar(ctx, 'add', withScalar(ctx, 'mul', sum, alpha), bias), scalar(ctx, x.type.dtype, beta));
  return [bin(ctx, 'div', x, denom)];
});
