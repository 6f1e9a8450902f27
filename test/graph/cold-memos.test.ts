/**
 * Memos that a fresh process verifies straight from the store and that read inputs only are
 * kept without a slot each (src/graph/slot-index.ts, cold.ts). Everything observable must be
 * as if they were slots: results, what re-runs after an edit, inspect, events watched later,
 * hit counters, touches, damaged records and records of an older format.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { encodeValue } from '../../src/cache/encoding.js';
import { LmdbStore } from '../../src/cache/lmdb-store.js';
import { TOUCH_INTERVAL_MS } from '../../src/cache/record-store.js';
import { FORMAT_VERSION } from '../../src/cache/records.js';
import { memoKey } from '../../src/cache/tables.js';
import { Database } from '../../src/graph/database.js';
import { Durability } from '../../src/graph/durability.js';
import { defineInput, defineQuery } from '../../src/graph/query.js';
import type { IreetsError } from '../../src/util/errors.js';
import { captureEvents, makeTempDir, outcomes } from './helpers.js';

const GROUPS = 4;
const LEAVES = 25; // per group
const INPUTS = 7;

/** root → GROUPS groups → LEAVES leaves each; leaf i reads in(i % INPUTS); groups also read `extra`. */
function program() {
  const input = defineInput<number, number>('in');
  const extra = defineInput<null, number>('extra');
  const runs: string[] = [];
  const leaf = defineQuery<number, number>({
    name: 'leaf',
    version: '1',
    compute: (ctx, i) => {
      runs.push(`leaf ${i}`);
      return (ctx.input(input, i % INPUTS) * 31 + i) % 101;
    },
  });
  const group = defineQuery<number, number>({
    name: 'group',
    version: '1',
    compute: async (ctx, g) => {
      runs.push(`group ${g}`);
      let s = 0;
      for (let i = 0; i < LEAVES; i++) s += await ctx.get(leaf, g * LEAVES + i);
      return s + ctx.input(extra, null);
    },
  });
  const root = defineQuery<null, number>({
    name: 'root',
    version: '1',
    compute: async (ctx) => {
      runs.push('root');
      let s = 0;
      for (let g = 0; g < GROUPS; g++) s += await ctx.get(group, g);
      return s;
    },
  });
  return { input, extra, leaf, group, root, runs, queries: [leaf, group, root] };
}

function expected(inputs: number[], extra: number): { root: number; leaf(i: number): number } {
  const leaf = (i: number) => (inputs[i % INPUTS]! * 31 + i) % 101;
  let root = 0;
  for (let g = 0; g < GROUPS; g++) {
    for (let i = 0; i < LEAVES; i++) root += leaf(g * LEAVES + i);
    root += extra;
  }
  return { root, leaf };
}

const MEMOS = 1 + GROUPS + GROUPS * LEAVES;

