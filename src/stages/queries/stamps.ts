// Small records the compiler keeps in the cache beside the build graph's memos, so a fresh
// process can skip work a stat can vouch for:
//   - model stamps: the file stamp a model was read under and the digest of what was read, so a
//     no-op build need not read and hash the model again;
//   - output stamps: the stamp of a module file this compiler wrote, the module it holds (the
//     `module` memo's value fingerprint) and its first bytes, so a no-op build need not write it.
// They are side records (records.ts): the cache's GC keeps them as long as they are rewritten.
import type { Store } from '../../cache/store.js';
import type { DataFileState } from './data-files.js';
import type { FileDigest } from './file-contents.js';
import type { FileStamp } from '../../util/file-stamp.js';
import { readSideRecord, writeSideRecords, type SideRecord } from './records.js';

// Model stamps 2: digests are modelDigest()'s (structured), no longer xxhash64 of the whole file.
// 3: a model with external data carries its data files' stamps, and its digest covers them.
const MODEL_VERSION = 'stamp-3';
const OUTPUT_VERSION = 'stamp-1';

export interface ModelStamp {
  stamp: FileStamp;
  readStartNs: bigint;
  digest: FileDigest;
  /** The external data files read with the model: each must vouch as well. */
  data?: DataFileState[] | undefined;
}

export interface OutputStamp {
  stamp: FileStamp;
  /** Value fingerprint of the `module` memo whose bytes the file holds. */
  module: string;
  /** The file's first bytes (the module header, with its checksum): a cheap content check. */
  head: Uint8Array;
}

const MODEL = 'stamp.model';
const OUTPUT = 'stamp.output';

export const readModelStamp = (store: Store, path: string): ModelStamp | undefined => readSideRecord<ModelStamp>(store, MODEL, MODEL_VERSION, path);
export const readOutputStamp = (store: Store, path: string): OutputStamp | undefined => readSideRecord<OutputStamp>(store, OUTPUT, OUTPUT_VERSION, path);

/** Records to write in one batch; a later record for the same file replaces an earlier one. */
export class StampBatch {
  private readonly entries = new Map<string, SideRecord>();

  model(path: string, s: ModelStamp): void {
    this.entries.set(`${MODEL}\0${path}`, { kind: MODEL, version: MODEL_VERSION, key: path, value: s });
  }

  output(path: string, s: OutputStamp): void {
    this.entries.set(`${OUTPUT}\0${path}`, { kind: OUTPUT, version: OUTPUT_VERSION, key: path, value: s });
  }

  /** Any other side record (e.g. a fact, facts.ts); a later one for the same (kind, key) replaces it. */
  add(record: SideRecord): void {
    this.entries.set(`${record.kind}\0${JSON.stringify(record.key)}`, record);
  }

  /** Takes over the records of `other` (newer than ours). */
  merge(other: StampBatch): void {
    for (const [k, e] of other.entries) this.entries.set(k, e);
  }

  get empty(): boolean {
    return this.entries.size === 0;
  }

  /** Writes the records and forgets them (written or not: they are only shortcuts). */
  async write(store: Store): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    await writeSideRecords(store, entries);
  }
}
