import { isBigInt, isFloat } from '../../src/ir/dtype.js';
import type { Tensor } from '../../src/ir/tensor.js';
import { toleranceFor } from './tolerances.js';

/** Outcome of comparing one actual output with its expected value. */
export type Comparison =
  | { ok: true; maxAbsError: number }
  | { ok: false; reason: string; maxAbsError?: number; maxRelError?: number };

export interface CompareOptions {
  /**
   * The values come from a random generator (Bernoulli, training-mode Dropout), so no
   * implementation can reproduce numpy's draws: compare only elements nonzero on both sides.
   * That still checks Bernoulli's 1s and Dropout's 1/(1-ratio) scaling and its mask.
   */
  random?: boolean;
}

/**
 * Compares `actual` with `expected`: dtypes and shapes exactly, elements within the dtype's
 * tolerance (see tolerances.ts). The reason names the first element out of tolerance.
 */
export function compareTensors(actual: Tensor, expected: Tensor, opts: CompareOptions = {}): Comparison {
  if (actual.dtype !== expected.dtype) {
    return { ok: false, reason: `dtype ${actual.dtype}, expected ${expected.dtype}` };
  }
  if (actual.shape.length !== expected.shape.length || actual.shape.some((d, i) => d !== expected.shape[i])) {
    return { ok: false, reason: `shape [${actual.shape.join(',')}], expected [${expected.shape.join(',')}]` };
  }
  if (isBigInt(expected.dtype) || expected.dtype === 'string') return compareExactly(actual, expected);
  return compareNumbers(actual, expected, opts.random === true);
}

function compareExactly(actual: Tensor, expected: Tensor): Comparison {
  const a = actual.data as ArrayLike<bigint | string>;
  const e = expected.data as ArrayLike<bigint | string>;
  let mismatches = 0;
  let first = -1;
  let maxAbs = 0;
  for (let i = 0; i < e.length; i++) {
    if (a[i] === e[i]) continue;
    if (first < 0) first = i;
    mismatches++;
    if (typeof e[i] === 'bigint') {
      const d = Number((a[i] as bigint) - (e[i] as bigint));
      maxAbs = Math.max(maxAbs, Math.abs(d));
    }
  }
  if (mismatches === 0) return { ok: true, maxAbsError: 0 };
  return {
    ok: false,
    maxAbsError: expected.dtype === 'string' ? undefined : maxAbs,
    reason: `${mismatches} of ${e.length} elements differ; first at [${first}]: got ${String(a[first])}, expected ${String(e[first])}`,
  };
}

function compareNumbers(actual: Tensor, expected: Tensor, random: boolean): Comparison {
  const { rtol, atol } = toleranceFor(expected.dtype);
  const float = isFloat(expected.dtype);
  const a = actual.toFloat64();
  const e = expected.toFloat64();
  let maxAbs = 0;
  let maxRel = 0;
  let mismatches = 0;
  let first = -1;
  for (let i = 0; i < e.length; i++) {
    const x = a[i]!;
    const y = e[i]!;
    if (x === y || (float && Number.isNaN(x) && Number.isNaN(y))) continue;
    if (random && (x === 0 || y === 0)) continue;
    // Unequal where either side is NaN or infinite: a mismatch with an infinite error.
    const finite = Number.isFinite(x) && Number.isFinite(y);
    const absErr = finite ? Math.abs(x - y) : Infinity;
    const rel = y === 0 || !finite ? absErr : absErr / Math.abs(y);
    if (absErr > maxAbs) maxAbs = absErr;
    if (rel > maxRel) maxRel = rel;
    if (!finite || !(absErr <= atol + rtol * Math.abs(y))) {
      mismatches++;
      if (first < 0) first = i;
    }
  }
  if (mismatches === 0) return { ok: true, maxAbsError: maxAbs };
  return {
    ok: false,
    maxAbsError: maxAbs,
    maxRelError: maxRel,
    reason: `${mismatches} of ${e.length} elements out of tolerance (max abs error ${fmt(maxAbs)}, max rel error ${fmt(maxRel)}); `
      + `first at [${first}]: got ${a[first]}, expected ${e[first]}`,
  };
}

/** Short, stable rendering of an error magnitude. */
export function fmt(x: number): string {
  return Number.isFinite(x) ? x.toPrecision(3) : String(x);
}
