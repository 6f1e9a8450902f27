import { open } from 'lmdb';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LmdbStore } from '../../src/cache/lmdb-store.js';
import { LMDB_SUBDIR, SUB_DATABASES } from '../../src/cache/lmdb-tables.js';
import { Database } from '../../src/graph/database.js';
import { defineInput, defineQuery } from '../../src/graph/query.js';
import type { IreetsError } from '../../src/util/errors.js';
import { captureEvents, makeTempDir, outcomes } from './helpers.js';

/** The queries of one "process": fresh definitions and run counters each time. */
function program(versions: { parse?: string; total?: string } = {}) {
  const file = defineInput<string, string>('file');
  const runs: string[] = [];
  const parse = defineQuery<string, number[]>({
    name: 'parse',
    version: versions.parse ?? '1',
    compute: (ctx, path) => {
      runs.push(`parse ${path}`);
      return ctx.input(file, path).split(',').map(Number);
    },
  });
  const total = defineQuery<readonly string[], number>({
    name: 'total',
    version: versions.total ?? '1',
    compute: async (ctx, paths) => {
      runs.push('total');
      let sum = 0;
      for (const p of paths) for (const n of await ctx.get(parse, p)) sum += n;
      return sum;
    },
  });
  return { file, parse, total, runs, queries: [parse, total] };
}

