// xxhash64 of large inputs in pieces. xxhash-wasm copies its whole input into wasm memory before
// hashing: a 50 MB array costs a 50 MB copy out of cache (and grows that memory for good). Fed in
// 1 MB pieces, each copy stays in cache; the digest is the same as hashBytes' (one xxhash64).
import { createHasher, hashBytes } from './hash.js';

const PIECE_BYTES = 1 << 20;

/** Streams views into one xxhash64; `digest()` equals hashBytes() of their concatenation. */
export class ChunkedHasher {
  private readonly h = createHasher();

  update(bytes: Uint8Array): this {
    for (let at = 0; at < bytes.length; at += PIECE_BYTES) this.h.update(bytes.subarray(at, Math.min(at + PIECE_BYTES, bytes.length)));
    return this;
  }

  digest(): string {
    return this.h.digest();
  }
}

/** hashBytes(bytes), faster for inputs of megabytes. Requires initHashing(). */
export function hashLargeBytes(bytes: Uint8Array): string {
  return bytes.length <= PIECE_BYTES ? hashBytes(bytes) : new ChunkedHasher().update(bytes).digest();
}
