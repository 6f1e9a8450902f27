/**
 * Dependencies of a loaded memo, kept as the record stores them (fixed-width entries, see
 * records.ts) and decoded one field at a time. A fresh process verifying a large graph loads
 * one memo per dependency it meets: a few objects and strings per dependency, kept for the
 * life of the process, cost more in garbage collection than everything else together.
 */
import { FINGERPRINT_BYTES, copyBytes, fingerprintAt, fingerprintIsAt, putHexDigits, wordAt } from './fingerprint-bytes.js';
import type { DepList, Fingerprint } from './store.js';

/** One dependency in a record: u16 LE (name index·2 + input), key hash, fingerprint. */
export const DEP_BYTES = 2 + 2 * FINGERPRINT_BYTES;

export class PackedDeps implements DepList {
  constructor(
    /** Holds the entries at [at, at + length·DEP_BYTES); shared with other memos (an arena chunk). */
    private readonly bytes: Uint8Array,
    private readonly at: number,
    readonly length: number,
    /** Query names the entries index; shared by every memo with the same list. */
    private readonly names: readonly string[],
  ) {}

  query(i: number): string {
    const p = this.at + i * DEP_BYTES;
    return this.names[(this.bytes[p]! | (this.bytes[p + 1]! << 8)) >>> 1]!;
  }

  isInput(i: number): boolean {
    return (this.bytes[this.at + i * DEP_BYTES]! & 1) === 1;
  }

  keyHash(i: number): Fingerprint {
    return fingerprintAt(this.bytes, this.at + i * DEP_BYTES + 2);
  }

  fingerprint(i: number): Fingerprint {
    return fingerprintAt(this.bytes, this.at + i * DEP_BYTES + 2 + FINGERPRINT_BYTES);
  }

  fingerprintIs(i: number, fp: Fingerprint): boolean {
    return fingerprintIsAt(fp, this.bytes, this.at + i * DEP_BYTES + 2 + FINGERPRINT_BYTES);
  }

  keyHashHigh(i: number): number {
    return wordAt(this.bytes, this.at + i * DEP_BYTES + 2);
  }

  keyHashLow(i: number): number {
    return wordAt(this.bytes, this.at + i * DEP_BYTES + 6);
  }

  fingerprintHigh(i: number): number {
    return wordAt(this.bytes, this.at + i * DEP_BYTES + 2 + FINGERPRINT_BYTES);
  }

  fingerprintLow(i: number): number {
    return wordAt(this.bytes, this.at + i * DEP_BYTES + 6 + FINGERPRINT_BYTES);
  }

  /** Whether this list holds exactly the count entries at b[start..], naming queries from names. */
  holds(b: Uint8Array, start: number, count: number, names: readonly string[]): boolean {
    if (count !== this.length || names !== this.names) return false;
    const mine = this.bytes;
    for (let i = 0, n = count * DEP_BYTES; i < n; i++) if (mine[this.at + i] !== b[start + i]) return false;
    return true;
  }

  /** Writes dependency i's key hash as 16 ASCII hex digits at out[at] (a memo key, built without a string). */
  putKeyHashDigits(i: number, out: Uint8Array, at: number): void {
    putHexDigits(this.bytes, this.at + i * DEP_BYTES + 2, out, at);
  }
}

export const NO_DEPS: DepList = new PackedDeps(new Uint8Array(0), 0, 0, []);

const CHUNK = 256 * 1024;
/** Sections at least this large get an array of their own rather than a slice of a chunk. */
const OWN_ARRAY = CHUNK / 8;

/**
 * Copies of loaded dependency sections, packed into large chunks: one small typed array per
 * memo would cost more than the bytes it holds. A chunk lives as long as any memo in it.
 */
export class ByteArena {
  private chunk = new Uint8Array(0);
  private used = 0;
  /** The array that the last copy went to (see copy). */
  last: Uint8Array = this.chunk;

  /** Copies src[start, end) and returns its offset in `this.last`. */
  copy(src: Uint8Array, start: number, end: number): number {
    const n = end - start;
    if (n >= OWN_ARRAY) {
      this.last = copyBytes(src, start, end);
      return 0;
    }
    if (this.used + n > this.chunk.length) {
      this.chunk = new Uint8Array(CHUNK);
      this.used = 0;
    }
    const at = this.used;
    const chunk = this.chunk;
    if (n <= 64) for (let i = 0; i < n; i++) chunk[at + i] = src[start + i]!;
    else chunk.set(src.subarray(start, end), at);
    this.used += n;
    this.last = chunk;
    return at;
  }
}
