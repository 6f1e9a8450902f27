// Scalar functions the elementwise reference kernels need and JS's Math lacks.

export { erf } from '../../../util/erf.js';

/** Rounds to the nearest integer, ties to even (ONNX Round, banker's rounding). */
export function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.floor(x);
  const d = x - f;
  const r = d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
  // Keep the sign of negative values that round to zero, like numpy (-0.4 → -0).
  return r === 0 && x < 0 ? -0 : r;
}

/** Remainder with the divisor's sign (Python `%`, numpy.mod). */
export function floorMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

export function floorModBig(a: bigint, b: bigint): bigint {
  if (b === 0n) return 0n;
  const r = a % b;
  return r !== 0n && r < 0n !== b < 0n ? r + b : r;
}

/** Integer power with 32-bit wrap-around (storing into a narrower typed array wraps further). */
export function intPow(base: number, exp: number): number {
  if (exp < 0) return negativeIntPow(base, exp);
  let r = 1;
  let b = base | 0;
  let e = Math.floor(exp);
  while (e > 0) {
    if (e % 2 === 1) r = Math.imul(r, b);
    b = Math.imul(b, b);
    e = Math.floor(e / 2);
  }
  return r;
}

/** Integer power with 64-bit wrap-around, by squaring (never builds huge bigints). */
export function intPowBig(base: bigint, exp: bigint): bigint {
  if (exp < 0n) return BigInt(negativeIntPow(Number(base), Number(exp)));
  let r = 1n;
  let b = base;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) r = BigInt.asIntN(64, r * b);
    b = BigInt.asIntN(64, b * b);
    e >>= 1n;
  }
  return r;
}

/** base^exp for a negative exponent, truncated to an integer as C would: 0 unless |base| is 1. */
function negativeIntPow(base: number, exp: number): number {
  if (base === 1) return 1;
  if (base === -1) return Math.abs(exp) % 2 === 1 ? -1 : 1;
  return 0;
}

/** Truncates a float into a bigint for 64-bit integer results; non-finite values give 0. */
export function truncToBigInt(v: number): bigint {
  return Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
}
