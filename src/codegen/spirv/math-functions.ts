// Functions with no exact GLSL.std.450 counterpart, or whose GLSL version is undefined on part
// of the domain the kernel IR needs (pow of negative bases, tanh of large inputs, fmod), with
// the same semantics as the WGSL emitter's helpers.
import type { Val } from './module-types.js';
import type { ScalarOps } from './scalar-ops.js';
import { Glsl, LoopControl, Op } from './spirv-enums.js';

// Abramowitz & Stegun 7.1.26 (|error| ≤ 1.5e-7): erf(x) ≈ 1 - poly(t)·exp(-x²), t = 1/(1 + p·x).
const ERF_P = 0.3275911;
const ERF_A = [0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429] as const;
// Below this |x| a Taylor series keeps the relative error small where erf(x) ≈ 1.128·x.
const ERF_SERIES_LIMIT = 0.5;
const TWO_OVER_SQRT_PI = 1.1283791670955126;
// x·(1 − x²/3 + x⁴/10 − x⁶/42 + x⁸/216 − x¹⁰/1320), coefficients of x^(2k).
const ERF_SERIES = [1, -1 / 3, 1 / 10, -1 / 42, 1 / 216, -1 / 1320] as const;
/** tanh(±10) rounds to ±1 in f32; clamping avoids inf/inf in exp-based implementations. */
const TANH_LIMIT = 10;

/** Horner evaluation of Σ coeffs[i]·x^i. */
function horner(o: ScalarOps, x: Val, coeffs: readonly number[]): Val {
  let acc = o.c('f32', coeffs[coeffs.length - 1]!);
  for (let i = coeffs.length - 2; i >= 0; i--) {
    acc = o.bin(Op.FAdd, o.bin(Op.FMul, acc, x), o.c('f32', coeffs[i]!));
  }
  return acc;
}

export function erf(o: ScalarOps, x: Val): Val {
  const ax = o.glsl(Glsl.FAbs, x);
  const x2 = o.bin(Op.FMul, x, x);
  const series = o.bin(Op.FMul, o.bin(Op.FMul, x, horner(o, x2, ERF_SERIES)), o.c('f32', TWO_OVER_SQRT_PI));
  const t = o.bin(Op.FDiv, o.c('f32', 1), o.bin(Op.FAdd, o.c('f32', 1), o.bin(Op.FMul, ax, o.c('f32', ERF_P))));
  const poly = o.bin(Op.FMul, t, horner(o, t, ERF_A));
  const tail = o.glsl(Glsl.Exp, o.fb.val(Op.FNegate, 'f32', [x2.id]));
  const y = o.bin(Op.FSub, o.c('f32', 1), o.bin(Op.FMul, poly, tail));
  const signed = o.select(o.cmp('lt', x, o.c('f32', 0)), o.fb.val(Op.FNegate, 'f32', [y.id]), y);
  return o.select(o.cmp('lt', ax, o.c('f32', ERF_SERIES_LIMIT)), series, signed);
}

/** 1 / (1 + e^-x), written so that neither tail overflows: e = e^-|x|; x ≥ 0 ? 1/(1+e) : e/(1+e). */
export function sigmoid(o: ScalarOps, x: Val): Val {
  const e = o.glsl(Glsl.Exp, o.fb.val(Op.FNegate, 'f32', [o.glsl(Glsl.FAbs, x).id]));
  const s = o.bin(Op.FDiv, o.c('f32', 1), o.bin(Op.FAdd, o.c('f32', 1), e));
  return o.select(o.cmp('ge', x, o.c('f32', 0)), s, o.bin(Op.FMul, e, s));
}

/** tanh of x clamped to ±10 (NaN passes through). */
export function tanh(o: ScalarOps, x: Val): Val {
  const hi = o.c('f32', TANH_LIMIT);
  const lo = o.c('f32', -TANH_LIMIT);
    const clamped = o.select(o.cmp('gt', x, hi), hi, o.select(o.cmp('lt', x, lo), lo, x));
  return o.select(o.isNan(x), x, o.glsl(Glsl.Tanh, clamped));
}

/**
 * x^y with C semantics where GLSL's Pow is undefined: x^0 = 1; NaN in, NaN out; negative bases
 * with whole exponents keep the sign of odd powers (otherwise NaN); zero bases give ±0 or ±inf.
 */
