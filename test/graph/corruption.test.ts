/**
 * Damage to stored entries, on a whole random DAG: every value (and key) record gets a flipped
 * byte or is truncated, and some memo records too. A fresh engine returns only correct results,
 * recomputing what it lost; each damaged entry it meets is reported once, as CACHE_CORRUPT
 * naming the entry, and deleted; the next engine finds a healed store.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LmdbStore } from '../../src/cache/lmdb-store.js';
import { Database } from '../../src/graph/database.js';
import type { IreetsError } from '../../src/util/errors.js';
import { makeTempDir } from './helpers.js';
import { dagProgram, evaluator, randomDag, rng } from './random-dag.js';

const NODES = 60;
const INPUTS = 8;

describe('corrupt stored entries', () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('are detected, reported once, dropped and recomputed; results stay right', async () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.remove);
    const spec = randomDag(77, NODES, INPUTS);
    const inputs = [3, 1, 4, 1, 5, 2, 6, 0];
    const value = evaluator(spec, inputs);

    const engine = async () => {
      const store = await LmdbStore.open({ cacheDir: tmp.dir });
      const p = dagProgram(spec);
      const db = new Database({ store, queries: [p.node] });
      const problems: IreetsError[] = [];
      db.problems$.subscribe((e) => problems.push(e));
      inputs.forEach((v, i) => db.setInput(p.input, i, v));
      for (let j = NODES - 1; j >= 0; j--) expect(await db.get(p.node, j)).toBe(value({ node: j }));
      await db.commit();
      await store.close();
      return { executed: p.takeExecuted(), problems };
    };

    expect((await engine()).executed).toHaveLength(NODES);

    // Damage: a flipped byte in every value/key record (a third truncated instead), and in a
    // quarter of the memo records.
    const store = await LmdbStore.open({ cacheDir: tmp.dir });
    const rand = rng(5);
    const values = [...store.tables.values.entries()].map(([k, v]) => [k, Uint8Array.from(v)] as const);
    const memos = [...store.tables.memos.entries()].map(([k, v]) => [k, Uint8Array.from(v)] as const);
    store.tables.transact(() => {
      for (const [fp, bytes] of values) {
        if (rand() < 0.33) store.tables.values.put(fp, bytes.subarray(0, Math.max(1, Math.floor(bytes.length * rand()))));
        else {
          bytes[1 + Math.floor(rand() * (bytes.length - 1))]! ^= 1 << Math.floor(rand() * 8);
          store.tables.values.put(fp, bytes);
        }
      }
      for (const [key, bytes] of memos) {
        if (rand() >= 0.25) continue;
        bytes[1 + Math.floor(rand() * (bytes.length - 13))]! ^= 0x04; // not in usedAt
        store.tables.memos.put(key, bytes);
      }
    });
    await store.close();

    const second = await engine();
    expect(second.problems.length).toBeGreaterThan(0);
    expect(second.problems.every((e) => e.code === 'CACHE_CORRUPT' && /^cache entry /.test(e.culprit ?? ''))).toBe(true);
    const culprits = second.problems.map((e) => e.culprit);
    expect(new Set(culprits).size).toBe(culprits.length); // each reported once
    // Every node's value was damaged, so each one that the engine did not re-run through a
    // damaged memo was recomputed to recover its value: nothing damaged was returned (above).
    expect(second.executed.length).toBeGreaterThan(0);

    const third = await engine();
    expect(third.problems).toEqual([]);
    expect(third.executed).toEqual([]);
  });
});
