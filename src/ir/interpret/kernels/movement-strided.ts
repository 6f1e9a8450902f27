// The workhorse of the movement kernels: copy a strided view of a tensor's storage into a new
// contiguous tensor. Transpose, slice (negative steps included), expand (stride 0), tile and the
// block rearrangements are all views over the input.
import { allocData, type DType, type TensorData, type TypedArray } from '../../dtype.js';
import { Tensor, stridesOf } from '../../tensor.js';
import { staticSize } from '../../types.js';

/** Element-wise access to any storage; the same code moves numbers, bigints and strings. */
export type Elems = { [i: number]: unknown; length: number };

export function isTyped(d: TensorData): d is TypedArray {
  return ArrayBuffer.isView(d);
}

/** Copies `n` elements from src[from..] to dst[to..] (both contiguous). */
export function copyRun(dst: TensorData, to: number, src: TensorData, from: number, n: number): void {
  if (n <= 0) return;
  if (isTyped(dst) && isTyped(src) && n > 16) {
    (dst as Float64Array).set((src as Float64Array).subarray(from, from + n), to);
    return;
  }
  const d = dst as unknown as Elems;
  const s = src as unknown as Elems;
  for (let i = 0; i < n; i++) d[to + i] = s[from + i];
}

/** Merges dims that are contiguous in the view and drops extent-1 dims, so the loops run long. */
function coalesce(shape: readonly number[], strides: readonly number[]): [number[], number[]] {
  const sh: number[] = [];
  const st: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1) continue;
    const k = sh.length - 1;
    if (k >= 0 && st[k] === strides[i]! * shape[i]!) {
      sh[k] = sh[k]! * shape[i]!;
      st[k] = strides[i]!;
    } else {
      sh.push(shape[i]!);
      st.push(strides[i]!);
    }
  }
  return [sh, st];
}

/**
 * Materialises the view (offset, shape, strides in elements; strides may be 0 or negative) of
 * `src` as contiguous row-major storage.
 */
export function copyStrided(
  src: TensorData,
  dtype: DType,
  offset: number,
  shape: readonly number[],
  strides: readonly number[],
): TensorData {
  const n = staticSize(shape);
  const out = allocData(dtype, n);
  if (n === 0) return out;
  const [sh, st] = coalesce(shape, strides);
  const o = out as unknown as Elems;
  const s = src as unknown as Elems;
  if (sh.length === 0) {
    o[0] = s[offset];
    return out;
  }
  const r = sh.length;
  const inner = sh[r - 1]!;
  const innerStride = st[r - 1]!;
  const idx = new Array<number>(r - 1).fill(0);
  let base = offset;
  let at = 0;
  for (;;) {
    if (innerStride === 1) {
      copyRun(out, at, src, base, inner);
      at += inner;
    } else if (innerStride === 0) {
      const v = s[base];
      for (let i = 0; i < inner; i++) o[at++] = v;
    } else {
      for (let i = 0, j = base; i < inner; i++, j += innerStride) o[at++] = s[j];
    }
    let k = r - 2;
    for (; k >= 0; k--) {
      idx[k]!++;
      base += st[k]!;
      if (idx[k]! < sh[k]!) break;
      base -= st[k]! * sh[k]!;
      idx[k] = 0;
    }
    if (k < 0) break;
  }
  return out;
}

/** A tensor from a strided view of `t`. */
export function viewCopy(t: Tensor, offset: number, shape: readonly number[], strides: readonly number[]): Tensor {
  return new Tensor(t.dtype, shape, copyStrided(t.data, t.dtype, offset, shape, strides));
}

/** Transposes `t` viewed with `viewShape` (same element count) by `perm`. */
export function permuteView(t: Tensor, viewShape: readonly number[], perm: readonly number[]): Tensor {
  const st = stridesOf(viewShape);
  return viewCopy(t, 0, perm.map((p) => viewShape[p]!), perm.map((p) => st[p]!));
}

/** Indices as plain numbers, negative ones resolved against `dim`, range-checked. */
export function indexList(t: Tensor, dim: number, what: string): Int32Array | Float64Array {
  const v = t.toFloat64();
  for (let i = 0; i < v.length; i++) {
    let x = v[i]!;
    if (x < 0) x += dim;
    if (!(x >= 0 && x < dim)) throw new Error(`${what} index ${v[i]} out of range [-${dim}, ${dim - 1}]`);
    v[i] = x;
  }
  return v;
}

/**
 * Builds a tensor whose element at output coordinate c is `src` at the offset
 * sum_k maps[k][c[k]], or `fill` where any map entry is -1 (pad's constant, resize's extrapolation).
 */
export function gatherByAxisMaps(
  x: Tensor, shape: readonly number[], maps: readonly Float64Array[], fill: unknown,
): Tensor {
  const n = staticSize(shape);
  const out = allocData(x.dtype, n);
  const o = out as unknown as Elems;
  const s = x.data as unknown as Elems;
  const rank = shape.length;
  if (n === 0) return new Tensor(x.dtype, shape, out);
  if (rank === 0) {
    o[0] = s[0];
    return new Tensor(x.dtype, shape, out);
  }
  const coord = new Array<number>(rank).fill(0);
  const inner = shape[rank - 1]!;
  const lastMap = maps[rank - 1]!;
  let at = 0;
  for (;;) {
    let base = 0;
    let outside = false;
    for (let k = 0; k < rank - 1; k++) {
      const m = maps[k]![coord[k]!]!;
      if (m < 0) {
        outside = true;
        break;
      }
      base += m;
    }
    if (outside) {
      for (let i = 0; i < inner; i++) o[at++] = fill;
    } else {
      for (let i = 0; i < inner; i++) {
        const m = lastMap[i]!;
        o[at++] = m < 0 ? fill : s[base + m];
      }
    }
    let k = rank - 2;
    for (; k >= 0; k--) {
      coord[k]!++;
      if (coord[k]! < shape[k]!) break;
      coord[k] = 0;
    }
    if (k < 0) break;
  }
  return new Tensor(x.dtype, shape, out);
}
