/**
 * The persistent Store: LMDB under a cache directory. Several processes may open the same
 * directory at once; LMDB serialises their write transactions and gives readers snapshots.
 * A directory that can't be used (unwritable, locked, damaged) or a database that fails later
 * degrades the store to memory with one warning: builds go on, uncached.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { IreetsError } from '../util/errors.js';
import { resolveCacheDir, type CacheDirOptions } from './cache-dir.js';
import { initHashing } from './hashing.js';
import { LMDB_SUBDIR, openLmdbTables, type LmdbTables } from './lmdb-tables.js';
import { RecordStore, type RecordStoreOptions } from './record-store.js';
import { memoryTables } from './tables.js';

export interface LmdbStoreOptions extends CacheDirOptions, RecordStoreOptions {
  /** Receives the one warning when the cache is unusable (default: a line on stderr, as the CLI prints warnings). */
  onWarning?: (message: string) => void;
}

function defaultWarning(message: string): void {
  process.stderr.write(`ireets: warning: ${message}\n`);
}

export class LmdbStore extends RecordStore {
  private constructor(
    readonly dir: string,
    private lmdb: LmdbTables | undefined,
    private readonly warn: (message: string) => void,
    options: RecordStoreOptions,
  ) {
    super(lmdb ?? memoryTables(), options);
  }

  /** Opens (creating if needed) the cache at the resolved directory; never fails for the cache's sake. */
  static async open(options: LmdbStoreOptions = {}): Promise<LmdbStore> {
    await initHashing();
    const dir = resolveCacheDir(options);
    let lmdb: LmdbTables | undefined;
    let failure: unknown;
    try {
      lmdb = openLmdbTables(dir);
    } catch (e) {
      failure = e;
    }
    const store = new LmdbStore(dir, lmdb, options.onWarning ?? defaultWarning, options);
    if (!lmdb) store.degrade(failure);
    return store;
  }

  protected override onDegraded(reason: IreetsError): void {
    const lmdb = this.lmdb;
    this.lmdb = undefined;
    lmdb?.close().catch(() => undefined); // it failed already; closing is best effort
    this.warn(`the build cache at ${this.dir} is unusable, so nothing is cached beyond this process: ${reason.message}`);
  }

  /**
   * Empties the cache. A database file found damaged is deleted instead, and the cache reopened:
   * `ireets cache clear` is the way out of a broken cache.
   */
  override clear(): { memosRemoved: number; valuesRemoved: number; reset?: boolean } {
    if (this.degraded?.code !== 'CACHE_CORRUPT') return super.clear();
    const path = join(this.dir, LMDB_SUBDIR);
    for (const name of ['data.mdb', 'lock.mdb']) rmSync(join(path, name), { force: true });
    return { memosRemoved: 0, valuesRemoved: 0, reset: true };
  }

  async close(): Promise<void> {
    const lmdb = this.lmdb;
    this.lmdb = undefined;
    await lmdb?.close();
  }
}
