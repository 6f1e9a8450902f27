// Lowering of dtype conversions, matching the reference `castTensor`: floats → ≤32-bit ints
// truncate and wrap (NaN/inf → 0), → 64-bit ints saturate, → bool is x != 0 (NaN is true),
// → f16/bf16 round to nearest even, 64-bit ints → floats round through f64.
import { isBigInt, isFloat, isSignedInt, type DType } from '../../ir/dtype.js';
import { computeType, type Expr, type ScalarType } from '../kernel-ir.js';
import { binary, cast, select } from '../expr.js';
import { f64ToInt32Modular, num, roundToDType, wrapInt } from './elementwise-numeric.js';
import type { LowerContext } from './registry.js';

/** Converts `e` (an element of dtype `from`, in its compute type) to an element of dtype `to`. */
export function castElement(ctx: LowerContext, e: Expr, from: DType, to: DType): Expr {
  if (from === 'string' || to === 'string') throw new Error('casts from or to string are not supported by the code generator');
  if (from === to) return e;
  const ft = computeType(from);
  const tt = computeType(to);
  // An f16/bf16 source may be an unrounded fused intermediate: give it its stored precision first.
  const x = from === 'f16' || from === 'bf16' ? roundToDType(ctx, e, from) : e;
  if (to === 'bool') return binary('ne', x, num(ft, 0), ft);
  if (isFloat(to)) return roundToDType(ctx, toFloat(x, ft, tt), to);
  if (isBigInt(to)) return toWideInt(ctx, x, from, ft, tt);
  return asComputeType(wrapInt(toInt32Bits(ctx, x, ft), to), to);
}

/** Float target (f32 also for f16/bf16): 64-bit ints go through f64 like Number(bigint) does. */
function toFloat(x: Expr, ft: ScalarType, tt: ScalarType): Expr {
  if (ft === 'i64' || ft === 'u64') return cast(cast(x, ft, 'f64'), 'f64', tt);
  return cast(x, ft, tt);
}

/** i64/u64 target: floats saturate (the cast instruction does), signed sources saturate at 0 for u64. */
function toWideInt(ctx: LowerContext, x: Expr, from: DType, ft: ScalarType, tt: ScalarType): Expr {
  if (ft === 'i64' || ft === 'u64') return cast(x, ft, tt);
  if (ft === 'f32' || ft === 'f64') return cast(x, ft, tt);
  if (tt === 'u64' && isSignedInt(from)) {
    const v = ctx.bind(x, ft);
    return select(binary('lt', v, num(ft, 0), ft), num('u64', 0), cast(v, ft, tt), 'u64');
  }
  return cast(x, ft, tt);
}

/** The low 32 bits of the integer a ≤32-bit integer target keeps (as i32; narrow dtypes wrap after). */
function toInt32Bits(ctx: LowerContext, x: Expr, ft: ScalarType): Expr {
  if (ft === 'f32' || ft === 'f64') return f64ToInt32Modular(ctx, cast(x, ft, 'f64'));
  if (ft === 'i64' || ft === 'u64') return cast(x, ft, 'i32');
  // i32 ↔ u32 share their bits.
  return ft === 'u32' ? cast(x, 'u32', 'i32') : x;
}

/** Retags an i32-typed integer expression as the compute type of `to` (u32 keeps the bits). */
export function asComputeType(e: Expr, to: DType): Expr {
  const t = computeType(to);
  return t === 'u32' ? cast(e, 'i32', 'u32') : e;
}
