import xxhash from 'xxhash-wasm';
import { IreetsError } from './errors.js';

// xxhash-wasm instantiates a WebAssembly module asynchronously; every entry point that hashes
// (import, the build graph) awaits `initHashing()` once, after which hashing is synchronous.
type Hasher = Awaited<ReturnType<typeof xxhash>>;
let hasher: Hasher | undefined;
let pending: Promise<Hasher> | undefined;

export async function initHashing(): Promise<void> {
  if (hasher) return;
  pending ??= xxhash();
  hasher = await pending;
}

function ready(): Hasher {
  if (!hasher) throw new IreetsError('INTERNAL', 'hashing used before `await initHashing()`');
  return hasher;
}

/** xxhash64 of bytes as a bigint (binary checksums). */
export function hashBytesRaw(bytes: Uint8Array): bigint {
  return ready().h64Raw(bytes);
}

/** xxhash64 of bytes as 16 lowercase hex digits. */
export function hashBytes(bytes: Uint8Array): string {
  return ready().h64Raw(bytes).toString(16).padStart(16, '0');
}

/** xxhash64 of a string's UTF-8 bytes as 16 lowercase hex digits. */
export function hashString(s: string): string {
  return ready().h64ToString(s).padStart(16, '0');
}

/** Incremental xxhash64 for data that arrives in pieces (e.g. a tensor's header then its bytes). */
export function createHasher(): { update(b: Uint8Array | string): void; digest(): string } {
  const h = ready().create64();
  return {
    update(b) {
      h.update(b);
    },
    digest() {
      return h.digest().toString(16).padStart(16, '0');
    },
  };
}
