// Elementwise loops over tensor storage: map a scalar function over 1, 2 or 3 broadcast inputs.
import { isBigInt, isFloat, type DType } from '../../dtype.js';
import { numberToBf16Bits, numberToF16Bits } from '../../float16.js';
import { Tensor } from '../../tensor.js';
import { staticSize } from '../../types.js';
import { BroadcastCursor, broadcastStatic, planBroadcast } from './elementwise-broadcast.js';

/**
 * Indexable element storage as scalar code sees it: numbers (floats, ints up to 32 bits, bools
 * as 0/1), bigints (i64/u64) or strings. Typed arrays wrap integers on store, which gives
 * integer ops their wrap-around for free.
 */
export type Elements = { [i: number]: any; readonly length: number };
export type Scalar1 = (a: any) => any;
export type Scalar2 = (a: any, b: any) => any;
export type Scalar3 = (a: any, b: any, c: any) => any;

/** A tensor's elements for scalar code: storage as is, except f16/bf16 decoded to f64. */
export function elementsOf(t: Tensor): Elements {
  return t.dtype === 'f16' || t.dtype === 'bf16' ? t.toFloat64() : t.data;
}

/** Storage a kernel writes its results into; f16/bf16 results are computed in f64, encoded by finish(). */
export interface ResultBuffer {
  readonly data: Elements;
  finish(): Tensor;
}

export function resultBuffer(dtype: DType, shape: readonly number[]): ResultBuffer {
  const n = staticSize(shape);
  if (dtype === 'f16' || dtype === 'bf16') {
    const wide = new Float64Array(n);
    return {
      data: wide,
      finish: () => {
        const bits = new Uint16Array(n);
        const enc = dtype === 'f16' ? numberToF16Bits : numberToBf16Bits;
        for (let i = 0; i < n; i++) bits[i] = enc(wide[i]!);
        return new Tensor(dtype, shape, bits);
      },
    };
  }
  const t = Tensor.zeros(dtype, shape);
  return { data: t.data, finish: () => t };
}

/** Per storage class implementations of one scalar op; missing ones fall back as noted. */
export interface ScalarImpls<F> {
  /** f16, bf16, f32, f64 (and the fallback for everything else). */
  readonly float: F;
  /** Integers up to 32 bits (falls back to float). */
  readonly int?: F;
  /** i64/u64 as bigints (required for ops that accept them). */
  readonly big?: F;
  /** bool as 0/1 (falls back to int, then float). */
  readonly bool?: F;
  /** strings (equal only). */
  readonly str?: F;
}

export function pickImpl<F>(impls: ScalarImpls<F>, dtype: DType, op: string): F {
  if (isFloat(dtype)) return impls.float;
  if (isBigInt(dtype)) {
    if (!impls.big) throw new Error(`${op} does not support ${dtype}`);
    return impls.big;
  }
  if (dtype === 'string') {
    if (!impls.str) throw new Error(`${op} does not support string`);
    return impls.str;
  }
  if (dtype === 'bool') return impls.bool ?? impls.int ?? impls.float;
  return impls.int ?? impls.float;
}

export function mapUnary(x: Elements, out: Elements, f: Scalar1): void {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = f(x[i]);
}

/** out = f(a, b) with broadcasting; `out` holds the broadcast shape's elements. */
export function mapBinary(
  a: Elements, aShape: readonly number[], b: Elements, bShape: readonly number[],
  out: Elements, outShape: readonly number[], f: Scalar2,
): void {
  const n = out.length;
  if (n === 0) return;
  if (a.length === n && b.length === n) {
    for (let i = 0; i < n; i++) out[i] = f(a[i], b[i]);
    return;
  }
  if (b.length === 1 && a.length === n) {
    const bv = b[0];
    for (let i = 0; i < n; i++) out[i] = f(a[i], bv);
    return;
  }
  if (a.length === 1 && b.length === n) {
    const av = a[0];
    for (let i = 0; i < n; i++) out[i] = f(av, b[i]);
    return;
  }
  const c = new BroadcastCursor(planBroadcast([aShape, bShape], outShape));
  const len = c.rowLength;
  const sa = c.step[0]!;
  const sb = c.step[1]!;
  for (let r = 0, o = 0; r < c.rows; r++, c.advance(), o += len) {
    let ia = c.offsets[0]!;
    let ib = c.offsets[1]!;
    for (let k = 0; k < len; k++, ia += sa, ib += sb) out[o + k] = f(a[ia], b[ib]);
  }
}

/** out = f(a, b, c) with broadcasting. */
export function mapTernary(
  a: Elements, aShape: readonly number[], b: Elements, bShape: readonly number[],
  c: Elements, cShape: readonly number[], out: Elements, outShape: readonly number[], f: Scalar3,
): void {
  const n = out.length;
  if (n === 0) return;
  if (a.length === n && b.length === n && c.length === n) {
    for (let i = 0; i < n; i++) out[i] = f(a[i], b[i], c[i]);
    return;
  }
  const cur = new BroadcastCursor(planBroadcast([aShape, bShape, cShape], outShape));
  const len = cur.rowLength;
  const sa = cur.step[0]!;
  const sb = cur.step[1]!;
  const sc = cur.step[2]!;
  for (let r = 0, o = 0; r < cur.rows; r++, cur.advance(), o += len) {
    let ia = cur.offsets[0]!;
    let ib = cur.offsets[1]!;
    let ic = cur.offsets[2]!;
    for (let k = 0; k < len; k++, ia += sa, ib += sb, ic += sc) out[o + k] = f(a[ia], b[ib], c[ic]);
  }
}

/** Runs a unary scalar function over a tensor into a result of `dtype`. */
export function unaryTensor(x: Tensor, dtype: DType, f: Scalar1): Tensor {
  const res = resultBuffer(dtype, x.shape);
  mapUnary(elementsOf(x), res.data, f);
  return res.finish();
}

/** Runs a binary scalar function over two broadcast tensors into a result of `dtype`. */
export function binaryTensor(a: Tensor, b: Tensor, dtype: DType, f: Scalar2): Tensor {
  const shape = broadcastStatic([a.shape, b.shape]);
  const res = resultBuffer(dtype, shape);
  mapBinary(elementsOf(a), a.shape, elementsOf(b), b.shape, res.data, shape, f);
  return res.finish();
}

export function ternaryTensor(a: Tensor, b: Tensor, c: Tensor, dtype: DType, f: Scalar3): Tensor {
  const shape = broadcastStatic([a.shape, b.shape, c.shape]);
  const res = resultBuffer(dtype, shape);
  mapTernary(elementsOf(a), a.shape, elementsOf(b), b.shape, elementsOf(c), c.shape, res.data, shape, f);
  return res.finish();
}
