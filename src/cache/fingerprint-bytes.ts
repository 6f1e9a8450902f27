/**
 * Fingerprints are 16 lower-case hex digits everywhere on the API, and 8 raw bytes (the digits'
 * big-endian value) inside memo records: half the bytes to read and checksum, and comparing a
 * recorded fingerprint with a string needs no string built from the record.
 */
import type { Fingerprint } from './store.js';

export const FINGERPRINT_BYTES = 8;

/** Char codes of '0'..'9', 'a'..'f'. */
const DIGIT = new Uint8Array([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);
/** Value of a lower-case hex digit's char code, 255 for anything else. */
const NIBBLE = new Uint8Array(128).fill(255);
for (let i = 0; i < 16; i++) NIBBLE[DIGIT[i]!] = i;

/** Writes fp's 8 bytes at out[at]; throws RangeError if fp is not 16 lower-case hex digits. */
export function putFingerprint(fp: Fingerprint, out: Uint8Array, at: number): void {
  if (fp.length !== 16) throw new RangeError(`not a fingerprint: ${JSON.stringify(fp)}`);
  for (let i = 0; i < FINGERPRINT_BYTES; i++) {
    const hi = nibble(fp.charCodeAt(2 * i));
    const lo = nibble(fp.charCodeAt(2 * i + 1));
    if (hi === 255 || lo === 255) throw new RangeError(`not a fingerprint: ${JSON.stringify(fp)}`);
    out[at + i] = (hi << 4) | lo;
  }
}

function nibble(code: number): number {
  return code < 128 ? NIBBLE[code]! : 255;
}

/** The fingerprint whose bytes are b[at..at+8). */
export function fingerprintAt(b: Uint8Array, at: number): Fingerprint {
  const b0 = b[at]!, b1 = b[at + 1]!, b2 = b[at + 2]!, b3 = b[at + 3]!;
  const b4 = b[at + 4]!, b5 = b[at + 5]!, b6 = b[at + 6]!, b7 = b[at + 7]!;
  return String.fromCharCode(
    DIGIT[b0 >> 4]!, DIGIT[b0 & 15]!, DIGIT[b1 >> 4]!, DIGIT[b1 & 15]!,
    DIGIT[b2 >> 4]!, DIGIT[b2 & 15]!, DIGIT[b3 >> 4]!, DIGIT[b3 & 15]!,
    DIGIT[b4 >> 4]!, DIGIT[b4 & 15]!, DIGIT[b5 >> 4]!, DIGIT[b5 & 15]!,
    DIGIT[b6 >> 4]!, DIGIT[b6 & 15]!, DIGIT[b7 >> 4]!, DIGIT[b7 & 15]!,
  );
}

/** Whether fp is the fingerprint stored at b[at..at+8), without building a string. */
export function fingerprintIsAt(fp: Fingerprint, b: Uint8Array, at: number): boolean {
  if (fp.length !== 16) return false;
  for (let i = 0; i < FINGERPRINT_BYTES; i++) {
    const x = b[at + i]!;
    if (fp.charCodeAt(2 * i) !== DIGIT[x >> 4] || fp.charCodeAt(2 * i + 1) !== DIGIT[x & 15]) return false;
  }
  return true;
}

/** The 32-bit word (as an int32) of bytes b[at..at+4), big-endian: half a fingerprint. */
export function wordAt(b: Uint8Array, at: number): number {
  return (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;
}

/** Writes the 16 hex digits of the fingerprint at b[at..at+8) as ASCII at out[outAt]. */
export function putHexDigits(b: Uint8Array, at: number, out: Uint8Array, outAt: number): void {
  for (let i = 0; i < FINGERPRINT_BYTES; i++) {
    const x = b[at + i]!;
    out[outAt + 2 * i] = DIGIT[x >> 4]!;
    out[outAt + 2 * i + 1] = DIGIT[x & 15]!;
  }
}

/** The fingerprint whose words (as wordAt reads them) are high and low. */
export function fingerprintOfWords(high: number, low: number): Fingerprint {
  const d = (w: number, shift: number) => DIGIT[(w >>> shift) & 15]!;
  return String.fromCharCode(
    d(high, 28), d(high, 24), d(high, 20), d(high, 16), d(high, 12), d(high, 8), d(high, 4), d(high, 0),
    d(low, 28), d(low, 24), d(low, 20), d(low, 16), d(low, 12), d(low, 8), d(low, 4), d(low, 0),
  );
}

/** A copy of b[start, end). (Buffer#slice would share memory with a scratch buffer.) */
export function copyBytes(b: Uint8Array, start: number, end: number): Uint8Array {
  return Uint8Array.prototype.slice.call(b, start, end);
}
