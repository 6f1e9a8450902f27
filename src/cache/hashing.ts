/**
 * Fingerprints: xxhash64 over the canonical encoding, as 16 lower-case hex digits.
 * xxhash-wasm must instantiate its wasm module asynchronously, hence `initHashing()` once;
 * after that every hash is synchronous (the engine hashes inside tight verification loops).
 */
import type { Fingerprint } from './store.js';
import { hashBytes, hashBytesRaw, initHashing } from '../util/hash.js';
import { withEncoding } from './encoding.js';

export { initHashing };

/** xxhash64 of raw bytes as a bigint (for binary checksums). */
export function hash64(bytes: Uint8Array): bigint {
  return hashBytesRaw(bytes);
}

export function fingerprint(bytes: Uint8Array): Fingerprint {
  return hashBytes(bytes);
}

/** Fingerprint of a value: equal values (in the canonical encoding's sense) give equal fingerprints. */
export function fingerprintValue(value: unknown): Fingerprint {
  return withEncoding(value, fingerprint);
}
