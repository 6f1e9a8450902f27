/** Tables on LMDB: one environment under <cacheDir>/lmdb with three named sub-databases. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { IreetsError } from '../util/errors.js';
import type { ByteTable, Tables } from './tables.js';

export const LMDB_SUBDIR = 'lmdb';
export const SUB_DATABASES = { memos: 'memos', values: 'values', meta: 'meta' } as const;

export interface LmdbTables extends Tables {
  readonly env: RootDatabase;
  close(): Promise<void>;
}

function lmdbTable(db: Database<Uint8Array, string>): ByteTable {
  return {
    get: (k) => db.get(k),
    has: (k) => db.doesExist(k),
    firstByte: (k) => db.getBinaryFast(k)?.[0],
    put: (k, b) => db.putSync(k, b),
    remove: (k) => void db.removeSync(k),
    entries: () => db.getRange().map(({ key, value }) => [key, value] as const),
  };
}

export function openLmdbTables(cacheDir: string): LmdbTables {
  const path = join(cacheDir, LMDB_SUBDIR);
  let env: RootDatabase;
  try {
    mkdirSync(path, { recursive: true });
    env = open({ path, maxDbs: 8 });
  } catch (e) {
    throw new IreetsError('CACHE_IO', `cannot open the build cache: ${(e as Error).message}`, path, { cause: e });
  }
  const sub = (name: string) => env.openDB<Uint8Array, string>({ name, encoding: 'binary' });
  return {
    env,
    memos: lmdbTable(sub(SUB_DATABASES.memos)),
    values: lmdbTable(sub(SUB_DATABASES.values)),
    meta: lmdbTable(sub(SUB_DATABASES.meta)),
    transact: (fn) => env.transactionSync(fn),
    close: () => env.close(),
  };
}
