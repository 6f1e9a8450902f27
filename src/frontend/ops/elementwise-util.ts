// Helpers shared by the elementwise importers.
import type { DType } from '../../ir/dtype.js';
import type { Value } from '../../ir/graph.js';
import type { ImportContext } from '../registry.js';
import { numericScalar } from './required-inputs.js';

/** Input `i`, which the op requires. */
export function requireInput(ctx: ImportContext, inputs: readonly (Value | null)[], i: number): Value {
  const v = inputs[i];
  if (!v) ctx.invalid(`${ctx.node.opType} needs input ${i}`);
  return v;
}

/** A rank-0 constant of `dtype` (it broadcasts against anything). */
export function scalarConst(ctx: ImportContext, dtype: DType, value: number): Value {
  return numericScalar(ctx, dtype, value);
}

/** A rank-0 constant of `x`'s dtype. */
export function scalarLike(ctx: ImportContext, x: Value, value: number): Value {
  return scalarConst(ctx, x.type.dtype, value);
}

/** Emits a binary op against a scalar constant of `x`'s dtype. */
export function withScalar(ctx: ImportContext, op: string, x: Value, value: number): Value {
  return ctx.op1(op, [x, scalarLike(ctx, x, value)]);
}

/** Folds a variadic ONNX op (Sum, Max, Min) into a chain of binary IR ops. */
export function foldVariadic(ctx: ImportContext, op: string, inputs: readonly (Value | null)[]): Value {
  const vals = inputs.filter((v): v is Value => v !== null);
  if (vals.length === 0) ctx.invalid(`${ctx.node.opType} needs at least one input`);
  let acc = vals[0]!;
  for (let i = 1; i < vals.length; i++) acc = ctx.op1(op, [acc, vals[i]!]);
  return acc;
}