describe('persistence across processes', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function cacheDir(): Promise<string> {
    const tmp = makeTempDir();
    cleanups.push(tmp.remove);
    return tmp.dir;
  }

  async function openStore(dir: string): Promise<LmdbStore> {
    const store = await LmdbStore.open({ cacheDir: dir });
    cleanups.push(() => store.close());
    return store;
  }

  async function firstBuild(dir: string) {
    const p = program();
    const db = new Database({ store: await openStore(dir), queries: p.queries });
    db.setInput(p.file, 'a', '1,2');
    db.setInput(p.file, 'b', '3');
    expect(await db.get(p.total, ['a', 'b'])).toBe(6);
    const report = await db.commit();
    expect(report.memosWritten).toBe(3);
    return p;
  }

  it('a fresh process with unchanged inputs executes no derived query', async () => {
    const dir = await cacheDir();
    await firstBuild(dir);
    const p = program();
    const db = new Database({ store: await openStore(dir), queries: p.queries });
    const ev = captureEvents(db);
    db.setInput(p.file, 'a', '1,2');
    db.setInput(p.file, 'b', '3');
    expect(await db.get(p.total, ['a', 'b'])).toBe(6);
    expect(p.runs).toEqual([]);
    expect(outcomes(ev.events)).toEqual(['parse("a"):verified', 'parse("b"):verified', 'total(["a", "b"]):verified']);
    // Values were loaded lazily: only the one asked for.
    expect(db.inspect(p.total, ['a', 'b'])!.loaded).toBe(true);
    expect(db.inspect(p.parse, 'a')!.loaded).toBe(false);
    expect(await db.get(p.parse, 'a')).toEqual([1, 2]);
    expect(p.runs).toEqual([]);
  });

  it('a fresh process re-runs exactly what an edit reaches', async () => {
    const dir = await cacheDir();
    await firstBuild(dir);
    const p = program();
    const db = new Database({ store: await openStore(dir), queries: p.queries });
    db.setInput(p.file, 'a', '1,2');
    db.setInput(p.file, 'b', '30');
    expect(await db.get(p.total, ['a', 'b'])).toBe(33);
    expect(p.runs).toEqual(['parse b', 'total']);
  });

  it('without knowing a dependency query by name, the fresh process re-runs its dependant (and stays correct)', async () => {
    const dir = await cacheDir();
    await firstBuild(dir);
    const p = program();
    const db = new Database({ store: await openStore(dir), queries: [p.total] });
    db.setInput(p.file, 'a', '1,2');
    db.setInput(p.file, 'b', '3');
    expect(await db.get(p.total, ['a', 'b'])).toBe(6);
    // parse was unknown during verification, so total re-ran; parse itself then verified.
    expect(p.runs).toEqual(['total']);
  });

  it('a changed version salt invalidates that query’s persisted memos only', async () => {
    const dir = await cacheDir();
    await firstBuild(dir);
    const p = program({ parse: '2' });
    const db = new Database({ store: await openStore(dir), queries: p.queries });
    db.setInput(p.file, 'a', '1,2');
    db.setInput(p.file, 'b', '3');
    expect(await db.get(p.total, ['a', 'b'])).toBe(6);
    // parse re-ran under the new version; total's result did not change, so it verified green.
    expect(p.runs).toEqual(['parse a', 'parse b']);
  });

  it('a corrupt value entry is detected, reported, deleted and recomputed — never returned', async () => {
    const dir = await cacheDir();
    await firstBuild(dir);
    const p = program();
    const store = await openStore(dir);
    // Flip bytes of the stored value of total directly in LMDB.
    const fp = store.fingerprintValue(6);
    const env = open({ path: join(dir, LMDB_SUBDIR), maxDbs: 8 });
    const values = env.openDB<Uint8Array, string>({ name: SUB_DATABASES.values, encoding: 'binary' });
    const bytes = Uint8Array.from(values.get(fp)!);
    bytes[bytes.length - 1]! ^= 0xff;
    await values.put(fp, bytes);

    const db = new Database({ store, queries: p.queries });
    const problems: IreetsError[] = [];
    db.problems$.subscribe((e) => problems.push(e));
    db.setInput(p.file, 'a', '1,2');
    db.setInput(p.file, 'b', '3');
    expect(await db.get(p.total, ['a', 'b'])).toBe(6);
    expect(p.runs).toEqual(['total']); // recomputed from verified (unloaded) parse memos
    expect(problems.map((e) => e.code)).toEqual(['CACHE_CORRUPT']);
    expect(problems[0]!.culprit).toBe(`cache entry ${fp}`);
    await db.commit();
    expect(store.readValue(fp)).toEqual({ found: true, value: 6 }); // healed
    await env.close();
  });

  it('a corrupt memo entry is treated as a miss', async () => {
    const dir = await cacheDir();
    await firstBuild(dir);
    const p = program();
    const store = await openStore(dir);
    const key = `parse/${store.fingerprintValue('a')}`;
    const memo = Uint8Array.from(store.tables.memos.get(key)!);
    memo[5]! ^= 0x01;
    store.tables.transact(() => store.tables.memos.put(key, memo));
    const db = new Database({ store, queries: p.queries });
    const problems: IreetsError[] = [];
    db.problems$.subscribe((e) => problems.push(e));
    db.setInput(p.file, 'a', '1,2');
    db.setInput(p.file, 'b', '3');
    expect(await db.get(p.total, ['a', 'b'])).toBe(6);
    expect(p.runs).toEqual(['parse a']);
    expect(problems.map((e) => e.code)).toEqual(['CACHE_CORRUPT']);
    expect(store.tables.memos.has(key)).toBe(false);
  });

  it('a red dependency whose key is gone from the store re-runs through its dependant', async () => {
    const dir = await cacheDir();
    await firstBuild(dir);
    const store = await openStore(dir);
    // Memos keep their keys as values; lose parse("b")'s.
    store.tables.transact(() => store.tables.values.remove(store.fingerprintValue('b')));
    const p = program();
    const db = new Database({ store, queries: p.queries });
    db.setInput(p.file, 'a', '1,2');
    db.setInput(p.file, 'b', '30');
    // total verifies parse("b"), knowing it only by hash; it is red and cannot run without its
    // key, so total re-runs and asks for parse("b") by key.
    expect(await db.get(p.total, ['a', 'b'])).toBe(33);
    expect(p.runs).toEqual(['total', 'parse b']);
    expect((await db.commit()).memosWritten).toBe(2);
    expect(store.readValue(store.fingerprintValue('b'))).toEqual({ found: true, value: 'b' });
  });

  it('an input that changed between read and commit keeps everything derived from it out of the store', async () => {
    const dir = await cacheDir();
    const p = program();
    const store = await openStore(dir);
    const db = new Database({ store, queries: p.queries });
    // The "file system": recheck re-reads it, as a file input would re-hash the file.
    const disk = new Map([
      ['a', '1,2'],
      ['b', '3'],
    ]);
    const setFile = (path: string) => db.setInput(p.file, path, disk.get(path)!, { recheck: () => disk.get(path)! });
    setFile('a');
    setFile('b');
    const other = defineQuery<null, number>({ name: 'other', version: '1', compute: () => 42 });
    expect(await db.get(p.total, ['a', 'b'])).toBe(6);
    await db.get(other, null);
    disk.set('b', '4'); // edited while the build ran
    const report = await db.commit();
    expect(report.staleInputs).toEqual([{ query: 'file', keyHash: store.fingerprintValue('b') }]);
    expect(report.memosSkipped).toBe(2); // parse b, total
    expect(report.memosWritten).toBe(2); // parse a, other
    const has = (q: string, k: unknown) => store.tables.memos.has(`${q}/${store.fingerprintValue(k)}`);
    expect(has('parse', 'a')).toBe(true);
    expect(has('other', null)).toBe(true);
    expect(has('parse', 'b')).toBe(false);
    expect(has('total', ['a', 'b'])).toBe(false);
    // Once the caller sets the new content, the next build and commit persist normally.
    setFile('b');
    expect(await db.get(p.total, ['a', 'b'])).toBe(7);
    expect((await db.commit()).staleInputs).toEqual([]);
    expect(has('total', ['a', 'b'])).toBe(true);
  });

  it('two stores on one directory see each other’s commits', async () => {
    const dir = await cacheDir();
    const p1 = program();
    const db1 = new Database({ store: await openStore(dir), queries: p1.queries });
    db1.setInput(p1.file, 'a', '5');
    await db1.get(p1.parse, 'a');
    await db1.commit();
    const p2 = program();
    const db2 = new Database({ store: await openStore(dir), queries: p2.queries });
    db2.setInput(p2.file, 'a', '5');
    expect(await db2.get(p2.parse, 'a')).toEqual([5]);
    expect(p2.runs).toEqual([]);
  });
});
