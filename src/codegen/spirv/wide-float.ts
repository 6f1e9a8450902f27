// f64 storage with f32 compute: conversions between an f64's two little-endian words and f32,
// in integer arithmetic only (no dependence on how a device treats subnormal floats), as
// branch-free selects. Rounding is to nearest even; beyond f32 range gives ±inf or ±0.
import type { Val } from './module-types.js';
import type { ScalarOps } from './scalar-ops.js';
import { Glsl, Op } from './spirv-enums.js';

const SIGN = 0x80000000;
/** f64 exponent bias minus f32 exponent bias. */
const REBIAS = 1023 - 127;

/** f64 bits (lo, hi words, u32) → the nearest f32. */
export function f64WordsToF32(o: ScalarOps, lo: Val, hi: Val): Val {
  const u = (v: number): Val => o.c('u32', v);
  const sign = o.uand(hi, SIGN);
  const exp = o.uand(o.ushr(hi, 20), 0x7ff);
  const mantHi = o.uand(hi, 0xfffff);
  const m23 = o.uor(o.ushl(mantHi, 3), o.ushr(lo, 29));
  const rest = o.uand(lo, 0x1fffffff);
  const biased = o.bin(Op.ISub, o.bitcast(exp, 'i32'), o.c('i32', REBIAS));
  const oneIf = (cond: number): Val => o.select(cond, u(1), u(0));

  // Normal f32 results; a carry out of the mantissa bumps the exponent (up to inf), as it should.
  const half = u(0x10000000);
  const normalUp = o.orB(o.cmp('gt', rest, half), o.andB(o.cmp('eq', rest, half), o.toBool(o.uand(m23, 1))));
  const normal = o.bin(Op.IAdd, o.uor(sign, o.uor(o.ushl(o.asU32(biased), 23), m23)), oneIf(normalUp));

  // Subnormal f32 results: shift the 24-bit significand right by 1 - biased (≤ 24 matters).
  const shift = o.glsl(Glsl.UMin, o.asU32(o.bin(Op.ISub, o.c('i32', 1), biased)), u(24));
  const significand = o.uor(m23, u(0x800000));
  const q = o.ushr(significand, shift);
  const dropped = o.bin(Op.BitwiseAnd, significand, o.bin(Op.ISub, o.ushl(u(1), shift), u(1)));
  const halfUlp = o.ushl(u(1), o.bin(Op.ISub, shift, u(1)));
  const subUp = o.orB(o.cmp('gt', dropped, halfUlp),
    o.andB(o.cmp('eq', dropped, halfUlp), o.orB(o.toBool(rest), o.toBool(o.uand(q, 1)))));
  const tooSmall = o.orB(o.cmp('eq', exp, u(0)), o.cmp('gt', o.asU32(o.bin(Op.ISub, o.c('i32', 1), biased)), u(24)));
  const subnormal = o.select(tooSmall, sign, o.uor(sign, o.bin(Op.IAdd, q, oneIf(subUp))));

  const isSpecial = o.cmp('eq', exp, u(0x7ff));
  const isNan = o.andB(isSpecial, o.toBool(o.uor(mantHi, lo)));
  const inf = o.uor(sign, u(0x7f800000));
  let bits = o.select(o.cmp('le', biased, o.c('i32', 0)), subnormal, normal);
  bits = o.select(o.cmp('ge', biased, o.c('i32', 255)), inf, bits);
  bits = o.select(isSpecial, o.select(isNan, o.uor(sign, o.uor(u(0x7fc00000), m23)), inf), bits);
  return o.bitcast(bits, 'f32');
}

/** f32 → its exact f64 bits as [lo, hi] u32 words. */
export function f32ToF64Words(o: ScalarOps, x: Val): [Val, Val] {
  const u = (v: number): Val => o.c('u32', v);
  const b = o.asU32(x);
  const sign = o.uand(b, SIGN);
  const exp = o.uand(o.ushr(b, 23), 0xff);
  const mant = o.uand(b, 0x7fffff);
  // Subnormals: normalise by the position p of the leading one (exponent p - 149).
  const p = o.asU32(o.fb.glsl(Glsl.FindUMsb, 'i32', [mant.id]));
  const subExp = o.bin(Op.IAdd, p, u(REBIAS - 22));
  const subMant = o.uand(o.ushl(mant, o.glsl(Glsl.UMin, o.bin(Op.ISub, u(23), p), u(31))), 0x7fffff);
  const isSub = o.cmp('eq', exp, u(0));
  const e64 = o.select(isSub, subExp, o.bin(Op.IAdd, exp, u(REBIAS)));
  const m = o.select(isSub, subMant, mant);
  const hiFinite = o.uor(sign, o.uor(o.ushl(e64, 20), o.ushr(m, 3)));
  const loFinite = o.ushl(m, 29);
  const isZero = o.cmp('eq', o.uand(b, 0x7fffffff), u(0));
  const isSpecial = o.cmp('eq', exp, u(0xff));
  const hiSpecial = o.uor(o.uor(sign, u(0x7ff00000)), o.ushr(mant, 3));
  const hi = o.select(isSpecial, hiSpecial, o.select(isZero, sign, hiFinite));
  const lo = o.select(isSpecial, o.ushl(mant, 29), o.select(isZero, u(0), loFinite));
  return [lo, hi];
}
