// Helpers shared by the movement importers: required inputs, i64 operands, attribute-or-input forms.
import type { Value } from '../../ir/graph.js';
import { Tensor } from '../../ir/tensor.js';
import type { ImportContext } from '../registry.js';

export function input(ctx: ImportContext, inputs: readonly (Value | null)[], i: number, what: string): Value {
  const v = inputs[i];
  if (!v) return ctx.invalid(`input ${i} (${what}) is missing`);
  return v;
}

/** An optional input: null when omitted (ONNX '' names). */
export function optional(inputs: readonly (Value | null)[], i: number): Value | null {
  return inputs[i] ?? null;
}

/** A number as an i64 bigint, saturating (INT64_MAX read as a double is 2^63, one past the top). */
export function toI64(v: number): bigint {
  if (v >= 2 ** 63) return 2n ** 63n - 1n;
  if (v <= -(2 ** 63)) return -(2n ** 63n);
  return BigInt(Math.trunc(v));
}

/** A constant i64 vector. */
export function i64Const(ctx: ImportContext, values: readonly number[]): Value {
  return ctx.constant(Tensor.fromBigInts('i64', [values.length], values.map(toI64)));
}

/** A constant i64 scalar. */
export function i64Scalar(ctx: ImportContext, value: number): Value {
  return ctx.constant(Tensor.fromBigInts('i64', [], [toI64(value)]));
}

/** An integer operand as i64 (ONNX allows i32 for Slice bounds and some indices). */
export function asI64(ctx: ImportContext, v: Value): Value {
  if (v.type.dtype === 'i64') return v;
  if (v.type.dtype !== 'i32') ctx.invalid(`expected an int32/int64 operand, got ${v.type.dtype}`);
  return ctx.op1('cast', [v], { to: 'i64' });
}

/** Known static dims of a value's shape, or undefined where the rank is unknown. */
export function shapeOf(v: Value): readonly (number | string)[] | undefined {
  return v.type.shape ?? undefined;
}

/** The constant behind a value as numbers, when it is constant. */
export function constNumbers(ctx: ImportContext, v: Value | null): number[] | undefined {
  const t = ctx.constValue(v);
  return t ? t.toNumbers() : undefined;
}
