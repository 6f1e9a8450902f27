// A model's external data files (TensorProto.external_data "location"s) are as much its content
// as its own bytes: a build that did not look at them would keep a module compiled from weights
// the user has since replaced. So the compiler reads them with the model, under a stamp each
// (src/util/file-stamp.ts's rule), and the model's digest in the build graph covers their content:
//
//   digest = <model file digest> "+" xxhash64(canonical JSON of [[location, file digest | null], …])
//
// (null: no such file; the import then says so, and the build that follows its creation sees a
// new digest). The import takes the bytes read here instead of reading the files again, so what
// is compiled is what was hashed. A model without external data keeps its plain digest. A data
// file whose stamp still vouches for an earlier read the compiler holds is not read again.
import { read } from 'node:fs';
import { dirname } from 'node:path';
import { dataFilePath } from '../../frontend/external-data.js';
import { promisify } from 'node:util';
import { hashLargeBytes } from '../../util/hash-chunked.js';
import { hashString } from '../../util/hash.js';
import { nowNs, stillAsRead, type FileStamp } from '../../util/file-stamp.js';
import { readUnderStamp } from './file-snapshot.js';

/** One external data file as a build read it. */
export interface DataFileState {
  /** Absolute path. */
  path: string;
  /** Its stamp when read; undefined when there was no such file. */
  stamp: FileStamp | undefined;
  /** Wall clock (ns) just before the read started. */
  readStartNs: bigint;
  /** xxhash64 and length of what was read ("hash/length"); undefined when there was no such file. */
  digest?: string | undefined;
}

/** What an earlier read of the same model gave: files whose stamps still vouch are not read again. */
export interface EarlierDataFiles {
  states: readonly DataFileState[];
  bytes: ReadonlyMap<string, Uint8Array> | undefined;
}

export interface DataFiles {
  /** Whole files by absolute path, for the import (ImportOptions.externalFiles). */
  bytes: Map<string, Uint8Array>;
  states: DataFileState[];
  /** What the model's digest gets appended (see above). */
  digestPart: string;
}

/**
 * The files `locations` name, relative to the model's directory. Locations that leave it are
 * left out: the import refuses them, naming the tensor.
 */
export function dataFilePaths(modelPath: string, locations: readonly string[]): { location: string; path: string }[] {
  const dir = dirname(modelPath);
  const out: { location: string; path: string }[] = [];
  for (const location of locations) {
    const path = location === '' ? undefined : dataFilePath(dir, location);
    if (path !== undefined) out.push({ location, path });
  }
  return out;
}

/**
 * Reads the external data files of the model at `modelPath` (their locations as its digest found
 * them). A file an earlier read holds, whose stamp still vouches, is taken from it: an edit of a
 * model whose weights lie in gigabytes of data files does not read them all again.
 */
export async function readDataFiles(modelPath: string, locations: readonly string[], earlier?: EarlierDataFiles): Promise<DataFiles> {
  const bytes = new Map<string, Uint8Array>();
  const states: DataFileState[] = [];
  const entries: [string, string | null][] = [];
  for (const { location, path } of dataFilePaths(modelPath, locations)) {
    const kept = await keptFromEarlier(path, earlier);
    let state: DataFileState;
    if (kept) {
      state = kept.state;
      bytes.set(path, kept.bytes);
    } else {
      const read = await readDataFile(path);
      state = { path, stamp: read.stamp, readStartNs: read.readStartNs, digest: read.bytes ? `${hashLargeBytes(read.bytes)}/${read.bytes.length}` : undefined };
      if (read.bytes) bytes.set(path, read.bytes);
    }
    states.push(state);
    entries.push([location, state.digest ?? null]);
  }
  return { bytes, states, digestPart: hashString(JSON.stringify(entries)) };
}

/** The earlier read of `path`, if its bytes are at hand and it still stands (stillAsRead). */
async function keptFromEarlier(path: string, earlier: EarlierDataFiles | undefined): Promise<{ state: DataFileState; bytes: Uint8Array } | undefined> {
  const state = earlier?.states.find((s) => s.path === path);
  const bytes = earlier?.bytes?.get(path);
  if (!state?.stamp || !state.digest || !bytes) return undefined;
  return (await stillAsRead(path, state.stamp, state.readStartNs)) ? { state, bytes } : undefined;
}

/** The model digest of a model file with external data: the file's own digest plus its data files' part. */
export function withDataFiles(modelDigest: string, data: DataFiles | undefined): string {
  return data ? `${modelDigest}+${data.digestPart}` : modelDigest;
}

const readAt = promisify(read);

/** Data files read from disk by this process (tests check that unchanged ones are not read again). */
export const dataFileReads = { count: 0 };

class NotAFile {}

/** A whole file and the stamp of what was read (readUnderStamp); no bytes when it is not a file that opens. */
async function readDataFile(path: string): Promise<{ bytes?: Uint8Array; stamp?: FileStamp; readStartNs: bigint }> {
  dataFileReads.count++;
  const startNs = nowNs();
  try {
    const { value, stamp, readStartNs } = await readUnderStamp(path, async (fd, stats) => {
      if (!stats.isFile()) throw new NotAFile();
      const size = Number(stats.size);
      const bytes = new Uint8Array(size);
      let done = 0;
      while (done < size) {
        const { bytesRead } = await readAt(fd, bytes, done, size - done, done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return { value: bytes.subarray(0, done), complete: done === size };
    });
    return { bytes: value, stamp, readStartNs };
  } catch (e) {
    if (e instanceof NotAFile || (e as NodeJS.ErrnoException).syscall === 'open') return { readStartNs: startNs };
    throw e;
  }
}
