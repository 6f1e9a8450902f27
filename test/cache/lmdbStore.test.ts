import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveCacheDir } from '../../src/cache/cacheDir.js';
import { encodeValue } from '../../src/cache/encoding.js';
import { LmdbStore } from '../../src/cache/lmdbStore.js';
import { FORMAT_VERSION, sealMemo } from '../../src/cache/records.js';
import type { PersistedMemo, StoreBatch } from '../../src/cache/store.js';
import { memoKey } from '../../src/cache/tables.js';
import { makeTempDir } from '../graph/helpers.js';

const DAY = 24 * 60 * 60 * 1000;

describe('LmdbStore', () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function open(dir?: string): Promise<{ store: LmdbStore; dir: string }> {
    if (!dir) {
      const tmp = makeTempDir();
      cleanups.push(tmp.remove);
      dir = tmp.dir;
    }
    const store = await LmdbStore.open({ cacheDir: dir });
    cleanups.push(() => store.close());
    return { store, dir };
  }

  function memoOf(store: LmdbStore, query: string, key: unknown, value: unknown, deps: PersistedMemo['deps'] = []): PersistedMemo {
    return { query, keyHash: store.fingerprintValue(key), version: 'v1', key, deps, valueFingerprint: store.fingerprintValue(value) };
  }

  function batch(store: LmdbStore, memos: PersistedMemo[], values: unknown[], counters: StoreBatch['counters'] = {}): StoreBatch {
    return { memos, values: new Map(values.map((v) => [store.fingerprintValue(v), v])), touched: [], counters };
  }

  it('round-trips memos and values, values stored once by content', async () => {
    const { store } = await open();
    const value = { tensor: new Float32Array([1, 2]), name: 'w' };
    const m1 = memoOf(store, 'q', 'a', value, [{ query: 'in', keyHash: store.fingerprintValue('x'), fingerprint: store.fingerprintValue(1), input: true }]);
    const m2 = memoOf(store, 'q', 'b', value);
    await store.write(batch(store, [m1, m2], [value]));
    expect(store.readMemo('q', m1.keyHash)).toEqual({ found: true, value: m1 });
    expect(store.readValue(m1.valueFingerprint)).toEqual({ found: true, value });
    expect(store.readMemo('q', store.fingerprintValue('zzz'))).toEqual({ found: false });
    expect(store.stats().values).toBe(1);
  });

  it('detects a corrupt value, reports it with the culprit, deletes it', async () => {
    const { store } = await open();
    const fp = store.fingerprintValue('precious');
    await store.write({ memos: [], values: new Map([[fp, 'precious']]), touched: [], counters: {} });
    const bytes = Uint8Array.from(store.tables.values.get(fp)!);
    bytes[3]! ^= 0x20;
    store.tables.transact(() => store.tables.values.put(fp, bytes));
    const r = store.readValue(fp);
    expect(r.found).toBe(false);
    expect(!r.found && r.problem).toMatchObject({ code: 'CACHE_CORRUPT', culprit: `cache entry ${fp}` });
    expect(store.tables.values.has(fp)).toBe(false);
    // Truncation too.
    await store.write({ memos: [], values: new Map([[fp, 'precious']]), touched: [], counters: {} });
    store.tables.transact(() => store.tables.values.put(fp, store.tables.values.get(fp)!.subarray(0, 4)));
    expect(store.readValue(fp)).toMatchObject({ found: false, problem: { code: 'CACHE_CORRUPT' } });
  });

  it('ignores (without deleting) entries of another format version', async () => {
    const { store } = await open();
    const memo = memoOf(store, 'q', 1, 2);
    await store.write({ memos: [memo], values: new Map([[memo.valueFingerprint, 2]]), touched: [], counters: {} });
    const key = memoKey('q', memo.keyHash);
    const rewrite = (table: 'memos' | 'values', k: string) => {
      const b = Uint8Array.from(store.tables[table].get(k)!);
      b[0] = FORMAT_VERSION + 1;
      store.tables.transact(() => store.tables[table].put(k, b));
    };
    rewrite('memos', key);
    rewrite('values', memo.valueFingerprint);
    expect(store.readMemo('q', memo.keyHash)).toEqual({ found: false });
    expect(store.readValue(memo.valueFingerprint)).toEqual({ found: false });
    expect(store.tables.memos.has(key)).toBe(true);
    expect(store.stats().unreadableMemos).toBe(1);
    // A write of the same content replaces the foreign record instead of skipping it.
    await store.write({ memos: [memo], values: new Map([[memo.valueFingerprint, 2]]), touched: [], counters: {} });
    expect(store.readValue(memo.valueFingerprint)).toEqual({ found: true, value: 2 });
    expect(store.readMemo('q', memo.keyHash)).toEqual({ found: true, value: memo });
  });

  it('reports stats per query, with counters accumulated across commits', async () => {
    const { store, dir } = await open();
    await store.write(batch(store, [memoOf(store, 'parse', 'a', 'A'), memoOf(store, 'parse', 'b', 'B')], ['A', 'B'], { parse: { hits: 1, misses: 2 } }));
    await store.write(batch(store, [memoOf(store, 'link', 'm', 'M')], ['M'], { parse: { hits: 3, misses: 0 }, link: { hits: 0, misses: 1 } }));
    const s = store.stats();
    expect(s.formatVersion).toBe(FORMAT_VERSION);
    expect(s.memos).toBe(3);
    expect(s.values).toBe(3);
    expect(s.queries.map((q) => [q.query, q.memos, q.hits, q.misses])).toEqual([
      ['link', 1, 0, 1],
      ['parse', 2, 4, 2],
    ]);
    expect(s.queries[1]!.valueBytes).toBeGreaterThan(0);
    expect(s.memoBytes).toBe(s.queries.reduce((n, q) => n + q.memoBytes, 0));
    expect(store.dir).toBe(dir);
  });

  it('GC drops old memos and every value no memo needs', async () => {
    const { store } = await open();
    const dep = { query: 'parse', keyHash: store.fingerprintValue('kept-dep-key'), fingerprint: 'x'.repeat(16), input: false };
    await store.write(batch(store, [memoOf(store, 'q', 'new', 'NEW', [dep])], ['NEW', 'new', 'kept-dep-key', 'orphan']));
    expect(store.gc({ now: Date.now() + 10 * DAY, keepRecentDays: 30 })).toMatchObject({ memosRemoved: 0, valuesRemoved: 1, memosKept: 1, valuesKept: 3 });
    expect(store.readValue(store.fingerprintValue('orphan')).found).toBe(false);
    const r = store.gc({ now: Date.now() + 40 * DAY, keepRecentDays: 30 });
    expect(r).toMatchObject({ memosRemoved: 1, valuesRemoved: 3, memosKept: 0, valuesKept: 0 });
    expect(r.bytesFreed).toBeGreaterThan(0);
    expect(store.stats()).toMatchObject({ memos: 0, values: 0 });
  });

  it('touching a memo keeps it alive through GC', async () => {
    const { store } = await open();
    const m = memoOf(store, 'q', 'k', 'V');
    await store.write(batch(store, [m], ['V']));
    // Pretend it was written 40 days ago, then touched now.
    store.tables.transact(() => store.tables.memos.put(memoKey('q', m.keyHash), sealMemo({ memo: m, usedAt: Date.now() - 40 * DAY })));
    await store.write({ memos: [], values: new Map(), touched: [{ query: 'q', keyHash: m.keyHash }], counters: {} });
    expect(store.gc({ keepRecentDays: 30 }).memosRemoved).toBe(0);
    // Untouched, the same memo would have gone.
    store.tables.transact(() => store.tables.memos.put(memoKey('q', m.keyHash), sealMemo({ memo: m, usedAt: Date.now() - 40 * DAY })));
    expect(store.gc({ keepRecentDays: 30 }).memosRemoved).toBe(1);
  });

  it('clear empties memos, values and counters', async () => {
    const { store } = await open();
    await store.write(batch(store, [memoOf(store, 'q', 1, 1)], [1], { q: { hits: 1, misses: 1 } }));
    expect(store.clear()).toEqual({ memosRemoved: 1, valuesRemoved: 1 });
    expect(store.stats()).toMatchObject({ memos: 0, values: 0, queries: [] });
  });

  it('lets several processes write one directory at once', async () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.remove);
    const run = promisify(execFile);
    const script = fileURLToPath(new URL('./writerProcess.ts', import.meta.url));
    await Promise.all(['alpha', 'beta'].map((name) => run(process.execPath, ['--import', 'tsx', script, tmp.dir, name, '40'])));
    const { store } = await open(tmp.dir);
    const s = store.stats();
    expect(s.queries.map((q) => [q.query, q.memos, q.misses])).toEqual([
      ['alpha', 40, 40],
      ['beta', 40, 40],
    ]);
    expect(store.readValue(store.fingerprintValue('beta-7'))).toEqual({ found: true, value: 'beta-7' });
  }, 30_000);
});

describe('resolveCacheDir', () => {
  it('prefers the explicit option, then $IREETS_CACHE_DIR, then ~/.cache/ireets', () => {
    expect(resolveCacheDir({ cacheDir: '/x/explicit', env: { IREETS_CACHE_DIR: '/x/env' } })).toBe('/x/explicit');
    expect(resolveCacheDir({ env: { IREETS_CACHE_DIR: '/x/env' } })).toBe('/x/env');
    expect(resolveCacheDir({ env: {} })).toMatch(/\.cache[/\\]ireets$/);
  });
});
