// Values of a retain-query (weights, in the compiler) stay in memory only within the engine's
// budget: after a commit the least recently used ones that the store holds are let go, and a
// later read brings them back from the store without recomputing; values not yet in the store
// stay, and nothing else changes (verification, early cutoff, results).
import { afterEach, describe, expect, it } from 'vitest';
import { Database } from '../../src/graph/database.js';
import { defineInput, defineQuery } from '../../src/graph/query.js';
import { tempStore } from './helpers.js';

const KB = 1024;

function program() {
  const seed = defineInput<string, number>('seed');
  const runs: string[] = [];
  // A 10 KB "weight" per key, a function of its seed.
  const blob = defineQuery<string, Float64Array>({
    name: 'blob',
    version: '1',
    compute: (ctx, key) => {
      runs.push(key);
      const s = ctx.input(seed, key);
      return Float64Array.from({ length: (10 * KB) / 8 }, (_, i) => s * 1000 + i);
    },
    retain: { sizeOf: (v) => v.byteLength },
  });
  return { seed, blob, runs };
}

describe('retained values', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('lets the least recently used go after a commit, and reads them back from the store when used', async () => {
    const { store, close } = await tempStore();
    cleanups.push(close);
    const p = program();
    const db = new Database({ store, queries: [p.blob], retainedBytes: 25 * KB });
    for (const k of ['a', 'b', 'c']) db.setInput(p.seed, k, k.charCodeAt(0));
    for (const k of ['a', 'b', 'c']) await db.get(p.blob, k);
    expect(['a', 'b', 'c'].map((k) => db.inspect(p.blob, k)?.loaded)).toEqual([true, true, true]); // not in the store yet: kept
    await db.commit();
    // 30 KB over a 25 KB budget: the least recently used (a) goes.
    expect(['a', 'b', 'c'].map((k) => db.inspect(p.blob, k)?.loaded)).toEqual([false, true, true]);

    const a = await db.get(p.blob, 'a');
    expect(a[5]).toBe('a'.charCodeAt(0) * 1000 + 5);
    expect(p.runs).toEqual(['a', 'b', 'c']); // read back, not recomputed
    await db.commit();
    // a is the most recent now: b goes.
    expect(['a', 'b', 'c'].map((k) => db.inspect(p.blob, k)?.loaded)).toEqual([true, false, true]);

    // An input change still recomputes what depends on it; the let-go value of b is read back as it was.
    db.setInput(p.seed, 'c', 7);
    expect((await db.get(p.blob, 'c'))[0]).toBe(7000);
    expect((await db.get(p.blob, 'b'))[0]).toBe('b'.charCodeAt(0) * 1000);
    expect(p.runs).toEqual(['a', 'b', 'c', 'c']);
  });

  it('raises its budget on request, never lowers it', async () => {
    const { store, close } = await tempStore();
    cleanups.push(close);
    const p = program();
    const db = new Database({ store, queries: [p.blob], retainedBytes: 5 * KB });
    db.retainAtLeast(100 * KB);
    db.retainAtLeast(1 * KB);
    for (const k of ['a', 'b', 'c']) db.setInput(p.seed, k, 1);
    for (const k of ['a', 'b', 'c']) await db.get(p.blob, k);
    await db.commit();
    expect(['a', 'b', 'c'].map((k) => db.inspect(p.blob, k)?.loaded)).toEqual([true, true, true]);
  });
});
