/**
 * Fingerprints: xxhash64 over the canonical encoding, as 16 lower-case hex digits.
 * xxhash-wasm must instantiate its wasm module asynchronously, hence `initHashing()` once;
 * after that every hash is synchronous (the engine hashes inside tight verification loops).
 */
import xxhash from 'xxhash-wasm';
import type { Fingerprint } from './store.js';
import { IreetsError } from '../util/errors.js';
import { withEncoding } from './encoding.js';

type Hasher = Awaited<ReturnType<typeof xxhash>>;

let hasher: Hasher | undefined;
let pending: Promise<Hasher> | undefined;

/** Loads the hash function; idempotent and safe to call concurrently. */
export async function initHashing(): Promise<void> {
  if (hasher) return;
  pending ??= xxhash();
  hasher = await pending;
}

function ready(): Hasher {
  if (!hasher) throw new IreetsError('INTERNAL', 'hashing used before `await initHashing()`');
  return hasher;
}

/** xxhash64 of raw bytes as a bigint (for binary checksums). */
export function hash64(bytes: Uint8Array): bigint {
  return ready().h64Raw(bytes);
}

export function fingerprint(bytes: Uint8Array): Fingerprint {
  return hash64(bytes).toString(16).padStart(16, '0');
}

/** Fingerprint of a value: equal values (in the canonical encoding's sense) give equal fingerprints. */
export function fingerprintValue(value: unknown): Fingerprint {
  return withEncoding(value, fingerprint);
}
