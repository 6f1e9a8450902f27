// Helpers of the special reference kernels: reading operands, building results from f64 buffers.
import type { DType } from '../../dtype.js';
import { Tensor } from '../../tensor.js';

/** A tensor of `dtype` holding `values` (rounded to the dtype's storage). */
export function tensorFromFloat64(dtype: DType, shape: readonly number[], values: Float64Array): Tensor {
  if (dtype === 'f64') return new Tensor(dtype, shape, values);
  if (dtype === 'f32') return new Tensor(dtype, shape, Float32Array.from(values));
  const t = Tensor.zeros(dtype, shape);
  for (let i = 0; i < values.length; i++) t.setNumber(i, values[i]!);
  return t;
}

/** A required operand; the message names it. */
export function operand(t: Tensor | null | undefined, what: string): Tensor {
  if (!t) throw new Error(`missing input ${what}`);
  return t;
}

/** The single value of a scalar or one-element operand. */
export function scalarOf(t: Tensor, what: string): number {
  if (t.size !== 1) throw new Error(`${what} must have one element, got ${t.size}`);
  return t.getNumber(0);
}

/** An optional scalar operand, with a default when omitted. */
export function optionalScalar(t: Tensor | null | undefined, what: string, dflt: number): number {
  return t ? scalarOf(t, what) : dflt;
}

/** Product of `shape[from..to)`. */
export function extent(shape: readonly number[], from: number, to: number): number {
  let n = 1;
  for (let i = from; i < to; i++) n *= shape[i]!;
  return n;
}
