import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveCacheDir } from '../../src/cache/cache-dir.js';
import { LmdbStore } from '../../src/cache/lmdb-store.js';
import { TOUCH_INTERVAL_MS } from '../../src/cache/record-store.js';
import { openMemo } from '../../src/cache/memo-reader.js';
import { FORMAT_VERSION } from '../../src/cache/records.js';
import type { PersistedMemo, StoreBatch } from '../../src/cache/store.js';
import { memoKey } from '../../src/cache/tables.js';
import { makeTempDir } from '../graph/helpers.js';

const DAY = 24 * 60 * 60 * 1000;

describe('LmdbStore', () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /** A store with a clock the test moves (`clock.now`). */
  async function open(dir?: string): Promise<{ store: LmdbStore; dir: string; clock: { now: number } }> {
    if (!dir) {
      const tmp = makeTempDir();
      cleanups.push(tmp.remove);
      dir = tmp.dir;
    }
    const clock = { now: Date.now() };
    const store = await LmdbStore.open({ cacheDir: dir, now: () => clock.now });
    cleanups.push(() => store.close());
    return { store, dir, clock };
  }

  function memoOf(store: LmdbStore, query: string, key: unknown, value: unknown, deps: PersistedMemo['deps'] = []): PersistedMemo {
    return { query, keyHash: store.fingerprintValue(key), version: 'v1', deps, valueFingerprint: store.fingerprintValue(value) };
  }

  /** A batch as a commit makes it: memos, their values and their keys. */
  function batch(store: LmdbStore, entries: Array<[PersistedMemo, unknown, unknown]>, counters: StoreBatch['counters'] = {}, run?: string): StoreBatch {
    const values = new Map<string, unknown>();
    for (const [memo, key, value] of entries) {
      values.set(memo.valueFingerprint, value);
      values.set(memo.keyHash, key);
    }
    return { memos: entries.map(([m]) => m), values, touched: [], counters, ...(run ? { run } : {}) };
  }

  const entry = (store: LmdbStore, query: string, key: unknown, value: unknown, deps: PersistedMemo['deps'] = []): [PersistedMemo, unknown, unknown] => [
    memoOf(store, query, key, value, deps),
    key,
    value,
  ];

  it('round-trips memos and values, values stored once by content', async () => {
    const { store, clock } = await open();
    const value = { tensor: new Float32Array([1, 2]), name: 'w' };
    const dep = { query: 'in', keyHash: store.fingerprintValue('x'), fingerprint: store.fingerprintValue(1), input: true };
    const m1 = entry(store, 'q', 'a', value, [dep, { query: 'parse', keyHash: store.fingerprintValue('p'), fingerprint: store.fingerprintValue(2), input: false }]);
    const m2 = entry(store, 'q', 'b', value);
    await store.write(batch(store, [m1, m2]));
    expect(store.readMemo('q', m1[0].keyHash)).toEqual({ found: true, value: { ...m1[0], usedAt: clock.now } });
    expect(store.readValue(m1[0].valueFingerprint)).toEqual({ found: true, value });
    expect(store.readValue(m1[0].keyHash)).toEqual({ found: true, value: 'a' }); // the key, for re-running
    expect(store.readMemo('q', store.fingerprintValue('zzz'))).toEqual({ found: false });
    expect(store.stats().values).toBe(3); // one value, two keys
  });

  it('detects a corrupt or truncated value, reports it with the culprit, deletes it', async () => {
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
    expect(store.readValue(fp)).toEqual({ found: false }); // reported once: it is gone now
    await store.write({ memos: [], values: new Map([[fp, 'precious']]), touched: [], counters: {} });
    store.tables.transact(() => store.tables.values.put(fp, store.tables.values.get(fp)!.subarray(0, 4)));
    expect(store.readValue(fp)).toMatchObject({ found: false, problem: { code: 'CACHE_CORRUPT' } });
  });

  it('detects a damaged memo record (any byte but its usedAt) and one filed under another key', async () => {
    const { store } = await open();
    const [m] = entry(store, 'q', 'k', 'V', [{ query: 'in', keyHash: store.fingerprintValue(0), fingerprint: store.fingerprintValue(1), input: true }]);
    await store.write(batch(store, [[m, 'k', 'V']]));
    const key = memoKey('q', m.keyHash);
    const good = Uint8Array.from(store.tables.memos.get(key)!);
    for (let i = 1; i < good.length - 8; i++) {
      const bad = Uint8Array.from(good);
      bad[i]! ^= 0x10;
      expect(openMemo(bad, 'q', m.keyHash).ok).toBe(false);
    }
    const otherHash = store.fingerprintValue('other');
    expect(openMemo(good, 'q', otherHash)).toMatchObject({ ok: false, detail: 'memo filed under the wrong key' });
    store.tables.transact(() => store.tables.memos.put(memoKey('q', otherHash), good));
    expect(store.readMemo('q', otherHash)).toMatchObject({ found: false, problem: { code: 'CACHE_CORRUPT' } });
  });

  it('ignores (without deleting) entries of another format version', async () => {
    const { store } = await open();
    const e = entry(store, 'q', 1, 2);
    const memo = e[0];
    await store.write(batch(store, [e]));
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
    await store.write(batch(store, [e]));
    expect(store.readValue(memo.valueFingerprint)).toEqual({ found: true, value: 2 });
    expect(store.readMemo('q', memo.keyHash)).toMatchObject({ found: true, value: memo });
  });

  it('counts hits and misses per query: cumulative, and for the last run alone', async () => {
    const { store, dir } = await open();
    await store.write(batch(store, [entry(store, 'parse', 'a', 'A'), entry(store, 'parse', 'b', 'B')], { parse: { hits: 1, misses: 2 } }, 'run-1'));
    await store.write(batch(store, [entry(store, 'link', 'm', 'M')], { parse: { hits: 3, misses: 0 }, link: { hits: 0, misses: 1 } }, 'run-2'));
    // A second commit of the same run adds to it.
    await store.write({ memos: [], values: new Map(), touched: [], counters: { link: { hits: 5, misses: 0 } }, run: 'run-2' });
    const s = store.stats();
    expect(s.formatVersion).toBe(FORMAT_VERSION);
    expect(s.memos).toBe(3);
    expect(s.values).toBe(6);
    expect(s.queries.map((q) => [q.query, q.memos, q.lastRunHits, q.lastRunMisses, q.hits, q.misses])).toEqual([
      ['link', 1, 5, 1, 5, 1],
      ['parse', 2, 3, 0, 4, 2],
    ]);
    expect(s.lastRun).toMatchObject({ hits: 8, misses: 1 });
    expect(s.queries[1]!.valueBytes).toBeGreaterThan(0);
    expect(s.memoBytes).toBe(s.queries.reduce((n, q) => n + q.memoBytes, 0));
    expect(s.bytes).toBe(s.memoBytes + s.valueBytes);
    expect(store.dir).toBe(dir);
  });

  it('GC drops values no memo reaches, keeping memo values, keys and the keys of derived deps', async () => {
    const { store } = await open();
    const dep = { query: 'parse', keyHash: store.fingerprintValue('kept-dep-key'), fingerprint: store.fingerprintValue('x'), input: false };
    const inputDep = { query: 'file', keyHash: store.fingerprintValue('input-key'), fingerprint: store.fingerprintValue('y'), input: true };
    const b = batch(store, [entry(store, 'q', 'new', 'NEW', [dep, inputDep])]);
    const values = new Map(b.values);
    for (const v of ['kept-dep-key', 'input-key', 'orphan']) values.set(store.fingerprintValue(v), v);
    await store.write({ ...b, values });
    expect(store.gc()).toMatchObject({ memosRemoved: 0, valuesRemoved: 2, memosKept: 1, valuesKept: 3 });
    expect(store.readValue(store.fingerprintValue('orphan')).found).toBe(false);
    expect(store.readValue(store.fingerprintValue('kept-dep-key')).found).toBe(true);
    // Age-based, when asked.
    expect(store.gc({ keepRecentDays: 30, now: Date.now() + 10 * DAY })).toMatchObject({ memosRemoved: 0 });
    const r = store.gc({ keepRecentDays: 30, now: Date.now() + 40 * DAY });
    expect(r).toMatchObject({ memosRemoved: 1, valuesRemoved: 3, memosKept: 0, valuesKept: 0, bytesKept: 0 });
    expect(r.bytesFreed).toBeGreaterThan(0);
    expect(store.stats()).toMatchObject({ memos: 0, values: 0 });
  });

  it('GC --max-bytes drops least recently used memos first, then values only they reached', async () => {
    const { store, clock, dir } = await open();
    const big = (tag: string) => new Uint8Array(1000).fill(tag.charCodeAt(0));
    const shared = 'shared value';
    // Written at t0, t0+1h, t0+2h; then "a" is verified (touched) at t0+3h.
    const t0 = clock.now;
    const a = entry(store, 'q', 'a', big('a'));
    const b = entry(store, 'q', 'b', big('b'));
    const c = entry(store, 'q', 'c', big('c'));
    const s1 = entry(store, 's', 1, shared);
    const s2 = entry(store, 's', 2, shared);
    await store.write(batch(store, [a, s1]));
    clock.now = t0 + 3_600_000;
    await store.write(batch(store, [b, s2]));
    clock.now = t0 + 7_200_000;
    await store.write(batch(store, [c]));
    clock.now = t0 + 3 * 3_600_000;
    await store.write({ memos: [], values: new Map(), touched: [{ query: 'q', keyHash: a[0].keyHash, usedAt: t0 }], counters: {} });
    expect(store.readMemo('q', a[0].keyHash)).toMatchObject({ found: true, value: { usedAt: clock.now } });

    const total = store.stats().bytes;
    // Room for everything but about one big value: the oldest memo goes (s1), and its value
    // stays (s2 still reaches it); then b, the least recently used of the big ones.
    const r = store.gc({ maxBytes: total - 500 });
    expect(r.bytesKept).toBeLessThanOrEqual(total - 500);
    expect(store.readMemo('s', s1[0].keyHash).found).toBe(false);
    expect(store.readMemo('q', b[0].keyHash).found).toBe(false);
    expect(store.readValue(b[0].valueFingerprint).found).toBe(false);
    for (const [m] of [a, c, s2]) expect(store.readMemo(m.query, m.keyHash).found).toBe(true);
    expect(store.readValue(store.fingerprintValue(shared))).toEqual({ found: true, value: shared });
    expect(store.readValue(a[0].keyHash)).toEqual({ found: true, value: 'a' });
    expect(store.stats().bytes).toBe(r.bytesKept);
    expect(store.gc({ maxBytes: 0 })).toMatchObject({ memosKept: 0, valuesKept: 0, bytesKept: 0 });
    // The database file GC leaves behind opens again (and passes the pre-flight checks).
    await store.close();
    const reopened = await open(dir);
    expect(reopened.store.degraded).toBeUndefined();
    expect(reopened.store.stats()).toMatchObject({ memos: 0, values: 0 });
  });

  it('a touch rewrites usedAt only when it is older than the touch interval', async () => {
    const { store, clock } = await open();
    const [m] = entry(store, 'q', 'k', 'V');
    await store.write(batch(store, [[m, 'k', 'V']]));
    const written = clock.now;
    const touch = () => store.write({ memos: [], values: new Map(), touched: [{ query: 'q', keyHash: m.keyHash, usedAt: written }], counters: {} });
    clock.now = written + TOUCH_INTERVAL_MS / 2;
    await touch();
    expect(store.readMemo('q', m.keyHash)).toMatchObject({ value: { usedAt: written } });
    clock.now = written + TOUCH_INTERVAL_MS + 1;
    await touch();
    expect(store.readMemo('q', m.keyHash)).toMatchObject({ value: { usedAt: clock.now } });
    // Age-based GC sees the touch.
    expect(store.gc({ keepRecentDays: 30, now: written + 31 * DAY }).memosRemoved).toBe(1);
  });

  it('clear empties memos, values and counters', async () => {
    const { store } = await open();
    await store.write(batch(store, [entry(store, 'q', 1, 1)], { q: { hits: 1, misses: 1 } }));
    expect(store.clear()).toEqual({ memosRemoved: 1, valuesRemoved: 1 }); // key 1 and value 1 are one entry
    expect(store.stats()).toMatchObject({ memos: 0, values: 0, queries: [], lastRun: undefined });
  });

  it('lets several processes write one directory at once', async () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.remove);
    const run = promisify(execFile);
    const script = fileURLToPath(new URL('./writer-process.ts', import.meta.url));
    await Promise.all(['alpha', 'beta'].map((name) => run(process.execPath, ['--import', 'tsx', script, tmp.dir, name, '40'])));
    const { store } = await open(tmp.dir);
    const s = store.stats();
    expect(s.queries.map((q) => [q.query, q.memos, q.misses])).toEqual([
      ['alpha', 40, 40],
      ['beta', 40, 40],
    ]);
    expect(s.unreadableMemos).toBe(0);
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
