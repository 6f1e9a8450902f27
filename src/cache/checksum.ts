/**
 * A 32-bit checksum (MurmurHash3, x86_32) over a byte range, in plain JS: memo records are
 * checked on every read, and for records of a hundred bytes a JS loop beats copying them into
 * the xxhash wasm memory. It detects damage; it is no fingerprint (values use xxhash64).
 */
export function checksum32(b: Uint8Array, start: number, end: number): number {
  let h = 0x9747b28c;
  let i = start;
  const words = alignedWords(b, start, end);
  if (words) {
    // The same little-endian words as below, one load each instead of four.
    for (let w = (viewOffset + start) >>> 2; i + 4 <= end; i += 4, w++) h = mix(h, words[w]!);
  } else {
    for (; i + 4 <= end; i += 4) h = mix(h, b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24));
  }
  const rest = end - i;
  if (rest > 0) {
    let k = b[i]!;
    if (rest > 1) k |= b[i + 1]! << 8;
    if (rest > 2) k |= b[i + 2]! << 16;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
  }
  h ^= end - start;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** A word view of the array last checked, and its byte offset (reads mostly reuse one scratch buffer). */
let viewed: Uint8Array | undefined;
let view: Int32Array = new Int32Array(0);
let viewOffset = 0;

/** Int32 words over b's buffer if [start, end) of b starts on a word boundary, else undefined. */
function alignedWords(b: Uint8Array, start: number, end: number): Int32Array | undefined {
  if (!LITTLE_ENDIAN || end - start < 32) return undefined;
  if (b !== viewed) {
    const buffer = b.buffer;
    viewed = b;
    viewOffset = b.byteOffset;
    view = new Int32Array(buffer, 0, buffer.byteLength >>> 2);
  }
  if (((viewOffset + start) & 3) !== 0) return undefined;
  // A buffer since detached or shrunk: the byte loop copes (or fails) as it always did.
  return (viewOffset + end) >>> 2 <= view.length ? view : undefined;
}
