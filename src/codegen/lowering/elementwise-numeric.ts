// Scalar helpers shared by the elementwise and reduction lowering rules: constants of a compute
// type, and the rounding/wrapping that makes an in-register value equal to what the reference
// kernels store (narrow integers wrap, f16/bf16 round).
import type { DType } from '../../ir/dtype.js';
import { binary, constant, i32, select, unary } from '../expr.js';
import type { Expr, ScalarType } from '../kernel-ir.js';
import type { LowerContext } from './registry.js';

export const isFloatType = (t: ScalarType): boolean => t === 'f32' || t === 'f64';
export const isWideType = (t: ScalarType): boolean => t === 'i64' || t === 'u64';
export const isUnsignedType = (t: ScalarType): boolean => t === 'u32' || t === 'u64';

/** The constant `v` in compute type `t` (bigints for 64-bit integers). */
export const num = (t: ScalarType, v: number): Expr => constant(t, isWideType(t) ? BigInt(v) : v);

/**
 * Wraps an i32 value to a narrow integer dtype the way typed-array stores do (i8/i16 sign-extend
 * their low bits, u8/u16 keep them); every other dtype is returned as is.
 */
export function wrapInt(e: Expr, dtype: DType): Expr {
  switch (dtype) {
    case 'i8': return binary('shr', binary('shl', e, i32(24), 'i32'), i32(24), 'i32');
    case 'i16': return binary('shr', binary('shl', e, i32(16), 'i32'), i32(16), 'i32');
    case 'u8': return binary('and', e, i32(0xff), 'i32');
    case 'u16': return binary('and', e, i32(0xffff), 'i32');
    default: return e;
  }
}

const bitsOf = (x: Expr): Expr => ({ k: 'bitcast', a: x, from: 'f32', t: 'i32' });
const floatOf = (b: Expr): Expr => ({ k: 'bitcast', a: b, from: 'i32', t: 'f32' });

/**
 * Rounds an f32 value to the nearest f16 value (ties to even), keeping it in f32: what storing
 * it in an f16 tensor and reading it back gives. Overflow gives ±inf, NaN stays NaN.
 */
export function roundToF16(ctx: LowerContext, value: Expr): Expr {
  const x = ctx.bind(value, 'f32');
  const bits = ctx.bind(bitsOf(x), 'i32');
  const sign = binary('and', bits, i32(-0x80000000), 'i32');
  // Normal f16 range: round the f32 mantissa to 10 bits (a carry may bump the exponent).
  const lsb = binary('and', binary('shr', bits, i32(13), 'i32'), i32(1), 'i32');
  const normal = floatOf(binary('and', binary('add', binary('add', bits, i32(0xfff), 'i32'), lsb, 'i32'), i32(~0x1fff), 'i32'));
  // Subnormal f16 range: multiples of 2^-24; adding 0.5 (whose f32 ulp is 2^-24) rounds there.
  const ax = ctx.bind(unary('abs', x, 'f32'), 'f32');
  const tiny = binary('sub', binary('add', ax, num('f32', 0.5), 'f32'), num('f32', 0.5), 'f32');
  const subnormal = floatOf(binary('or', bitsOf(tiny), sign, 'i32'));
  const rounded = ctx.bind(select(binary('lt', ax, num('f32', 2 ** -14), 'f32'), subnormal, normal, 'f32'), 'f32');
  const inf = floatOf(binary('or', i32(0x7f800000), sign, 'i32'));
  const finite = select(binary('gt', unary('abs', rounded, 'f32'), num('f32', 65504), 'f32'), inf, rounded, 'f32');
  return select(binary('ne', x, x, 'f32'), x, finite, 'f32');
}

/** Rounds an f32 value to the nearest bf16 value (ties to even), keeping it in f32. */
export function roundToBf16(ctx: LowerContext, value: Expr): Expr {
  const x = ctx.bind(value, 'f32');
  const bits = ctx.bind(bitsOf(x), 'i32');
  const lsb = binary('and', binary('shr', bits, i32(16), 'i32'), i32(1), 'i32');
  const rounded = floatOf(binary('and', binary('add', binary('add', bits, i32(0x7fff), 'i32'), lsb, 'i32'), i32(-0x10000), 'i32'));
  return select(binary('ne', x, x, 'f32'), x, rounded, 'f32');
}

/** Rounds an f32 value held for an f16/bf16 tensor to that dtype's precision; others pass. */
export function roundToDType(ctx: LowerContext, e: Expr, dtype: DType): Expr {
  if (dtype === 'f16') return roundToF16(ctx, e);
  if (dtype === 'bf16') return roundToBf16(ctx, e);
  return e;
}

/**
 * A finite f64 `value` truncated toward zero and reduced modulo 2^32, as an i32; NaN and ±inf
 * give 0. This is what a JS typed-array store into a ≤32-bit integer array does.
 */
export function f64ToInt32Modular(ctx: LowerContext, value: Expr): Expr {
  const t = ctx.bind(unary('trunc', value, 'f64'), 'f64');
  const at = ctx.bind(unary('abs', t, 'f64'), 'f64');
  const direct: Expr = { k: 'cast', a: t, from: 'f64', t: 'i64' };
  // |t| ≥ 2^63: t mod 2^64 is exact in f64 there (t is a multiple of 2^11) and fits u64.
  const two64 = num('f64', 2 ** 64);
  const reduced = binary('sub', t, binary('mul', two64, unary('floor', binary('div', t, two64, 'f64'), 'f64'), 'f64'), 'f64');
  const viaU64: Expr = { k: 'cast', a: reduced, from: 'f64', t: 'u64' };
  const wide = select(binary('lt', at, num('f64', 2 ** 63), 'f64'), direct, { k: 'cast', a: viaU64, from: 'u64', t: 'i64' }, 'i64');
  const low: Expr = { k: 'cast', a: wide, from: 'i64', t: 'i32' };
  return select(binary('lt', at, num('f64', Infinity), 'f64'), low, i32(0), 'i32');
}
