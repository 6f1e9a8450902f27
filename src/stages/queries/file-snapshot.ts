// Reading a model file with the stat that describes what was read, so a later look can tell
// "unchanged" from a stat alone instead of re-reading and re-hashing tens of megabytes. The rule
// is git's: equal (device, inode, size, mtime, ctime) means equal content, unless the file was
// changed so close to the read that a later write could carry the same timestamps ("racy").
import { open, stat } from 'node:fs/promises';

export interface FileStamp {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

export interface FileSnapshot {
  bytes: Uint8Array;
  stamp: FileStamp;
  /** Wall clock (ns) just before the read started. */
  readStartNs: bigint;
}

const stampOf = (s: { dev: bigint; ino: bigint; size: bigint; mtimeNs: bigint; ctimeNs: bigint }): FileStamp => ({
  dev: s.dev,
  ino: s.ino,
  size: s.size,
  mtimeNs: s.mtimeNs,
  ctimeNs: s.ctimeNs,
});

export function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}

const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;

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

/** The file's stamp now; undefined when it cannot be stat'ed (gone, unreadable). */
export async function currentStamp(path: string): Promise<FileStamp | undefined> {
  try {
    return stampOf(await stat(path, { bigint: true }));
  } catch {
    return undefined;
  }
}

/** Reads the whole file and the stamp of what was read (retrying if it changes mid-read). */
export async function readSnapshot(path: string): Promise<FileSnapshot> {
  for (let attempt = 0; ; attempt++) {
    const readStartNs = nowNs();
    const fd = await open(path, 'r');
    try {
      const before = stampOf(await fd.stat({ bigint: true }));
      const bytes = await fd.readFile();
      const after = stampOf(await fd.stat({ bigint: true }));
      // Changed while being read: take it again; after a few tries, a stamp that never matches
      // (racy by construction) still forces a full recheck later.
      if (sameStamp(before, after) || attempt >= 2) return { bytes, stamp: sameStamp(before, after) ? before : { ...after, ctimeNs: readStartNs }, readStartNs };
    } finally {
      await fd.close();
    }
  }
}
