/**
 * From-scratch consistency and recompute discipline, as a seeded property over large random
 * DAGs (after Buck2's DICE fuzzer). Random input edits (values and durabilities), requests
 * (some concurrent), commits, and restarts that close the LMDB store and reopen it under a new
 * engine, or "crash" without committing. After every request:
 *   - every result equals a from-scratch evaluation;
 *   - what executed ⊆ what a reference model allows: a query may re-run only if it has no memo
 *     (never ran, or ran after the last commit before a crash), or some dependency its memo
 *     recorded now has a different value than recorded (early cutoff: a dependency that re-ran
 *     to the same value does not count).
 * A failure prints its seed; replay it with
 *   GRAPH_SEED=<seed> npx vitest run test/graph/recompute-discipline.property.test.ts
 * (GRAPH_EDITS=<n> sets the edits per seed, GRAPH_SEEDS=<k> the number of random seeds.)
 */
import { describe, expect, it } from 'vitest';
import { LmdbStore } from '../../src/cache/lmdb-store.js';
import { Database } from '../../src/graph/database.js';
import { Durability } from '../../src/graph/durability.js';
import { makeTempDir } from './helpers.js';
import { dagProgram, evaluator, int, randomDag, readsOf, refId, rng, type DagSpec, type Ref } from './random-dag.js';

const NODES = 64;
const INPUTS = 12;
const EDITS_PER_SEED = Number(process.env['GRAPH_EDITS'] ?? 250);
const SEEDS: number[] = process.env['GRAPH_SEED']
  ? [Number(process.env['GRAPH_SEED'])]
  : Array.from({ length: Number(process.env['GRAPH_SEEDS'] ?? 3) }, () => Math.floor(Math.random() * 2 ** 31));

/** What a node's memo recorded at its last execution: each dependency and the value it had. */
type Recorded = Array<{ ref: Ref; value: number }>;

interface RunStats {
  edits: number;
  requests: number;
  restarts: number;
  crashes: number;
  executed: number;
  verifiedOnly: number;
}

