// GPU-vs-CPU agreement of one model's outputs: every element within
// rtol·|expected| + atol, atol a fraction of the output's largest magnitude (as fixtures/tolerance.ts,
// looser: the GPU's f32 sums run in another order and its exp/erf/tanh are the driver's).
import type { RuntimeTensor } from '../../src/runtime/tensor.js';

export const GPU_RTOL = 1e-3;
export const GPU_ATOL_OF_MAX = 1e-4;

export interface OutputComparison {
  name: string;
  elements: number;
  /** The largest |actual - expected|. */
  max_abs: number;
  /** max |expected|, which atol scales with. */
  max_expected: number;
  /** The expected output's standard deviation: shows the output is not near-constant. */
  expected_std: number;
  /** The largest error as a fraction of its element's tolerance: ≤ 1 passes. */
  worst: number;
  pass: boolean;
}

function numbers(t: RuntimeTensor): Float64Array {
  const out = new Float64Array(t.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Number(t.data[i]);
  return out;
}

export function compareOutput(name: string, actual: RuntimeTensor, expected: RuntimeTensor): OutputComparison {
  const a = numbers(actual);
  const e = numbers(expected);
  if (a.length !== e.length) throw new Error(`output ${name}: ${a.length} elements vs ${e.length} expected`);
  let maxExpected = 0;
  let sum = 0;
  for (const v of e) {
    maxExpected = Math.max(maxExpected, Math.abs(v));
    sum += v;
  }
  const mean = sum / e.length;
  let sq = 0;
  for (const v of e) sq += (v - mean) ** 2;
  const atol = GPU_ATOL_OF_MAX * maxExpected;
  let maxAbs = 0;
  let worst = 0;
  for (let i = 0; i < e.length; i++) {
    const d = Math.abs(a[i]! - e[i]!);
    // NaN anywhere fails.
    const ratio = Number.isNaN(d) ? Infinity : d === 0 ? 0 : d / (atol + GPU_RTOL * Math.abs(e[i]!));
    if (Number.isNaN(d) || d > maxAbs) maxAbs = d;
    if (ratio > worst) worst = ratio;
  }
  return { name, elements: e.length, max_abs: maxAbs, max_expected: maxExpected, expected_std: Math.sqrt(sq / e.length), worst, pass: worst <= 1 };
}

export function compareOutputs(names: readonly string[], actual: readonly RuntimeTensor[], expected: readonly RuntimeTensor[]): OutputComparison[] {
  if (actual.length !== expected.length) throw new Error(`${actual.length} outputs vs ${expected.length} expected`);
  return expected.map((e, i) => compareOutput(names[i] ?? `#${i}`, actual[i]!, e));
}
