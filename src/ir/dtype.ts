/** Element types of the tensor IR. f16/bf16 are stored as raw 16-bit patterns. */
export type DType =
  | 'f16' | 'bf16' | 'f32' | 'f64'
  | 'i8' | 'i16' | 'i32' | 'i64'
  | 'u8' | 'u16' | 'u32' | 'u64'
  | 'bool' | 'string';

export const ALL_DTYPES: readonly DType[] = [
  'f16', 'bf16', 'f32', 'f64', 'i8', 'i16', 'i32', 'i64', 'u8', 'u16', 'u32', 'u64', 'bool', 'string',
];

export type TypedArray =
  | Float32Array | Float64Array
  | Int8Array | Int16Array | Int32Array | BigInt64Array
  | Uint8Array | Uint16Array | Uint32Array | BigUint64Array;

/** Storage of a tensor's elements. Strings are kept as a JS array (only the front end and reference see them). */
export type TensorData = TypedArray | string[];

export function byteSize(dtype: DType): number {
  switch (dtype) {
    case 'f16': case 'bf16': case 'i16': case 'u16': return 2;
    case 'f32': case 'i32': case 'u32': return 4;
    case 'f64': case 'i64': case 'u64': return 8;
    case 'i8': case 'u8': case 'bool': return 1;
    case 'string': return 0;
  }
}

export function isFloat(d: DType): boolean {
  return d === 'f16' || d === 'bf16' || d === 'f32' || d === 'f64';
}
export function isSignedInt(d: DType): boolean {
  return d === 'i8' || d === 'i16' || d === 'i32' || d === 'i64';
}
export function isUnsignedInt(d: DType): boolean {
  return d === 'u8' || d === 'u16' || d === 'u32' || d === 'u64';
}
export function isInteger(d: DType): boolean {
  return isSignedInt(d) || isUnsignedInt(d);
}
/** 64-bit integers live in BigInt64Array/BigUint64Array and their elements are bigints. */
export function isBigInt(d: DType): boolean {
  return d === 'i64' || d === 'u64';
}
export function isNumeric(d: DType): boolean {
  return d !== 'string' && d !== 'bool';
}

/** Allocates zeroed storage for `n` elements of `dtype`. */
export function allocData(dtype: DType, n: number): TensorData {
  switch (dtype) {
    case 'f32': return new Float32Array(n);
    case 'f64': return new Float64Array(n);
    case 'f16': case 'bf16': case 'u16': return new Uint16Array(n);
    case 'i8': return new Int8Array(n);
    case 'i16': return new Int16Array(n);
    case 'i32': return new Int32Array(n);
    case 'i64': return new BigInt64Array(n);
    case 'u8': case 'bool': return new Uint8Array(n);
    case 'u32': return new Uint32Array(n);
    case 'u64': return new BigUint64Array(n);
    case 'string': return new Array<string>(n).fill('');
  }
}