async function runSeed(seed: number): Promise<RunStats> {
  const rand = rng(seed);
  const spec: DagSpec = randomDag(seed ^ 0x5eed, NODES, INPUTS);
  const tmp = makeTempDir('ireets-discipline-');
  const stats: RunStats = { edits: 0, requests: 0, restarts: 0, crashes: 0, executed: 0, verifiedOnly: 0 };
  const inputs = Array.from({ length: INPUTS }, () => int(rand, 5));
  const durabilities: Durability[] = Array.from({ length: INPUTS }, () => int(rand, 3) as Durability);
  // The model: per node, what its memo (in this engine or in the store) recorded.
  let recorded = new Map<number, Recorded>();
  let committed = new Map<number, Recorded>();

  let store = await LmdbStore.open({ cacheDir: tmp.dir });
  let p = dagProgram(spec);
  let db = new Database({ store, queries: [p.node] });
  const setAll = () => inputs.forEach((v, i) => db.setInput(p.input, i, v, durabilities[i]));
  setAll();
  let step = 0;
  try {
    while (stats.edits < EDITS_PER_SEED) {
      step++;
      // 1-3 edits; an equal value is allowed (and bumps nothing).
      for (let e = int(rand, 3) + 1; e > 0; e--) {
        const i = int(rand, INPUTS);
        inputs[i] = int(rand, 5);
        if (rand() < 0.2) durabilities[i] = int(rand, 3) as Durability;
        if (db.setInput(p.input, i, inputs[i]!, durabilities[i])) stats.edits++;
      }

      const value = evaluator(spec, inputs);
      const allowed = (j: number): boolean => {
        const rec = recorded.get(j);
        return rec === undefined || rec.some((d) => value(d.ref) !== d.value);
      };
      // Requests: 1-4 nodes, biased to the later (deeper) ones, sometimes concurrently.
      const roots = Array.from({ length: int(rand, 4) + 1 }, () => NODES - 1 - int(rand, Math.ceil(NODES * (rand() < 0.5 ? 0.25 : 1))));
      p.takeExecuted();
      const got = rand() < 0.5 ? await Promise.all(roots.map((j) => db.get(p.node, j))) : await sequential(roots, (j) => db.get(p.node, j));
      stats.requests++;
      expect(got, `results at step ${step}`).toEqual(roots.map((j) => value({ node: j })));

      const executed = p.takeExecuted();
      expect(new Set(executed).size, `a node executed twice in one revision at step ${step}`).toBe(executed.length);
      const unjustified = executed.filter((j) => !allowed(j));
      expect(unjustified, `re-executed without a changed dependency at step ${step}`).toEqual([]);
      for (const j of executed) recorded.set(j, readsOf(spec, value, j).map((ref) => ({ ref, value: value(ref) })));
      stats.executed += executed.length;
      if (executed.length === 0) stats.verifiedOnly++;

      const r = rand();
      if (r < 0.06) {
        // Restart: commit, close the store, reopen it under a new engine with fresh queries.
        await db.commit();
        committed = new Map(recorded);
        await store.close();
        store = await LmdbStore.open({ cacheDir: tmp.dir });
        p = dagProgram(spec);
        db = new Database({ store, queries: [p.node] });
        setAll();
        stats.restarts++;
      } else if (r < 0.08) {
        // Crash: whatever ran since the last commit is lost.
        await store.close();
        recorded = new Map(committed);
        store = await LmdbStore.open({ cacheDir: tmp.dir });
        p = dagProgram(spec);
        db = new Database({ store, queries: [p.node] });
        setAll();
        stats.crashes++;
      } else if (r < 0.12) {
        await db.commit();
        committed = new Map(recorded);
      }
    }
    const problems = store.stats().unreadableMemos;
    expect(problems, 'unreadable memos in the store').toBe(0);
    return stats;
  } catch (e) {
    const replay = `GRAPH_SEED=${seed} npx vitest run test/graph/recompute-discipline.property.test.ts`;
    const message = `seed ${seed} failed at step ${step}: ${(e as Error).message}\nreplay: ${replay}`;
    console.error(message);
    throw new Error(message, { cause: e });
  } finally {
    await store.close();
    tmp.remove();
  }
}

async function sequential<T>(xs: readonly number[], f: (x: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (const x of xs) out.push(await f(x));
  return out;
}

describe('recompute discipline (seeded property)', () => {
  it(`random ${NODES}-query DAGs, ${EDITS_PER_SEED} edits per seed, ${SEEDS.length} seed(s): results = from scratch, executed ⊆ allowed`, async () => {
    const total: RunStats = { edits: 0, requests: 0, restarts: 0, crashes: 0, executed: 0, verifiedOnly: 0 };
    for (const seed of SEEDS) {
      const s = await runSeed(seed);
      for (const k of Object.keys(total) as (keyof RunStats)[]) total[k] += s[k];
    }
    expect(total.edits).toBeGreaterThanOrEqual(EDITS_PER_SEED * SEEDS.length);
    // The run exercised what it claims to.
    expect(total.restarts + total.crashes).toBeGreaterThan(0);
    expect(total.executed).toBeGreaterThan(0);
    expect(total.verifiedOnly).toBeGreaterThan(0);
  }, 120_000);

  it('the model is not vacuous: an engine that re-runs everything breaks it', () => {
    // The allowed set after an edit of one input must exclude most of the graph.
    const spec = randomDag(42, NODES, INPUTS);
    const before = Array.from({ length: INPUTS }, () => 1);
    const after = [...before];
    after[0] = 2;
    const v0 = evaluator(spec, before);
    const v1 = evaluator(spec, after);
    const rec = (j: number) => readsOf(spec, v0, j).map((ref) => ({ ref, value: v0(ref) }));
    const allowed = spec.nodes.map((_, j) => rec(j).some((d) => v1(d.ref) !== d.value)).filter(Boolean).length;
    expect(allowed).toBeLessThan(NODES / 2);
    expect(refId({ node: 3 })).toBe('n3');
  });
});
