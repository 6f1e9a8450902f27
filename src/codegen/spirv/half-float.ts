// f16 and bf16 storage conversions in integer arithmetic (exact; round to nearest even), as
// branch-free selects: the same results as the CPU's and the WGSL emitter's helpers, on any
// device, whatever it does with subnormals.
import type { Val } from './module-types.js';
import type { ScalarOps } from './scalar-ops.js';
import { Glsl, Op } from './spirv-enums.js';

/** f16 bits (low 16 bits of a u32) → f32, exact. */
export function f16BitsToF32(o: ScalarOps, h: Val): Val {
  const u = (v: number): Val => o.c('u32', v);
  const sign = o.ushl(o.uand(h, 0x8000), 16);
  const exp = o.uand(o.ushr(h, 10), 0x1f);
  const mant = o.uand(h, 0x3ff);
  // Subnormals and zero: m · 2^-24, then the sign.
  const small = o.asU32(o.bin(Op.FMul, o.convert(mant, 'f32'), o.c('f32', 2 ** -24)));
  const subnormal = o.uor(small, sign);
  const special = o.uor(o.uor(sign, u(0x7f800000)), o.ushl(mant, 13));
  const normal = o.uor(o.uor(sign, o.ushl(o.bin(Op.IAdd, exp, u(112)), 23)), o.ushl(mant, 13));
  const bits = o.select(o.cmp('eq', exp, u(0)), subnormal, o.select(o.cmp('eq', exp, u(31)), special, normal));
  return o.bitcast(bits, 'f32');
}

/** f32 → f16 bits (u32): round to nearest even, overflow to ±inf, NaN to a quiet NaN. */
export function f32ToF16Bits(o: ScalarOps, x: Val): Val {
  const u = (v: number): Val => o.c('u32', v);
  const b = o.asU32(x);
  const sign = o.uand(o.ushr(b, 16), 0x8000);
  const a = o.uand(b, 0x7fffffff);
  // Below the smallest normal f16: scale so that one f16 subnormal step is 1, round to even.
  const scaled = o.bin(Op.FMul, o.bitcast(a, 'f32'), o.c('f32', 2 ** 24));
  const subnormal = o.uor(sign, o.fb.val(Op.ConvertFToU, 'u32', [o.glsl(Glsl.RoundEven, scaled).id]));
  const r = o.bin(Op.ISub, a, u(0x38000000));
  const normal = o.uor(sign, o.ushr(o.bin(Op.IAdd, r, o.bin(Op.IAdd, u(0xfff), o.uand(o.ushr(r, 13), 1))), 13));
  let bits = o.select(o.cmp('lt', a, u(0x38800000)), subnormal, normal);
  bits = o.select(o.cmp('ge', a, u(0x477ff000)), o.uor(sign, u(0x7c00)), bits);
  return o.select(o.cmp('gt', a, u(0x7f800000)), o.uor(sign, u(0x7e00)), bits);
}

/** f32 → bf16 bits (u32): round to nearest even; NaN keeps its sign as a quiet NaN. */
export function f32ToBf16Bits(o: ScalarOps, x: Val): Val {
  const b = o.asU32(x);
  const rounded = o.uand(o.ushr(o.bin(Op.IAdd, b, o.bin(Op.IAdd, o.c('u32', 0x7fff), o.uand(o.ushr(b, 16), 1))), 16), 0xffff);
  const nan = o.uor(o.uand(o.ushr(b, 16), 0x8000), o.c('u32', 0x7fc0));
  return o.select(o.isNan(x), nan, rounded);
}
