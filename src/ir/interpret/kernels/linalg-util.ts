// Conversions and index helpers shared by the linalg reference kernels.
import type { DType } from '../../dtype.js';
import { numberToBf16Bits, numberToF16Bits } from '../../float16.js';
import { Tensor } from '../../tensor.js';
import { staticSize } from '../../types.js';

/** A tensor from f64 results, converting to the dtype's storage (values are assumed in range). */
export function tensorFromF64(dtype: DType, shape: readonly number[], v: Float64Array): Tensor {
  const n = v.length;
  switch (dtype) {
    case 'f64': return new Tensor(dtype, shape, v);
    case 'f32': return new Tensor(dtype, shape, new Float32Array(v));
    case 'i32': return new Tensor(dtype, shape, new Int32Array(v));
    case 'i8': return new Tensor(dtype, shape, new Int8Array(v));
    case 'i16': return new Tensor(dtype, shape, new Int16Array(v));
    case 'u8': return new Tensor(dtype, shape, new Uint8Array(v));
    case 'u32': return new Tensor(dtype, shape, new Uint32Array(v));
    case 'f16': case 'bf16': {
      const bits = new Uint16Array(n);
      const conv = dtype === 'f16' ? numberToF16Bits : numberToBf16Bits;
      for (let i = 0; i < n; i++) bits[i] = conv(v[i]!);
      return new Tensor(dtype, shape, bits);
    }
    default: {
      const t = Tensor.zeros(dtype, shape);
      for (let i = 0; i < n; i++) t.setNumber(i, v[i]!);
      return t;
    }
  }
}

/**
 * For each flat index of `outShape`, the flat index into a tensor of `inShape` that NumPy
 * broadcasting reads (inShape right-aligned, size-1 dims repeated).
 */
export function broadcastOffsets(outShape: readonly number[], inShape: readonly number[]): Int32Array {
  const total = staticSize(outShape);
  const offsets = new Int32Array(total);
  const r = outShape.length;
  const strides = new Array<number>(r).fill(0);
  let acc = 1;
  for (let i = inShape.length - 1; i >= 0; i--) {
    const o = r - inShape.length + i;
    strides[o] = inShape[i] === 1 ? 0 : acc;
    acc *= inShape[i]!;
  }
  const idx = new Array<number>(r).fill(0);
  let off = 0;
  for (let f = 0; f < total; f++) {
    offsets[f] = off;
    for (let d = r - 1; d >= 0; d--) {
      idx[d]!++;
      off += strides[d]!;
      if (idx[d]! < outShape[d]!) break;
      off -= strides[d]! * outShape[d]!;
      idx[d] = 0;
    }
  }
  return offsets;
}

/** Calls `fn` with each multi-index of `shape` in row-major order (the array is reused). */
export function forEachIndex(shape: readonly number[], fn: (idx: readonly number[], flat: number) => void): void {
  const total = staticSize(shape);
  const idx = new Array<number>(shape.length).fill(0);
  for (let f = 0; f < total; f++) {
    fn(idx, f);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
}