describe('memos verified from the store without a slot each', () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const inputs = Array.from({ length: INPUTS }, (_, i) => i + 1);

  /** A cache dir holding a committed build, and a way to start "processes" on it. */
  async function built(extraDurability: Durability = Durability.LOW) {
    const tmp = makeTempDir();
    cleanups.push(tmp.remove);
    const clock = { now: Date.now() };
    const start = async () => {
      const store = await LmdbStore.open({ cacheDir: tmp.dir, now: () => clock.now });
      cleanups.push(() => store.close());
      const p = program();
      const db = new Database({ store, queries: p.queries });
      inputs.forEach((v, i) => db.setInput(p.input, i, v, Durability.HIGH));
      db.setInput(p.extra, null, 0, extraDurability);
      return { store, db, p };
    };
    const first = await start();
    expect(await first.db.get(first.p.root, null)).toBe(expected(inputs, 0).root);
    expect((await first.db.commit()).memosWritten).toBe(MEMOS);
    return { start, clock, dir: tmp.dir };
  }

  it('verifies a fresh process’s leaves without running them, counted as hits and touched', async () => {
    const b = await built();
    const { store, db, p } = await b.start();
    expect(await db.get(p.root, null)).toBe(expected(inputs, 0).root);
    expect(p.runs).toEqual([]);
    b.clock.now += TOUCH_INTERVAL_MS + 1;
    const report = await db.commit();
    expect(report).toMatchObject({ memosWritten: 0, memosTouched: MEMOS });
    expect(store.stats().lastRun).toMatchObject({ hits: MEMOS, misses: 0 });
    const leafKey = store.fingerprintValue(7);
    expect(store.readMemo('leaf', leafKey)).toMatchObject({ found: true, value: { usedAt: b.clock.now } });
    // Touched once: the next commit has nothing more to touch.
    expect((await db.commit()).memosTouched).toBe(0);
  });

  it('lists no touch that is not due yet, and still counts every memo verified', async () => {
    const b = await built();
    const { store, db, p } = await b.start();
    const listed: number[] = [];
    const write = store.write.bind(store);
    store.write = (batch) => {
      listed.push(batch.touched.length);
      return write(batch);
    };
    expect(await db.get(p.root, null)).toBe(expected(inputs, 0).root);
    // Just written: touching again is not due, so nothing is listed (a no-op build writes nothing).
    expect(await db.commit()).toMatchObject({ memosWritten: 0, memosTouched: MEMOS });
    expect(listed).toEqual([0]);
    const leafKey = store.fingerprintValue(7);
    const before = store.readMemo('leaf', leafKey);
    // Due later in another process: every verified memo is listed and touched.
    b.clock.now += TOUCH_INTERVAL_MS + 1;
    const second = await b.start();
    second.store.write = ((w) => (batch: Parameters<typeof w>[0]) => {
      listed.push(batch.touched.length);
      return w(batch);
    })(second.store.write.bind(second.store));
    expect(await second.db.get(second.p.root, null)).toBe(expected(inputs, 0).root);
    expect(await second.db.commit()).toMatchObject({ memosWritten: 0, memosTouched: MEMOS });
    expect(listed).toEqual([0, MEMOS]);
    expect(second.store.readMemo('leaf', leafKey)).toMatchObject({ found: true, value: { usedAt: b.clock.now } });
    expect(before).toMatchObject({ found: true });
  });

  it('a leaf asked for, inspected or watched afterwards behaves as the memo it is', async () => {
    const b = await built();
    const { store, db, p } = await b.start();
    expect(await db.get(p.root, null)).toBe(expected(inputs, 0).root);
    const info = db.inspect(p.leaf, 30)!;
    expect(info).toMatchObject({ persisted: true, loaded: false, verifiedAt: db.revision, durability: Durability.HIGH });
    expect(info.valueFingerprint).toBe(store.fingerprintValue(expected(inputs, 0).leaf(30)));
    expect(info.deps).toEqual([{ query: 'in', keyHash: store.fingerprintValue(30 % INPUTS), fingerprint: store.fingerprintValue(inputs[30 % INPUTS]), input: true }]);
    expect(await db.get(p.leaf, 31)).toBe(expected(inputs, 0).leaf(31));
    expect(p.runs).toEqual([]);

    // Events watched from now on: a revision that re-walks the groups reports every leaf.
    const ev = captureEvents(db);
    db.setInput(p.extra, null, 0, Durability.MEDIUM); // same value, another durability: re-verify
    expect(await db.get(p.root, null)).toBe(expected(inputs, 0).root);
    expect(p.runs).toEqual([]);
    const seen = outcomes(ev.events);
    expect(seen).toHaveLength(MEMOS);
    expect(seen).toContain('leaf(42):reused');
    expect(seen).toContain('group(1):verified');
  });

  it('an edited input re-runs the leaves reading it and what they change, nothing else', async () => {
    const b = await built();
    const { db, p } = await b.start();
    expect(await db.get(p.root, null)).toBe(expected(inputs, 0).root);
    const edited = [...inputs];
    edited[3] = 50;
    db.setInput(p.input, 3, 50, Durability.HIGH);
    expect(await db.get(p.root, null)).toBe(expected(edited, 0).root);
    const reading3 = Array.from({ length: GROUPS * LEAVES }, (_, i) => i).filter((i) => i % INPUTS === 3);
    expect(p.runs.filter((r) => r.startsWith('leaf')).sort()).toEqual(reading3.map((i) => `leaf ${i}`).sort());
    expect(p.runs.filter((r) => !r.startsWith('leaf')).sort()).toEqual(['group 0', 'group 1', 'group 2', 'group 3', 'root']);
    for (const i of [3, 10, 11]) expect(await db.get(p.leaf, i)).toBe(expected(edited, 0).leaf(i));
  });

  it('a group re-run for another input leaves its unchanged leaves unrun (durability shortcut)', async () => {
    const b = await built();
    const { db, p } = await b.start();
    expect(await db.get(p.root, null)).toBe(expected(inputs, 0).root);
    db.setInput(p.extra, null, 5);
    expect(await db.get(p.root, null)).toBe(expected(inputs, 5).root);
    expect(p.runs.sort()).toEqual(['group 0', 'group 1', 'group 2', 'group 3', 'root']);
  });

  it('a damaged leaf record is reported once and that leaf alone recomputed', async () => {
    const b = await built();
    const damage = await LmdbStore.open({ cacheDir: b.dir });
    const key = memoKey('leaf', damage.fingerprintValue(12));
    const bytes = Uint8Array.from(damage.tables.memos.get(key)!);
    bytes[5]! ^= 0x08;
    damage.tables.transact(() => damage.tables.memos.put(key, bytes));
    await damage.close();

    const { db, p } = await b.start();
    const problems: IreetsError[] = [];
    db.problems$.subscribe((e) => problems.push(e));
    expect(await db.get(p.root, null)).toBe(expected(inputs, 0).root);
    expect(problems.map((e) => [e.code, e.culprit])).toEqual([['CACHE_CORRUPT', `cache entry ${key}`]]);
    expect(p.runs).toEqual(['leaf 12']); // same value: its group stays green
  });

  it('ignores a cache of an older record format: recomputes, reports nothing, does not crash', async () => {
    const b = await built();
    const old = await LmdbStore.open({ cacheDir: b.dir });
    const memos = [...old.tables.memos.entries()].map(([k, v]) => [k, Uint8Array.from(v)] as const);
    old.tables.transact(() => {
      for (const [k, v] of memos) {
        v[0] = FORMAT_VERSION - 1;
        old.tables.memos.put(k, v);
      }
      old.tables.meta.put('format', encodeValue(FORMAT_VERSION - 1));
    });
    await old.close();

    const { store, db, p } = await b.start();
    expect(store.stats().formatVersion).toBe(FORMAT_VERSION); // the marker says what it holds now
    const problems: IreetsError[] = [];
    db.problems$.subscribe((e) => problems.push(e));
    expect(await db.get(p.root, null)).toBe(expected(inputs, 0).root);
    expect(p.runs).toHaveLength(MEMOS);
    expect(problems).toEqual([]);
    expect((await db.commit()).memosWritten).toBe(MEMOS); // the old records are replaced
    const again = await b.start();
    expect(await again.db.get(again.p.root, null)).toBe(expected(inputs, 0).root);
    expect(again.p.runs).toEqual([]);
  });
});
