// Reading a model file with the stat that describes what was read, so a later look can tell
// "unchanged" from a stat alone instead of re-reading and re-hashing tens of megabytes (the rule:
// src/util/file-stamp.ts).
import { Buffer } from 'node:buffer';
import { closeSync, fstatSync, openSync, read, readFileSync, readSync, type BigIntStats } from 'node:fs';
import { promisify } from 'node:util';
import { digestModel, ModelDigester } from '../../frontend/model-digest.js';
import { nowNs, sameStamp, stampOf, type FileStamp } from '../../util/file-stamp.js';
import { modelFileBuffer, recycleModelFileBuffer } from './file-buffers.js';

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

/** Bytes per read, and reads in flight: the thread pool reads ahead while this thread digests in order. */
const READ_PIECE_BYTES = 4 << 20;
const READS_IN_FLIGHT = 4;

/**
 * Reads the whole file, the stamp of what was read (retrying if it changes mid-read) and the
 * digest of its bytes (digestOf's; requires initHashing()), digested piece by piece while the
 * next is read.
 */
export async function readSnapshot(path: string): Promise<FileSnapshot> {
  const { value: read, stamp, readStartNs } = await readUnderStamp(
    path,
    async (fd, stats, attempt) => {
      const r = attempt < 2 ? await readPieces(fd, Number(stats.size)) : await wholeFile(fd);
      return { value: r, complete: r.complete };
    },
    (r) => recycleModelFileBuffer(r.bytes),
  );
  return { bytes: read.bytes, digest: read.digest, externalLocations: read.externalLocations, stamp, readStartNs };
}

/**
 * Reads the file at `path` with `readOnce` under the stamp of what was read: opened and read again
 * (`discard` lets go of the earlier read) if it changed while being read; after a few tries, the
 * last read is kept under a stamp that never vouches (racy by construction), so a later look
 * reads it again. Errors of `openSync` and `readOnce` reach the caller.
 */
export async function readUnderStamp<T>(
  path: string,
  readOnce: (fd: number, stats: BigIntStats, attempt: number) => Promise<{ value: T; complete: boolean }>,
  discard: (value: T) => void = () => undefined,
): Promise<{ value: T; stamp: FileStamp; readStartNs: bigint }> {
  for (let attempt = 0; ; attempt++) {
    const readStartNs = nowNs();
    const fd = openSync(path, 'r');
    try {
      const stats = fstatSync(fd, { bigint: true });
      const before = stampOf(stats);
      const read = await readOnce(fd, stats, attempt);
      const after = stampOf(fstatSync(fd, { bigint: true }));
      const unchanged = read.complete && sameStamp(before, after);
      if (unchanged || attempt >= 2) return { value: read.value, stamp: unchanged ? before : { ...after, ctimeNs: readStartNs }, readStartNs };
      discard(read.value);
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
