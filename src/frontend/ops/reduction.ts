// ONNX importers: Reduce*, ArgMax/ArgMin, CumSum, TopK. Softmax-like ops and the losses are in
// reduction-softmax.ts and reduction-loss.ts.
import { isFloat } from '../../ir/dtype.js';
import type { Value } from '../../ir/graph.js';
import { defineImporter, type ImportContext } from '../registry.js';
import { i64Vector, scalarLike } from './reduction-util.js';
import './reduction-softmax.js';
import './reduction-loss.js';

export interface ReduceForm {
  /** i64 axes operand, or null (reduce all, or nothing with noop_with_empty_axes). */
  readonly axes: Value | null;
  readonly attrs: { keepdims: number; noop_with_empty_axes: number };
}

/**
 * Canonicalises a Reduce* node: axes come from the attribute before `axesInputSince` (13 for
 * ReduceSum, 18 for the others) and from input 1 after; both end up as an i64 operand.
 */
function reduceForm(ctx: ImportContext, inputs: readonly (Value | null)[], axesInputSince: number): ReduceForm {
  let axes: Value | null = null;
  if (ctx.opset >= axesInputSince) {
    axes = inputs[1] ?? null;
    if (axes && axes.type.dtype !== 'i64') ctx.invalid(`axes must be int64, got ${axes.type.dtype}`);
  } else {
    const list = ctx.attrInts('axes', []);
    if (list.length > 0) axes = i64Vector(ctx, list);
  }
  const noop = ctx.opset >= axesInputSince ? ctx.attrInt('noop_with_empty_axes', 0) : 0;
  return { axes, attrs: { keepdims: ctx.attrInt('keepdims', 1), noop_with_empty_axes: noop } };
}

function dataOf(ctx: ImportContext, inputs: readonly (Value | null)[]): Value {
  const x = inputs[0];
  if (!x) return ctx.invalid('the data input is missing');
  return x;
}

/** Emits reduce_<kind>(x) in the node's canonical form. */
function reduce(ctx: ImportContext, kind: string, x: Value, f: ReduceForm, keepdims = f.attrs.keepdims): Value {
  return ctx.op1(`reduce_${kind}`, f.axes ? [x, f.axes] : [x], { ...f.attrs, keepdims });
}

/**
 * Runs `body` in floating point: integer inputs go through f64 and the result is cast back
 * (NumPy's reference computes sqrt/log/exp of integers in float and truncates).
 */
function inFloat(ctx: ImportContext, x: Value, body: (xf: Value) => Value): Value {
  if (isFloat(x.type.dtype)) return body(x);
  const xf = ctx.op1('cast', [x], { to: 'f64' });
  return ctx.op1('cast', [body(xf)], { to: x.type.dtype });
}

type ReduceImporter = (ctx: ImportContext, x: Value, f: ReduceForm) => Value;

const REDUCERS: Record<string, ReduceImporter> = {
  ReduceSum: (ctx, x, f) => reduce(ctx, 'sum', x, f),
  ReduceMean: (ctx, x, f) => reduce(ctx, 'mean', x, f),
  ReduceMax: (ctx, x, f) => reduce(ctx, 'max', x, f),
  ReduceMin: (ctx, x, f) => reduce(ctx, 'min', x, f),
  ReduceProd: (ctx, x, f) => reduce(ctx, 'prod', x, f),
  ReduceL1: (ctx, x, f) => reduce(ctx, 'sum', ctx.op1('abs', [x]), f),
  ReduceSumSquare: (ctx, x, f) => reduce(ctx, 'sum', ctx.op1('mul', [x, x]), f),
  ReduceL2: (ctx, x, f) => inFloat(ctx, x, (xf) => ctx.op1('sqrt', [reduce(ctx, 'sum', ctx.op1('mul', [xf, xf]), f)])),
  ReduceLogSum: (ctx, x, f) => inFloat(ctx, x, (xf) => ctx.op1('log', [reduce(ctx, 'sum', xf, f)])),
  ReduceLogSumExp: (ctx, x, f) => inFloat(ctx, x, (xf) => logSumExp(ctx, xf, f)),
};

/**
 * log(sum(exp(x))) computed as m + log(sum(exp(x - m))) with m the max, so large inputs don't
 * overflow. Where m is infinite (all -inf, or an inf present) it is replaced by 0: the shifted
 * form would give inf - inf = NaN there, the plain form is right.
 */
function logSumExp(ctx: ImportContext, x: Value, f: ReduceForm): Value {
  const zero = scalarLike(ctx, x, 0);
  const finiteMax = (keepdims: number): Value => {
    const m = reduce(ctx, 'max', x, f, keepdims);
    return ctx.op1('select', [ctx.op1('is_inf', [m]), zero, m]);
  };
  const shifted = ctx.op1('exp', [ctx.op1('sub', [x, finiteMax(1)])]);
  const logSum = ctx.op1('log', [reduce(ctx, 'sum', shifted, f)]);
  return ctx.op1('add', [logSum, f.attrs.keepdims ? finiteMax(1) : finiteMax(0)]);
}

for (const [opType, lower] of Object.entries(REDUCERS)) {
  const axesInputSince = opType === 'ReduceSum' ? 13 : 18;
  defineImporter(opType, (ctx, inputs) => {
    const x = dataOf(ctx, inputs);
    return [lower(ctx, x, reduceForm(ctx, inputs, axesInputSince))];
  });
}

for (const [opType, op] of [['ArgMax', 'arg_max'], ['ArgMin', 'arg_min']] as const) {
  defineImporter(opType, (ctx, inputs) => {
    const x = dataOf(ctx, inputs);
    return [ctx.op1(op, [x], {
      axis: ctx.attrInt('axis', 0),
      keepdims: ctx.attrInt('keepdims', 1),
      select_last_index: ctx.opset >= 12 ? ctx.attrInt('select_last_index', 0) : 0,
    })];
  });
}

defineImporter('CumSum', (ctx, inputs) => {
  const x = dataOf(ctx, inputs);
  const axis = inputs[1];
  if (!axis) return ctx.invalid('CumSum needs an axis input');
  return [ctx.op1('cum_sum', [x, axis], { exclusive: ctx.attrInt('exclusive', 0), reverse: ctx.attrInt('reverse', 0) })];
});

defineImporter('TopK', (ctx, inputs) => {
  const x = dataOf(ctx, inputs);
  let k: Value;
  if (ctx.opset < 10) {
    k = i64Vector(ctx, [ctx.attrInt('k')]);
  } else {
    const given = inputs[1];
    if (!given) return ctx.invalid('TopK needs a k input');
    k = given;
  }
  const attrs = {
    axis: ctx.attrInt('axis', -1),
    largest: ctx.opset >= 11 ? ctx.attrInt('largest', 1) : 1,
    sorted: ctx.opset >= 11 ? ctx.attrInt('sorted', 1) : 1,
  };
  return ctx.op('top_k', [x, k], attrs, { numOutputs: 2 });
});
