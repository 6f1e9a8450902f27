// What a stat says of a file's content, git's way: equal (device, inode, size, mtime, ctime) means
// equal content, unless the file changed so close to the read that a later write could carry the
// same times ("racy"). The compiler's model and data file reads and the runtime's reuse of a
// parameter archive follow this one rule (Node only).
import { statSync } from 'node:fs';

export interface FileStamp {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
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

/**
 * Whether a read made under `stamp` (started at `readStartNs`) still stands for the file at
 * `path`: the stamp is not racy and the file carries it now. `undefined` stands for "no such
 * file", which still stands while there is none.
 */
export async function stillAsRead(path: string, stamp: FileStamp | undefined, readStartNs: bigint): Promise<boolean> {
  const now = await currentStamp(path);
  if (stamp === undefined) return now === undefined;
  return now !== undefined && !isRacy(stamp, readStartNs) && sameStamp(now, stamp);
}
