// Decoded initializers, reused across the imports of one process. An edit anywhere in a model
// re-imports all of it; copying every weight out of the protobuf bytes and hashing it again was
// a large part of that. An initializer whose raw bytes equal (memcmp) those of a tensor decoded
// before, with the same dtype and shape, is that tensor: reusing it and its hash gives exactly
// what decoding would. Comparing bytes costs a fraction of hashing them.
import { Buffer } from 'node:buffer';
import { hashTensor } from '../ir/constant-hash.js';
import type { DType } from '../ir/dtype.js';
import type { Tensor } from '../ir/tensor.js';
import { BoundedMemo } from '../util/bounded-memo.js';

/** Smaller initializers are decoded every time: cheap, and many. */
const MIN_REUSED_BYTES = 4096;
/** Bytes compared to pick the candidate: start, middle and end. */
const SAMPLE_BYTES = 32;

export interface DecodedInitializer {
  tensor: Tensor;
  /** hashTensor(tensor). */
  hash: string;
}

// Keyed by dtype, shape and sampled bytes: the one earlier tensor that could be equal.
const decoded = new BoundedMemo<DecodedInitializer>(1024 * 1024 * 1024);

/** Whether raw little-endian bytes of this dtype decode to a copy of themselves (bool normalizes). */
function copiesRawBytes(dtype: DType): boolean {
  return dtype !== 'bool' && dtype !== 'string';
}

const view = (b: ArrayBufferView): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

function sampleOf(raw: Buffer): string {
  const mid = (raw.length - SAMPLE_BYTES) >> 1;
  return `${raw.subarray(0, SAMPLE_BYTES).toString('hex')}${raw.subarray(mid, mid + SAMPLE_BYTES).toString('hex')}${raw.subarray(raw.length - SAMPLE_BYTES).toString('hex')}`;
}

/**
 * The tensor (and its hash) that `decode()` makes of `raw`: an earlier one with equal bytes when
 * this process decoded one, else `decode()`'s, remembered for later imports. Tensors are shared:
 * treat them as immutable, as the IR does.
 */
export function reuseDecoded(dtype: DType, shape: readonly number[], raw: Uint8Array, decode: () => Tensor): DecodedInitializer {
  if (raw.byteLength < MIN_REUSED_BYTES || !copiesRawBytes(dtype)) {
    const tensor = decode();
    return { tensor, hash: hashTensor(tensor) };
  }
  const bytes = view(raw);
  const key = `${dtype}[${shape.join(',')}]${bytes.length}:${sampleOf(bytes)}`;
  const known = decoded.get(key);
  if (known && bytes.equals(view(known.tensor.data as ArrayBufferView))) return known;
  const tensor = decode();
  const fresh = { tensor, hash: hashTensor(tensor) };
  decoded.set(key, fresh, bytes.length);
  return fresh;
}
