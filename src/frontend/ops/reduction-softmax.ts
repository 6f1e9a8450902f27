// ONNX importers: Softmax, LogSoftmax, Hardmax, decomposed into reductions and elementwise ops.
import type { Value } from '../../ir/graph.js';
import { FOLD_MAX_ELEMENTS } from '../../ir/fold-constants.js';
import { Tensor } from '../../ir/tensor.js';
import { isStaticShape } from '../../ir/types.js';
import { defineImporter, type ImportContext } from '../registry.js';
import { i64Vector, scalarLike } from './reduction-util.js';

function rankOf(ctx: ImportContext, x: Value): number {
  if (!x.type.shape) return ctx.unsupported('the input rank must be known');
  return x.type.shape.length;
}

/**
 * The axes a softmax-like op normalises over. From opset 13 that is the single `axis` (default
 * -1); before, the input is seen as 2-D [outer, inner] split at `axis` (default 1), i.e. every
 * axis from `axis` on.
 */
function softmaxAxes(ctx: ImportContext, x: Value): number[] {
  if (ctx.opset >= 13) return [ctx.attrInt('axis', -1)];
  const rank = rankOf(ctx, x);
  let axis = ctx.attrInt('axis', 1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) ctx.invalid(`axis ${ctx.attrInt('axis', 1)} is out of range for rank ${rank}`);
  return Array.from({ length: rank - axis }, (_, i) => axis + i);
}

/** x - max(x) over `axes` and the sum of its exponentials (kept dims), shared by both softmaxes. */
function shiftedExp(ctx: ImportContext, x: Value, axes: Value): { shifted: Value; exp: Value; sum: Value } {
  const attrs = { keepdims: 1, noop_with_empty_axes: 0 };
  const max = ctx.op1('reduce_max', [x, axes], attrs);
  const shifted = ctx.op1('sub', [x, max]);
  const exp = ctx.op1('exp', [shifted]);
  const sum = ctx.op1('reduce_sum', [exp, axes], attrs);
  return { shifted, exp, sum };
}

export function logSoftmax(ctx: ImportContext, x: Value, axes: readonly number[]): Value {
  const { shifted, sum } = shiftedExp(ctx, x, i64Vector(ctx, axes));
  return ctx.op1('sub', [shifted, ctx.op1('log', [sum])]);
}

defineImporter('Softmax', (ctx, [x]) => {
  if (!x) return ctx.invalid('Softmax needs an input');
  const { exp, sum } = shiftedExp(ctx, x, i64Vector(ctx, softmaxAxes(ctx, x)));
  return [ctx.op1('div', [exp, sum])];
});

defineImporter('LogSoftmax', (ctx, [x]) => {
  if (!x) return ctx.invalid('LogSoftmax needs an input');
  return [logSoftmax(ctx, x, softmaxAxes(ctx, x))];
});

/**
 * Positions 0, 1, … along `axis` (i64), broadcastable against `x`: a constant when the extent is
 * static, else exclusive prefix sums of ones of x's shape.
 */
function iotaAlong(ctx: ImportContext, x: Value, axis: number): Value {
  const shape = x.type.shape!;
  const extent = shape[axis];
  if (typeof extent === 'number' && extent <= FOLD_MAX_ELEMENTS) {
    const iotaShape = shape.map((_, i) => (i === axis ? extent : 1));
    return ctx.constant(Tensor.fromBigInts('i64', iotaShape, Array.from({ length: extent }, (_, i) => BigInt(i))));
  }
  const ones = ctx.op1('constant_of_shape', [ctx.op1('shape', [x])], { value: Tensor.fromBigInts('i64', [1], [1n]) });
  return ctx.op1('cum_sum', [ones, i64Vector(ctx, [axis])], { exclusive: 1, reverse: 0 });
}

/** 1 at the first maximum along `axis`, 0 elsewhere: arg_max compared with an iota along the axis. */
function hardmaxAlong(ctx: ImportContext, x: Value, axis: number): Value {
  const rank = x.type.shape!.length;
  const a = axis < 0 ? axis + rank : axis;
  const argmax = ctx.op1('arg_max', [x], { axis: a, keepdims: 1, select_last_index: 0 });
  const hit = ctx.op1('equal', [iotaAlong(ctx, x, a), argmax]);
  return ctx.op1('select', [hit, scalarLike(ctx, x, 1), scalarLike(ctx, x, 0)]);
}

/** x viewed as 2-D [prod(dims before axis), prod(dims from axis)], the pre-13 softmax coercion. */
function flattenAt(ctx: ImportContext, x: Value, axis: number): Value {
  const shape = x.type.shape!;
  if (isStaticShape(shape)) {
    const outer = shape.slice(0, axis).reduce((p, d) => p * d, 1);
    const inner = shape.slice(axis).reduce((p, d) => p * d, 1);
    return ctx.op1('reshape', [x, i64Vector(ctx, [outer, inner])], { allowzero: 1 });
  }
  const all = { keepdims: 1, noop_with_empty_axes: 0 };
  const outer = ctx.op1('reduce_prod', [ctx.op1('shape', [x], { start: 0, end: axis })], all);
  const inner = ctx.op1('reduce_prod', [ctx.op1('shape', [x], { start: axis })], all);
  return ctx.op1('reshape', [x, ctx.op1('concat', [outer, inner], { axis: 0 })], { allowzero: 1 });
}

defineImporter('Hardmax', (ctx, [x]) => {
  if (!x) return ctx.invalid('Hardmax needs an input');
  const rank = rankOf(ctx, x);
  if (ctx.opset >= 13) {
    const axis = ctx.attrInt('axis', -1);
    if (axis < -rank || axis >= rank) ctx.invalid(`axis ${axis} is out of range for rank ${rank}`);
    return [hardmaxAlong(ctx, x, axis)];
  }
  // Before opset 13: one hardmax over the flattened [outer, inner] view split at `axis`.
  let axis = ctx.attrInt('axis', 1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) ctx.invalid(`axis ${ctx.attrInt('axis', 1)} is out of range for rank ${rank}`);
  const shape = x.type.shape!;
  const back = isStaticShape(shape) ? i64Vector(ctx, shape) : ctx.op1('shape', [x]);
  return [ctx.op1('reshape', [hardmaxAlong(ctx, flattenAt(ctx, x, axis), 1), back], { allowzero: 1 })];
});