export function powFloat(o: ScalarOps, x: Val, y: Val): Val {
  const zero = o.c('f32', 0);
  const inf = o.c('f32', Infinity);
  const whole = o.cmp('eq', o.glsl(Glsl.Floor, y), y);
  const halfFloor = o.glsl(Glsl.Floor, o.bin(Op.FMul, y, o.c('f32', 0.5)));
  const odd = o.andB(o.andB(whole, o.cmp('lt', o.glsl(Glsl.FAbs, y), o.c('f32', 2 ** 24))),
    o.cmp('ne', o.bin(Op.FMul, halfFloor, o.c('f32', 2)), y));
  const magnitude = o.glsl(Glsl.Pow, o.glsl(Glsl.FAbs, x), y);
  const ofNegative = o.select(whole, o.select(odd, o.fb.val(Op.FNegate, 'f32', [magnitude.id]), magnitude), o.c('f32', NaN));
  const negativeZero = o.cmp('ne', o.asU32(x), o.c('u32', 0));
  const ofZero = o.select(o.cmp('gt', y, zero), o.select(odd, x, zero),
    o.select(o.andB(odd, negativeZero), o.fb.val(Op.FNegate, 'f32', [inf.id]), inf));
  let r = o.select(o.cmp('lt', x, zero), ofNegative, magnitude);
  r = o.select(o.cmp('eq', x, zero), ofZero, r);
  r = o.select(o.orB(o.isNan(x), o.isNan(y)), o.bin(Op.FAdd, x, y), r);
  return o.select(o.cmp('eq', y, zero), o.c('f32', 1), r);
}

/**
 * Exact integer power by squaring (wrapping, as on the CPU for results that fit); negative
 * exponents give the truncated reciprocal: 1 for base 1, ±1 for base -1, else 0.
 */
export function powInt(o: ScalarOps, base: Val, exponent: Val): Val {
  const fb = o.fb;
  const t = base.t;
  const one = o.c(t, 1);
  const zero = o.c(t, 0);
  const negative = t === 'i32' ? o.cmp('lt', exponent, zero) : fb.types.b.constantBool(false);
  const r = fb.variable(t);
  const b = fb.variable(t);
  const n = fb.variable('u32');
  fb.inst(Op.Store, [r, one.id]);
  fb.inst(Op.Store, [b, base.id]);
  fb.inst(Op.Store, [n, o.select(negative, o.c('u32', 0), o.asU32(exponent)).id]);
  const header = fb.newLabel();
  const check = fb.newLabel();
  const body = fb.newLabel();
  const cont = fb.newLabel();
  const merge = fb.newLabel();
  fb.branch(header);
  fb.block(header);
  fb.inst(Op.LoopMerge, [merge, cont, LoopControl.None]);
  fb.branch(check);
  fb.block(check);
  const nv = fb.val(Op.Load, 'u32', [n]);
  fb.inst(Op.BranchConditional, [o.cmp('ne', nv, o.c('u32', 0)), body, merge]);
  fb.block(body);
  const rv = fb.val(Op.Load, t, [r]);
  const bv = fb.val(Op.Load, t, [b]);
  const nb = fb.val(Op.Load, 'u32', [n]);
  fb.inst(Op.Store, [r, o.select(o.toBool(o.uand(nb, 1)), o.bin(Op.IMul, rv, bv), rv).id]);
  fb.inst(Op.Store, [b, o.bin(Op.IMul, bv, bv).id]);
  fb.inst(Op.Store, [n, o.ushr(nb, 1).id]);
  fb.branch(cont);
  fb.block(cont);
  fb.branch(header);
  fb.block(merge);
  const result = fb.val(Op.Load, t, [r]);
  if (t !== 'i32') return result;
  const oddExponent = o.toBool(o.uand(exponent, 1));
  const ofMinusOne = o.select(oddExponent, o.c('i32', -1), one);
  const reciprocal = o.select(o.cmp('eq', base, one), one, o.select(o.cmp('eq', base, o.c('i32', -1)), ofMinusOne, zero));
  return o.select(negative, reciprocal, result);
}

/** C fmod (truncated quotient; the dividend's sign), spelled out as Vulkan specifies OpFRem. */
export function fmod(o: ScalarOps, a: Val, b: Val): Val {
  return o.bin(Op.FSub, a, o.bin(Op.FMul, b, o.glsl(Glsl.Trunc, o.bin(Op.FDiv, a, b))));
}

/** Python / ONNX floor modulo (floats and signed ints): the remainder, moved into the divisor's sign. */
export function modFloor(o: ScalarOps, a: Val, b: Val): Val {
  const zero = o.c(a.t, 0);
  const r = a.t === 'f32' ? fmod(o, a, b) : o.bin(Op.SRem, a, b);
  const fix = o.andB(o.cmp('ne', r, zero), o.neB(o.cmp('lt', r, zero), o.cmp('lt', b, zero)));
  return o.select(fix, o.bin(a.t === 'f32' ? Op.FAdd : Op.IAdd, r, b), r);
}

export function sign(o: ScalarOps, x: Val): Val {
  const zero = o.c(x.t, 0);
  const one = o.c(x.t, 1);
  if (x.t === 'u32') return o.select(o.cmp('gt', x, zero), one, zero);
  // Floats: zero and NaN return themselves.
  const rest = x.t === 'f32' ? x : zero;
  return o.select(o.cmp('gt', x, zero), one, o.select(o.cmp('lt', x, zero), o.c(x.t, -1), rest));
}
