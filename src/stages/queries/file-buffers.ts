// Buffers for model files, reused from one read to the next. A fresh 50 MB buffer costs a page
// fault per 4 KB page on first touch: reading a model into one took twice as long as reading it
// into memory already paged in. The compiler reads a model, and releases the previous content
// of that path once the new one is held (file-contents.ts); that released buffer becomes the
// next read's. Nothing may use released bytes any more: the import reads them synchronously
// and copies what it keeps, and the known raw contents that still view them are let go here.
import { Buffer } from 'node:buffer';
import { forgetBuffer } from '../../frontend/initializer-reuse.js';

/** Smaller files are cheap to page in: not worth keeping a buffer for. */
const REUSED_MIN_BYTES = 1 << 20;
/** Room for edits that grow the file a little (pages never touched cost nothing). */
const headroom = (size: number): number => Math.max(64 << 10, Math.ceil(size / 64));
/** A spare nobody asked for this long is let go (to the garbage collector). */
const SPARE_KEEP_MS = 60_000;

/**
 * IREETS_POISON_RECYCLED=1 (the test suite sets it) overwrites a recycled buffer at once, so a
 * view someone kept of released model bytes reads garbage and fails loudly instead of reading the
 * next file's bytes only sometimes.
 */
const POISON = process.env['IREETS_POISON_RECYCLED'] === '1';

/** Buffers this module handed out: only those come back. */
const ours = new WeakSet<ArrayBufferLike>();
let spare: ArrayBuffer | undefined;
let spareTimer: ReturnType<typeof setTimeout> | undefined;

/** Whether the spare can hold a file of `size` bytes without wasting more than it holds. */
const spareFits = (size: number): boolean => spare !== undefined && spare.byteLength >= size && spare.byteLength <= 2 * size + headroom(size);

/** A new buffer of ours for a file of `size` bytes, with headroom. */
function newBuffer(size: number): ArrayBuffer {
  const ab = Buffer.allocUnsafeSlow(size + headroom(size)).buffer as ArrayBuffer;
  ours.add(ab);
  return ab;
}

/** Keeps `ab` as the spare, for SPARE_KEEP_MS. */
function keepSpare(ab: ArrayBuffer): void {
  spare = ab;
  clearTimeout(spareTimer);
  spareTimer = setTimeout(() => (spare = undefined), SPARE_KEEP_MS);
  spareTimer.unref();
}

/** A buffer of `size` bytes for a model file's content: the spare when it fits, else a new one. */
export function modelFileBuffer(size: number): Buffer {
  if (spareFits(size)) {
    const b = Buffer.from(spare!, 0, size);
    spare = undefined;
    return b;
  }
  if (size < REUSED_MIN_BYTES) return Buffer.allocUnsafeSlow(size);
  return Buffer.from(newBuffer(size), 0, size);
}

/**
 * Gives the buffer behind `bytes` (from modelFileBuffer; others are ignored) back for a later
 * read. Only when no one uses those bytes, or views of them, any more.
 */
export function recycleModelFileBuffer(bytes: Uint8Array): void {
  const ab = bytes.buffer;
  if (!ours.has(ab) || ab === spare) return;
  forgetBuffer(ab);
  if (POISON) new Uint8Array(ab).fill(0xa5);
  if (spare && spare.byteLength > ab.byteLength) return;
  keepSpare(ab as ArrayBuffer);
}

/**
 * Makes sure a spare for a file of `size` bytes exists, paged in: called when the compiler is
 * idle after a build, so the next edit of a model read for the first time (no released buffer
 * yet) does not pay a page fault per 4 KB on the build's path.
 */
export function prepareSpare(size: number): void {
  if (size < REUSED_MIN_BYTES || spareFits(size)) return;
  const ab = newBuffer(size);
  new Uint8Array(ab).fill(0);
  keepSpare(ab);
}
