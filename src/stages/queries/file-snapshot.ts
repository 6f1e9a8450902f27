// Reading a model file with the stat that describes what was read, so a later look can tell
// "unchanged" from a stat alone instead of re-reading and re-hashing tens of megabytes. The rule
// is git's: equal (device, inode, size, mtime, ctime) means equal content, unless the file was
// changed so close to the read that a later write could carry the same timestamps ("racy").
import { Buffer } from 'node:buffer';
import { closeSync, fstatSync, openSync, read, readFileSync, readSync, statSync } from 'node:fs';
import { promisify } from 'node:util';
import { digestModel, ModelDigester } from '../../frontend/model-digest.js';
import { modelFileBuffer, recycleModelFileBuffer } from './file-buffers.js';

export interface FileStamp {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

export interface FileSnapshot {
  bytes: Uint8Array;
  /** The model digest of `bytes` (the model file alone: digestModel). */
  digest: string;
  /** The external data locations the model's tensors name (ModelDigester.externalLocations). */
  externalLocations: string[];
  stamp: FileStamp;
  /** Wall clock (ns) just before the read started. */
  readStartNs: bigint;
}

export const stampOf = (s: { dev: bigint; ino: bigint; size: bigint; mtimeNs: bigint; ctimeNs: bigint }): FileStamp => ({
  dev: s.dev,
  ino: s.ino,
  size: s.size,
  mtimeNs: s.mtimeNs,
  ctimeNs: s.ctimeNs,
});

export function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}

export const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;

/**
 * Whether a write after the read could leave the stamp as it was: the file changed within the
 * timestamp granularity before the read. File times come from a coarse kernel clock (a jiffy,
 * at most 10 ms), or are whole milliseconds or seconds on some file systems.
 */
export function isRacy(stamp: FileStamp, readStartNs: bigint): boolean {
  const coarse = stamp.ctimeNs % 1_000_000n === 0n;
  const margin = coarse ? 2_500_000_000n : 20_000_000n;
  return stamp.ctimeNs >= readStartNs - margin || stamp.mtimeNs >= readStartNs - margin;
}

/**
 * The file's stamp now; undefined when it cannot be stat'ed (gone, unreadable). Synchronous, as
 * are the other small file operations of a build (open, stat, close, rename): each is
 * microseconds, where a round trip through the thread pool costs milliseconds on a machine whose
 * idle cores must first be woken, and a build makes dozens of them one after the other. Only
 * bulk reads and writes go to the thread pool, where they overlap work on this thread.
 */
export async function currentStamp(path: string): Promise<FileStamp | undefined> {
  try {
    return stampOf(statSync(path, { bigint: true }));
  } catch {
    return undefined;
  }
}

/** Bytes per read, and reads in flight: the thread pool reads ahead while this thread digests in order. */
const READ_PIECE_BYTES = 4 << 20;
const READS_IN_FLIGHT = 4;

/**
 * Reads the whole file, the stamp of what was read (retrying if it changes mid-read) and the
 * digest of its bytes (digestOf's; requires initHashing()), digested piece by piece while the
 * next is read.
 */
export async function readSnapshot(path: string): Promise<FileSnapshot> {
  for (let attempt = 0; ; attempt++) {
    const readStartNs = nowNs();
    const fd = openSync(path, 'r');
    try {
      const before = stampOf(fstatSync(fd, { bigint: true }));
      const read = attempt < 2 ? await readPieces(fd, Number(before.size)) : await wholeFile(fd);
      const after = stampOf(fstatSync(fd, { bigint: true }));
      const unchanged = read.complete && sameStamp(before, after);
      // Changed while being read: take it again; after a few tries, a stamp that never matches
      // (racy by construction) still forces a full recheck later.
      if (unchanged || attempt >= 2) return { bytes: read.bytes, digest: read.digest, externalLocations: read.externalLocations, stamp: unchanged ? before : { ...after, ctimeNs: readStartNs }, readStartNs };
      recycleModelFileBuffer(read.bytes);
    } finally {
      closeSync(fd);
    }
  }
}

interface FileRead {
  bytes: Uint8Array;
  digest: string;
  externalLocations: string[];
  /** false: the file did not hold exactly `size` bytes (it changed). */
  complete: boolean;
}

/**
 * `size` bytes from the start of the file, read in pieces several at a time and digested in
 * order (the digest compares each weight while its bytes are fresh in cache).
 */
async function readPieces(fd: number, size: number): Promise<FileRead> {
  const bytes = modelFileBuffer(size);
  const digester = new ModelDigester(bytes);
  const pieces = Math.ceil(size / READ_PIECE_BYTES);
  const reads: Promise<number>[] = [];
  const start = (i: number): void => {
    const read = readPiece(fd, bytes, i * READ_PIECE_BYTES, Math.min(READ_PIECE_BYTES, size - i * READ_PIECE_BYTES));
    read.catch(() => undefined); // awaited in turn below; a later piece may fail first
    reads.push(read);
  };
  try {
    for (let i = 0; i < Math.min(READS_IN_FLIGHT, pieces); i++) start(i);
    for (let i = 0; i < pieces; i++) {
      const at = i * READ_PIECE_BYTES;
      const got = await reads[i]!;
      if (got < Math.min(READ_PIECE_BYTES, size - at)) return { bytes: bytes.subarray(0, at + got), digest: '', externalLocations: [], complete: false };
      if (reads.length < pieces) start(reads.length);
      digester.advance(at + got);
    }
  } finally {
    // No read may still be writing into the buffer, or use the file, once this returns.
    await Promise.allSettled(reads);
  }
  // One byte more means the file grew after the stat.
  const beyond = readSync(fd, Buffer.alloc(1), 0, 1, size);
  const digest = digester.finish();
  return { bytes, digest, externalLocations: digester.externalLocations, complete: beyond === 0 };
}

/** Reads `length` bytes at `position` into `into` (same offset); fewer only at the end of the file. */
const readAt = promisify(read);

async function readPiece(fd: number, into: Uint8Array, position: number, length: number): Promise<number> {
  let got = 0;
  while (got < length) {
    const { bytesRead } = await readAt(fd, into, position + got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}

async function wholeFile(fd: number): Promise<FileRead> {
  const bytes = readFileSync(fd);
  return { bytes, ...digestModel(bytes), complete: true };
}
