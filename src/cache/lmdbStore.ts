/**
 * The persistent Store: LMDB under a cache directory. Several processes may open the same
 * directory at once; LMDB serialises their write transactions and gives readers snapshots.
 */
import { resolveCacheDir, type CacheDirOptions } from './cacheDir.js';
import { initHashing } from './hashing.js';
import { openLmdbTables, type LmdbTables } from './lmdbTables.js';
import { RecordStore } from './recordStore.js';

export class LmdbStore extends RecordStore {
  private constructor(
    readonly dir: string,
    private readonly lmdb: LmdbTables,
  ) {
    super(lmdb);
  }

  /** Opens (creating if needed) the cache at the resolved directory. */
  static async open(options: CacheDirOptions = {}): Promise<LmdbStore> {
    await initHashing();
    const dir = resolveCacheDir(options);
    return new LmdbStore(dir, openLmdbTables(dir));
  }

  close(): Promise<void> {
    return this.lmdb.close();
  }
}
