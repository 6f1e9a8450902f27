/** Tables on LMDB: one environment under <cacheDir>/lmdb with three named sub-databases. */
import { join } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { IreetsError, isIreetsError } from '../util/errors.js';
import { checkLmdbDir } from './lmdb-preflight.js';
import type { ByteTable, Tables } from './tables.js';

export const LMDB_SUBDIR = 'lmdb';
export const SUB_DATABASES = { memos: 'memos', values: 'values', meta: 'meta' } as const;

export interface LmdbTables extends Tables {
  readonly env: RootDatabase;
  close(): Promise<void>;
}

function lmdbTable(db: Database<Uint8Array, string>): ByteTable {
  const table: ByteTable = {
    get: (k) => db.get(k),
    peek: (k) => {
      // getBinaryFast copies into one shared buffer (no allocation per read) and fakes its
      // length with an own property; a plain view gives callers an honest array.
      const b = db.getBinaryFast(k);
      return b && new Uint8Array(b.buffer, b.byteOffset, b.length);
    },
    lend: (k) => {
      // The shared buffer itself, its faked length returned: not even a view per read. A key
      // given as bytes is the UTF-8 of the string key (what the key encoding writes for it).
      const b = db.getBinaryFast(k as string);
      if (!b) return -1;
      table.lent = b;
      return b.length;
    },
    lent: new Uint8Array(0),
    has: (k) => db.doesExist(k),
    firstByte: (k) => db.getBinaryFast(k)?.[0],
    put: (k, b) => db.putSync(k, b),
    remove: (k) => void db.removeSync(k),
    entries: () => db.getRange().map(({ key, value }) => [key, value] as const),
  };
  return table;
}

/** Throws CACHE_IO or CACHE_CORRUPT (a damaged database file) when the directory can't be used. */
export function openLmdbTables(cacheDir: string): LmdbTables {
  const path = join(cacheDir, LMDB_SUBDIR);
  try {
    checkLmdbDir(path);
    // noMetaSync: one flush per commit instead of two. LMDB keeps the database consistent; a
    // system crash may undo the last commit, which for a cache means a rebuild of what it held.
    // The second flush was most of an edit's commit time.
    const env = open({ path, maxDbs: 8, noMetaSync: true });
    const sub = (name: string) => lmdbTable(env.openDB<Uint8Array, string>({ name, encoding: 'binary' }));
    return {
      env,
      memos: sub(SUB_DATABASES.memos),
      values: sub(SUB_DATABASES.values),
      meta: sub(SUB_DATABASES.meta),
      transact: (fn) => env.transactionSync(fn),
      close: () => env.close(),
    };
  } catch (e) {
    if (isIreetsError(e)) throw e;
    throw new IreetsError('CACHE_IO', `cannot open the build cache: ${(e as Error).message}`, path, { cause: e });
  }
}
