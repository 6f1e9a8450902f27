// Lowering rules: reduce_sum, reduce_prod, reduce_mean, reduce_max, reduce_min. Each output
// element loops over the reduced axes with an accumulator, in the reference's order (row-major
// over the reduced elements) and precision (float sums, products and means in f64).
import { isBigInt, isFloat, type DType } from '../../ir/dtype.js';
import type { Node } from '../../ir/graph.js';
import { reductionAxes } from '../../ir/ops/reduction.js';
import { staticSize } from '../../ir/types.js';
import { binary, cast, cmp, i32, select } from '../expr.js';
import { computeType, type Expr, type ScalarType } from '../kernel-ir.js';
import { asComputeType } from './elementwise-cast.js';
import { f64ToInt32Modular, isFloatType, num, wrapInt } from './elementwise-numeric.js';
import { defineLowering, type LowerContext } from './registry.js';
import { pick, runtimeSpace, staticSpace, type ReductionSpace } from './reduction-space.js';
import './reduction-arg.js';
import './reduction-cumsum.js';

type ReduceKind = 'sum' | 'prod' | 'mean' | 'max' | 'min';

const INT_LIMITS: Partial<Record<DType, readonly [number | bigint, number | bigint]>> = {
  i8: [-128, 127], i16: [-32768, 32767], i32: [-(2 ** 31), 2 ** 31 - 1],
  u8: [0, 255], u16: [0, 65535], u32: [0, 2 ** 32 - 1], bool: [0, 1],
  i64: [-(2n ** 63n), 2n ** 63n - 1n], u64: [0n, 2n ** 64n - 1n],
};

/** The type the accumulator holds: f64 for float sums/products/means and ≤32-bit integer means. */
function accumulatorType(kind: ReduceKind, dtype: DType): ScalarType {
  const t = computeType(dtype);
  if (kind === 'max' || kind === 'min' || isBigInt(dtype)) return t;
  if (isFloat(dtype) || kind === 'mean') return 'f64';
  return t;
}

/** What an empty reduction gives, and where the accumulator starts. */
function identity(kind: ReduceKind, dtype: DType, t: ScalarType): Expr {
  switch (kind) {
    case 'sum': case 'mean': return num(t, 0);
    case 'prod': return num(t, 1);
    case 'max': case 'min': {
      const limits = INT_LIMITS[dtype];
      if (!limits) return num(t, kind === 'max' ? -Infinity : Infinity);
      return { k: 'const', t, v: limits[kind === 'max' ? 0 : 1] };
    }
  }
}

/** The accumulator after one more element `v` (already in the accumulator's type). */
function update(kind: ReduceKind, acc: Expr, v: Expr, t: ScalarType): Expr {
  switch (kind) {
    case 'sum': case 'mean': return binary('add', acc, v, t);
    case 'prod': return binary('mul', acc, v, t);
    case 'max': case 'min': {
      const better = binary(kind === 'max' ? 'gt' : 'lt', v, acc, t);
      // A NaN replaces the accumulator and then sticks (nothing compares greater than NaN).
      const take = isFloatType(t) ? binary('or', better, binary('ne', v, v, t), 'i32') : better;
      return select(take, v, acc, t);
    }
  }
}

/**
 * What the reduce node reduces: the identity (`'noop'`), compile-time axes, or axes read at run
 * time from a non-constant axes operand (only its length must be static).
 */
function spaceOf(ctx: LowerContext, node: Node, shape: readonly number[], idx: readonly Expr[], keepdims: boolean): ReductionSpace | 'noop' {
  const operand = node.inputs[1] ?? null;
  const axes = operand ? ctx.constant(operand) : undefined;
  if (operand && !axes && staticSize(ctx.shape(operand)) > 0) return runtimeSpace(ctx, shape, operand, idx, keepdims);
  const list = reductionAxes(axes ?? null, shape.length, node.attrs);
  return list === 'noop' ? 'noop' : staticSpace(ctx, shape, list, idx, keepdims);
}

function lowerReduce(kind: ReduceKind) {
  return (ctx: LowerContext, node: Node, idx: readonly Expr[]): Expr => {
    const x = node.inputs[0];
    if (!x) throw new Error(`${node.op}: data input is missing`);
    const shape = ctx.shape(x);
    const keepdims = (node.attrs['keepdims'] ?? 1) !== 0;
    const space = spaceOf(ctx, node, shape, idx, keepdims);
    if (space === 'noop') return ctx.value(x, idx);
    const dtype = x.type.dtype;
    const t = computeType(dtype);
    const at = accumulatorType(kind, dtype);
    const acc = ctx.fresh('acc');
    const accVar: Expr = { k: 'var', name: acc, t: at };
    ctx.emit({ k: 'var', name: acc, value: identity(kind, dtype, at) });
    space.forEach((inputIdx) => {
      const v = ctx.bind(cast(ctx.value(x, inputIdx), t, at), at);
      ctx.emit({ k: 'assign', name: acc, value: update(kind, accVar, v, at) });
    });
    return finish(ctx, kind, accVar, space.count, dtype);
  };
}

/** Converts the accumulator to the result's compute type (means divide first). */
function finish(ctx: LowerContext, kind: ReduceKind, acc: Expr, count: Expr | number, dtype: DType): Expr {
  const t = computeType(dtype);
  if (kind === 'mean') {
    // An empty mean is 0/0: NaN for floats, 0 for integers (which have no NaN).
    if (count === 0) return num(t, isFloat(dtype) ? NaN : 0);
    const n = typeof count === 'number' ? i32(count) : count;
    if (isBigInt(dtype)) return binary('div', acc, cast(pick(cmp('eq', n, i32(0)), i32(1), n), 'i32', t), t);
    const mean = binary('div', acc, cast(n, 'i32', 'f64'), 'f64');
    if (isFloat(dtype)) return cast(mean, 'f64', t);
    return asComputeType(wrapInt(f64ToInt32Modular(ctx, mean), dtype), dtype);
  }
  if (kind === 'max' || kind === 'min') return acc;
  if (isFloat(dtype)) return cast(acc, 'f64', t);
  return wrapInt(acc, dtype);
}

for (const kind of ['sum', 'prod', 'mean', 'max', 'min'] as const) defineLowering(`reduce_${kind}`, lowerReduce(kind));
