import { allocData, isBigInt, type DType, type TensorData, type TypedArray } from './dtype.js';
import { bf16BitsToNumber, f16BitsToNumber, numberToBf16Bits, numberToF16Bits } from './float16.js';
import { staticSize } from './types.js';

/** A concrete tensor value: dtype, static shape, row-major storage. */
export class Tensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: TensorData;

  constructor(dtype: DType, shape: readonly number[], data: TensorData) {
    const n = staticSize(shape);
    if (data.length !== n) {
      throw new Error(`tensor data has ${data.length} elements, shape [${shape.join(',')}] needs ${n}`);
    }
    this.dtype = dtype;
    this.shape = shape;
    this.data = data;
  }

  get size(): number {
    return this.data.length;
  }
  get rank(): number {
    return this.shape.length;
  }

  static zeros(dtype: DType, shape: readonly number[]): Tensor {
    return new Tensor(dtype, shape, allocData(dtype, staticSize(shape)));
  }

  /** Builds a tensor from plain numbers, converting to the dtype's storage (f16 bits, bigints, 0/1 bools). */
  static fromNumbers(dtype: DType, shape: readonly number[], values: ArrayLike<number>): Tensor {
    const t = Tensor.zeros(dtype, shape);
    for (let i = 0; i < values.length; i++) t.setNumber(i, values[i]!);
    return t;
  }

  static scalar(dtype: DType, value: number): Tensor {
    return Tensor.fromNumbers(dtype, [], [value]);
  }

  static fromBigInts(dtype: 'i64' | 'u64', shape: readonly number[], values: readonly bigint[]): Tensor {
    return new Tensor(dtype, shape, dtype === 'i64' ? BigInt64Array.from(values) : BigUint64Array.from(values));
  }

  /** Element `i` as a JS number (f16 decoded, 64-bit ints converted, bools 0/1). */
  getNumber(i: number): number {
    const d = this.data;
    switch (this.dtype) {
      case 'f16': return f16BitsToNumber((d as Uint16Array)[i]!);
      case 'bf16': return bf16BitsToNumber((d as Uint16Array)[i]!);
      case 'i64': case 'u64': return Number((d as BigInt64Array)[i]!);
      case 'string': throw new Error('string tensor has no numeric elements');
      default: return (d as Exclude<TypedArray, BigInt64Array | BigUint64Array>)[i]!;
    }
  }

  setNumber(i: number, v: number): void {
    const d = this.data;
    switch (this.dtype) {
      case 'f16': (d as Uint16Array)[i] = numberToF16Bits(v); return;
      case 'bf16': (d as Uint16Array)[i] = numberToBf16Bits(v); return;
      case 'i64': (d as BigInt64Array)[i] = toBigIntSaturating(v, -(2n ** 63n), 2n ** 63n - 1n); return;
      case 'u64': (d as BigUint64Array)[i] = toBigIntSaturating(v, 0n, 2n ** 64n - 1n); return;
      case 'bool': (d as Uint8Array)[i] = v ? 1 : 0; return;
      case 'string': throw new Error('string tensor has no numeric elements');
      default: (d as Exclude<TypedArray, BigInt64Array | BigUint64Array>)[i] = v;
    }
  }

  /** All elements as numbers (copy). */
  toNumbers(): number[] {
    const out = new Array<number>(this.size);
    for (let i = 0; i < out.length; i++) out[i] = this.getNumber(i);
    return out;
  }

  /** All elements as f64 (copy); the common currency of reference kernels. */
  toFloat64(): Float64Array {
    const out = new Float64Array(this.size);
    if (this.dtype === 'f32' || this.dtype === 'f64' || this.dtype === 'i32' || this.dtype === 'i8'
      || this.dtype === 'i16' || this.dtype === 'u8' || this.dtype === 'u16' || this.dtype === 'u32' || this.dtype === 'bool') {
      out.set(this.data as ArrayLike<number>);
      return out;
    }
    for (let i = 0; i < out.length; i++) out[i] = this.getNumber(i);
    return out;
  }

  /** Element `i` as bigint (integer dtypes only; floats are truncated). */
  getBigInt(i: number): bigint {
    if (isBigInt(this.dtype)) return (this.data as BigInt64Array)[i]!;
    return BigInt(Math.trunc(this.getNumber(i)));
  }

  reshape(shape: readonly number[]): Tensor {
    return new Tensor(this.dtype, shape, this.data);
  }
}

function toBigIntSaturating(v: number, lo: bigint, hi: bigint): bigint {
  if (Number.isNaN(v)) return 0n;
  if (v === Infinity) return hi;
  if (v === -Infinity) return lo;
  const b = BigInt(Math.trunc(v));
  return b < lo ? lo : b > hi ? hi : b;
}

/** Row-major strides of a static shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}
