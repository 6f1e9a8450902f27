// Small records the compiler keeps in the cache beside the build graph's memos, so a fresh
// process can skip work a stat can vouch for:
//   - model stamps: the file stamp a model was read under and the digest of what was read, so a
//     no-op build need not read and hash the model again;
//   - output stamps: the stamp of a module file this compiler wrote, the module it holds (the
//     `module` memo's value fingerprint) and its first bytes, so a no-op build need not write it.
// They are stored as memos without dependencies under their own query names (never registered
// with the engine), so the cache's GC keeps them as long as they are rewritten or touched.
import type { Store } from '../../cache/store.js';
import type { FileDigest } from './file-contents.js';
import type { FileStamp } from './file-snapshot.js';

const VERSION = 'stamp-1';

export interface ModelStamp {
  stamp: FileStamp;
  readStartNs: bigint;
  digest: FileDigest;
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

function read<T>(store: Store, query: string, key: string): T | undefined {
  const memo = store.readMemo(query, store.fingerprintValue(key));
  if (!memo.found || memo.value.version !== VERSION) return undefined;
  const value = store.readValue(memo.value.valueFingerprint);
  return value.found ? (value.value as T) : undefined;
}

export const readModelStamp = (store: Store, path: string): ModelStamp | undefined => read<ModelStamp>(store, MODEL, path);
export const readOutputStamp = (store: Store, path: string): OutputStamp | undefined => read<OutputStamp>(store, OUTPUT, path);

/** Records to write in one batch; a later record for the same file replaces an earlier one. */
export class StampBatch {
  private readonly entries = new Map<string, { query: string; key: string; value: unknown }>();

  model(path: string, s: ModelStamp): void {
    this.entries.set(`${MODEL}\0${path}`, { query: MODEL, key: path, value: s });
  }

  output(path: string, s: OutputStamp): void {
    this.entries.set(`${OUTPUT}\0${path}`, { query: OUTPUT, key: path, value: s });
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
    if (this.empty) return;
    const entries = [...this.entries.values()];
    this.entries.clear();
    const values = new Map<string, unknown>();
    const memos = entries.map(({ query, key, value }) => {
      const keyHash = store.fingerprintValue(key);
      const valueFingerprint = store.fingerprintValue(value);
      values.set(valueFingerprint, value);
      values.set(keyHash, key);
      return { query, keyHash, version: VERSION, deps: [], valueFingerprint };
    });
    await store.write({ memos, values, touched: [], counters: {} });
  }
}
