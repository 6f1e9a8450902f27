/**
 * The store across real processes (dag-process.ts): a second process on the same cache with the
 * same inputs executes no derived query; two processes hammering one cache directory with
 * overlapping work both compute right and leave the store intact.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { LmdbStore } from '../../src/cache/lmdb-store.js';
import { parseMemoKey } from '../../src/cache/tables.js';
import { Database } from '../../src/graph/database.js';
import { makeTempDir } from './helpers.js';
import { CHILD_INPUTS, dagProgram, evaluator, randomDag, readsOf } from './random-dag.js';

const run = promisify(execFile);
const script = fileURLToPath(new URL('./dag-process.ts', import.meta.url));
const GRAPH_SEED = 20240607;
const NODES = 60;

async function child<T>(...args: (string | number)[]): Promise<T> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', script, ...args.map(String)], { maxBuffer: 1 << 24 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as T;
}

interface Built {
  results: number[];
  executed: number[];
  verified: number;
}

describe('across processes', () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  function cacheDir(): string {
    const tmp = makeTempDir();
    cleanups.push(tmp.remove);
    return tmp.dir;
  }

  it('a second process with the same inputs executes zero derived queries; a third re-runs only what an edit reaches', async () => {
    const dir = cacheDir();
    const spec = randomDag(GRAPH_SEED, NODES, CHILD_INPUTS);
    const inputs = [1, 2, 3, 4, 0, 1, 2, 3];
    const first = await child<Built>('build', dir, GRAPH_SEED, NODES, JSON.stringify(inputs));
    expect(first.executed.length).toBe(NODES);
    const second = await child<Built>('build', dir, GRAPH_SEED, NODES, JSON.stringify(inputs));
    expect(second.executed).toEqual([]);
    expect(second.verified).toBe(NODES);
    expect(second.results).toEqual(first.results);

    const edited = [...inputs];
    edited[3] = 0;
    const third = await child<Built>('build', dir, GRAPH_SEED, NODES, JSON.stringify(edited));
    const before = evaluator(spec, inputs);
    const after = evaluator(spec, edited);
    const allowed = spec.nodes.map((_, j) => j).filter((j) => readsOf(spec, before, j).some((r) => before(r) !== after(r)));
    expect(third.executed.length).toBeGreaterThan(0);
    expect(third.executed.filter((j) => !allowed.includes(j))).toEqual([]);
    expect(third.results).toEqual(spec.nodes.map((_, j) => after({ node: j })));
  }, 60_000);

  it('two processes hammering one directory with overlapping work finish right and leave the store intact', async () => {
    const dir = cacheDir();
    const ROUNDS = 60;
    type Hammered = { rounds: number; executed: number; startedAt: number; endedAt: number };
    const [a, b] = await Promise.all([1, 2].map((worker) => child<Hammered>('hammer', dir, GRAPH_SEED, NODES, worker, ROUNDS, 2)));
    expect([a!.rounds, b!.rounds]).toEqual([ROUNDS, ROUNDS]);
    expect(a!.startedAt < b!.endedAt && b!.startedAt < a!.endedAt).toBe(true); // they did overlap

    // Intact: every memo opens, and its value and key are there and pass their checksums.
    const store = await LmdbStore.open({ cacheDir: dir });
    cleanups.push(() => store.close());
    const stats = store.stats();
    expect(stats.unreadableMemos).toBe(0);
    expect(stats.memos).toBeGreaterThan(0);
    for (const [key] of store.tables.memos.entries()) {
      const { query, keyHash } = parseMemoKey(key);
      const memo = store.readMemo(query, keyHash);
      expect(memo.found).toBe(true);
      if (!memo.found) continue;
      expect(store.readValue(memo.value.valueFingerprint)).toMatchObject({ found: true });
      expect(store.readValue(keyHash)).toMatchObject({ found: true });
    }
    // And usable: a fresh engine computes every node right, then a second one runs nothing.
    const spec = randomDag(GRAPH_SEED, NODES, CHILD_INPUTS);
    const inputs = [2, 1, 0, 2, 1, 0, 2, 1];
    const value = evaluator(spec, inputs);
    for (const expectRuns of [true, false]) {
      const p = dagProgram(spec);
      const db = new Database({ store, queries: [p.node] });
      inputs.forEach((v, i) => db.setInput(p.input, i, v));
      for (let j = 0; j < NODES; j++) expect(await db.get(p.node, j)).toBe(value({ node: j }));
      if (!expectRuns) expect(p.takeExecuted()).toEqual([]);
      await db.commit();
    }
  }, 60_000);
});
