/**
 * A child "build process" over a random DAG (random-dag.ts), for the cross-process tests.
 *   build  <cacheDir> <graphSeed> <nodes> <inputs as JSON>
 *     requests every node, checks each against the from-scratch oracle, commits; prints
 *     {"results": [...], "executed": [...], "verified": n}
 *   hammer <cacheDir> <graphSeed> <nodes> <workerSeed> <rounds> <workers>
 *     waits for <workers> workers to open the store, then rounds of random edits, requests
 *     (checked) and commits, reopening the store now and then;
 *     prints {"rounds": n, "executed": n, "startedAt": ms, "endedAt": ms}
 * Exits 1 with a message on any wrong result.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LmdbStore } from '../../src/cache/lmdb-store.js';
import { Database } from '../../src/graph/database.js';
import { CHILD_INPUTS as DAG_INPUTS, dagProgram, evaluator, int, randomDag, rng, type DagSpec } from './random-dag.js';

const [mode, cacheDir, graphSeed, nodesArg, ...rest] = process.argv.slice(2) as [string, string, string, string, ...string[]];
const spec: DagSpec = randomDag(Number(graphSeed), Number(nodesArg), DAG_INPUTS);
const nodes = spec.nodes.map((_, j) => j);

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

async function build(inputs: number[]): Promise<void> {
  const store = await LmdbStore.open({ cacheDir });
  const p = dagProgram(spec);
  const db = new Database({ store, queries: [p.node] });
  let verified = 0;
  db.events$.subscribe((e) => {
    if (e.outcome !== 'executed') verified++;
  });
  inputs.forEach((v, i) => db.setInput(p.input, i, v));
  const results = await Promise.all(nodes.map((j) => db.get(p.node, j)));
  const value = evaluator(spec, inputs);
  nodes.forEach((j) => results[j] === value({ node: j }) || fail(`node ${j}: got ${results[j]}, expected ${value({ node: j })}`));
  const executed = p.takeExecuted();
  await db.commit();
  await store.close();
  process.stdout.write(`${JSON.stringify({ results, executed, verified })}\n`);
}

/** Waits until `count` workers have arrived (files in the cache dir), so the hammering overlaps. */
async function rendezvous(name: string, count: number): Promise<void> {
  writeFileSync(join(cacheDir, `ready-${name}`), '');
  const deadline = Date.now() + 30_000;
  while (readdirSync(cacheDir).filter((f) => f.startsWith('ready-')).length < count) {
    if (Date.now() > deadline) fail('the other worker never arrived');
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function hammer(workerSeed: number, rounds: number, workers: number): Promise<void> {
  const rand = rng(workerSeed);
  // Both workers start from the same inputs and draw edits from a small domain: their work
  // overlaps (same memos written by both, often with the same values).
  const inputs = Array.from({ length: DAG_INPUTS }, () => 0);
  let store = await LmdbStore.open({ cacheDir });
  await rendezvous(String(workerSeed), workers);
  const startedAt = Date.now();
  let executed = 0;
  for (let round = 0; round < rounds; round++) {
    if (round > 0 && rand() < 0.3) {
      await store.close();
      store = await LmdbStore.open({ cacheDir });
    }
    const p = dagProgram(spec);
    const db = new Database({ store, queries: [p.node] });
    for (let e = int(rand, 2) + 1; e > 0; e--) inputs[int(rand, DAG_INPUTS)] = int(rand, 3);
    inputs.forEach((v, i) => db.setInput(p.input, i, v));
    const roots = Array.from({ length: int(rand, 4) + 1 }, () => nodes.length - 1 - int(rand, nodes.length));
    const got = await Promise.all(roots.map((j) => db.get(p.node, j)));
    const value = evaluator(spec, inputs);
    roots.forEach((j, i) => got[i] === value({ node: j }) || fail(`round ${round}, node ${j}: got ${got[i]}, expected ${value({ node: j })}`));
    executed += p.takeExecuted().length;
    await db.commit();
  }
  await store.close();
  process.stdout.write(`${JSON.stringify({ rounds, executed, startedAt, endedAt: Date.now() })}\n`);
}

if (mode === 'build') await build(JSON.parse(rest[0]!) as number[]);
else if (mode === 'hammer') await hammer(Number(rest[0]), Number(rest[1]), Number(rest[2] ?? 1));
else fail(`unknown mode ${mode}`);
