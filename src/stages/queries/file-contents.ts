// Model files enter the build graph as content digests, not bytes: fingerprinting a digest is
// free, where re-encoding a 50 MB file on every build (and again to recheck it) is not. The
// bytes wait here, by digest, for the import that needs them. The import is still a pure
// function of its input: a digest names exactly one content.
import { hashBytes } from '../../util/hash.js';
import { IreetsError } from '../../util/errors.js';

export interface FileDigest {
  /** xxhash64 of the bytes, 16 hex digits (requires initHashing()). */
  digest: string;
  size: number;
}

const held = new Map<string, { bytes: Uint8Array; holders: number }>();

export function digestOf(bytes: Uint8Array): FileDigest {
  return { digest: hashBytes(bytes), size: bytes.length };
}

const idOf = (d: FileDigest): string => `${d.digest}/${d.size}`;

/** Keeps `bytes` available under their digest until released as often as retained. */
export function retainContent(d: FileDigest, bytes: Uint8Array): void {
  const entry = held.get(idOf(d));
  if (entry) entry.holders++;
  else held.set(idOf(d), { bytes, holders: 1 });
}

export function releaseContent(d: FileDigest): void {
  const entry = held.get(idOf(d));
  if (entry && --entry.holders === 0) held.delete(idOf(d));
}

/** The bytes behind a digest; only asked for while the compiler that read them holds them. */
export function contentOf(d: FileDigest, path: string): Uint8Array {
  const entry = held.get(idOf(d));
  if (!entry) throw new IreetsError('INTERNAL', `the content of the model (digest ${d.digest}) is no longer held`, path);
  return entry.bytes;
}
