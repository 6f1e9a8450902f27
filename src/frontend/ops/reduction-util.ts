// Small constants shared by the reduction importers.
import type { Value } from '../../ir/graph.js';
import { Tensor } from '../../ir/tensor.js';
import type { ImportContext } from '../registry.js';
import { numericScalar } from './required-inputs.js';

/** An i64 1-D constant (axes, k, shapes). */
export function i64Vector(ctx: ImportContext, values: readonly number[]): Value {
  return ctx.constant(Tensor.fromBigInts('i64', [values.length], values.map((v) => BigInt(v))));
}

/** A scalar constant of `like`'s dtype, for arithmetic with `like`. */
export function scalarLike(ctx: ImportContext, like: Value, x: number): Value {
  return numericScalar(ctx, like.type.dtype, x);
}
