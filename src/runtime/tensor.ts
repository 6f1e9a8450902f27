/** Tensors as the runtime API takes and returns them: a dtype name, a shape and a typed array. */
export type RuntimeData =
  | Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | BigInt64Array
  | Uint8Array | Uint16Array | Uint32Array | BigUint64Array;

export interface RuntimeTensor {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly data: RuntimeData;
}

const CTORS: Record<string, { new (buffer: ArrayBuffer, offset?: number, length?: number): RuntimeData; BYTES_PER_ELEMENT: number }> = {
  f32: Float32Array, f64: Float64Array, f16: Uint16Array, bf16: Uint16Array,
  i8: Int8Array, i16: Int16Array, i32: Int32Array, i64: BigInt64Array,
  u8: Uint8Array, u16: Uint16Array, u32: Uint32Array, u64: BigUint64Array, bool: Uint8Array,
};

export function elementBytes(dtype: string): number {
  const c = CTORS[dtype];
  if (!c) throw new Error(`the runtime has no storage for dtype ${dtype}`);
  return c.BYTES_PER_ELEMENT;
}

/** Wraps bytes (copied into a fresh, aligned buffer) as the typed array of `dtype`. */
export function typedArrayFromBytes(dtype: string, bytes: Uint8Array): RuntimeData {
  const c = CTORS[dtype]!;
  const copy = new ArrayBuffer(bytes.length);
  new Uint8Array(copy).set(bytes);
  return new c(copy, 0, bytes.length / c.BYTES_PER_ELEMENT);
}

export function bytesOf(data: RuntimeData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
