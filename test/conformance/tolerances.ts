import type { DType } from '../../src/ir/dtype.js';

/**
 * How close a backend's output must be to the ONNX reference output, per dtype; the ONE place
 * these numbers live. An element passes when |actual - expected| <= atol + rtol * |expected|
 * (numpy's assert_allclose, which ONNX's backend test runner uses). NaN matches NaN, and an
 * infinite expected value must be matched exactly.
 *
 * Floats use ONNX's own runner's defaults, rtol 1e-3 and atol 1e-7 (the reference interpreter
 * passed no more cases at atol 1e-5 than at 1e-7 when this was set). f16/bf16
 * keep ~3 and ~2 significant digits, so they get proportionally looser bounds.
 */
export interface Tolerance {
  readonly rtol: number;
  readonly atol: number;
}

const EXACT: Tolerance = { rtol: 0, atol: 0 };

export const TOLERANCES: Readonly<Record<DType, Tolerance>> = {
  f64: { rtol: 1e-3, atol: 1e-7 },
  f32: { rtol: 1e-3, atol: 1e-7 },
  f16: { rtol: 1e-2, atol: 1e-3 },
  bf16: { rtol: 2e-2, atol: 1e-2 },
  i8: EXACT, i16: EXACT, i32: EXACT, i64: EXACT,
  u8: EXACT, u16: EXACT, u32: EXACT, u64: EXACT,
  bool: EXACT,
  string: EXACT,
};

export function toleranceFor(dtype: DType): Tolerance {
  return TOLERANCES[dtype];
}
