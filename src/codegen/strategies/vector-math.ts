// Transcendentals in f32x4 lanes for vectorized epilogues (the scalar path calls the host's Math,
// one import call per element). erf: x·P(x²)/Q(x²) on x clamped to [-4, 4] (beyond, erf is ±1 in
// f32), a rational fit made for ireets (max abs error 4e-7 in f32 over the real line). exp:
// 2^n · e^r with n = round(x·log2 e) and |r| <= ln2/2 (Cody–Waite split of ln 2), e^r by its
// Taylor series to r^6 (relative error < 2e-7); below -87.3 (where e^x leaves the normal floats) 0.
import type { Expr, VecExpr } from '../kernel-ir.js';
import type { KernelBuilder } from './kernel-builder.js';

const f32 = (v: number): Expr => ({ k: 'const', t: 'f32', v });
const splat = (v: number): VecExpr => ({ k: 'vsplat', a: f32(v) });
const mul = (a: VecExpr, b: VecExpr): VecExpr => ({ k: 'vbinary', op: 'mul', a, b });
const addv = (a: VecExpr, b: VecExpr): VecExpr => ({ k: 'vbinary', op: 'add', a, b });

const ERF_P = [1.128379168220244, 0.18548297683566886, 0.054202516282230294, 0.003841003882465945, 0.00037319915782960735, 4.509187751498975e-06, -1.2322269007695846e-08];
const ERF_Q = [1.0, 0.4977133867509865, 0.11393986449753354, 0.015423055418055625, 0.0012971329464706084, 6.143850833022723e-05];

/** Horner evaluation of Σ coefs[i]·t^i. */
function polynomial(b: KernelBuilder, t: VecExpr, coefs: readonly number[]): VecExpr {
  let acc: VecExpr = splat(coefs[coefs.length - 1]!);
  for (let i = coefs.length - 2; i >= 0; i--) acc = b.vlet(addv(mul(acc, t), splat(coefs[i]!)), 'poly');
  return acc;
}

export function vectorErf(b: KernelBuilder, x: VecExpr): VecExpr {
  const clamped = b.vlet({ k: 'vbinary', op: 'max', a: { k: 'vbinary', op: 'min', a: x, b: splat(4) }, b: splat(-4) }, 'erfx');
  const t = b.vlet(mul(clamped, clamped), 'erft');
  const p = polynomial(b, t, ERF_P);
  const q = polynomial(b, t, ERF_Q);
  return { k: 'vbinary', op: 'div', a: mul(clamped, p), b: q };
}

const LOG2E = 1.4426950408889634;
const LN2_HI = 0.693145751953125;
const LN2_LO = 1.428606765330187e-6;

export function vectorExp(b: KernelBuilder, x: VecExpr): VecExpr {
  const xv = b.vlet(x, 'expin');
  // `maximum` lets a NaN through (and on to the result).
  const xc = b.vlet({ k: 'vbinary', op: 'maximum', a: xv, b: splat(-87.33654) }, 'expx');
  // Overflow: n stops at 127 and e^r > 2 carries the product past the largest float to +inf.
  const n = b.vlet({ k: 'vbinary', op: 'min', a: { k: 'vunary', op: 'round_even', a: mul(xc, splat(LOG2E)) }, b: splat(127) }, 'expn');
  const sub = (a: VecExpr, c: VecExpr): VecExpr => ({ k: 'vbinary', op: 'sub', a, b: c });
  const r = b.vlet(sub(sub(xc, mul(n, splat(LN2_HI))), mul(n, splat(LN2_LO))), 'expr');
  const p = polynomial(b, r, [1, 1, 1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720]);
  // Below the smallest normal the result is 0: no subnormals (they are ~100× slower downstream).
  return { k: 'vselect_lt', a: xv, b: splat(-87.33654), x: splat(0), y: mul(p, { k: 'vunary', op: 'pow2_int', a: n }) };
}

/** 1 / (1 + e^-x). */
export function vectorSigmoid(b: KernelBuilder, x: VecExpr): VecExpr {
  const e = b.vlet(vectorExp(b, { k: 'vunary', op: 'neg', a: x }), 'sigexp');
  return { k: 'vbinary', op: 'div', a: splat(1), b: addv(splat(1), e) };
}
