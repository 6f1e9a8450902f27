/**
 * Fingerprints: xxhash64 over the canonical encoding, as 16 lower-case hex digits.
 * xxhash-wasm must instantiate its wasm module asynchronously, hence `initHashing()` once;
 * after that every hash is synchronous (the engine hashes inside tight verification loops).
 */
import type { Fingerprint } from './store.js';
import { hashBytes, initHashing } from '../util/hash.js';
import { withEncoding } from './encoding.js';

export { initHashing };

export function fingerprint(bytes: Uint8Array): Fingerprint {
  return hashBytes(bytes);
}

/** Fingerprint of a value: equal values (in the canonical encoding's sense) give equal fingerprints. */
export function fingerprintValue(value: unknown): Fingerprint {
  return withEncoding(value, fingerprint);
}
