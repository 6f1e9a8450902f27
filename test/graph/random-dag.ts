/**
 * Seeded random query DAGs for the property, persistence and concurrency tests: a spec, a plain
 * recursive evaluator (the from-scratch oracle), and the same graph as build-graph queries.
 * Everything is a function of the seed, so a failing run replays from its printed seed.
 */
import { defineInput, defineQuery, type DerivedQuery, type InputQuery } from '../../src/graph/query.js';

/** mulberry32: small, fast, good enough to drive tests. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const int = (rand: () => number, n: number): number => Math.floor(rand() * n);
export const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[int(rand, xs.length)]!;

export type Ref = { input: number } | { node: number };
/** How a compute yields before reading: not at all, a microtask, or a macrotask turn. */
export type Pause = 'none' | 'micro' | 'macro';
export type NodeSpec =
  | { kind: 'combine'; refs: Ref[]; mul: number; pause: Pause }
  /** Reads cond, then only one of the branches: dependencies change with values. */
  | { kind: 'branch'; cond: Ref; then: Ref; else: Ref; pause: Pause };

export interface DagSpec {
  inputs: number;
  nodes: NodeSpec[];
}

/** Inputs of the DAGs that child processes (dag-process.ts) build. */
export const CHILD_INPUTS = 8;

/** Values live in 0..MOD-1: small enough that re-runs often give equal values (early cutoff). */
export const MOD = 7;

/**
 * A DAG of `nodes` queries over `inputs` inputs, nodes reading only earlier nodes. Mixed shape:
 * chains (reading the previous few nodes), hubs read by many (fan-out), nodes reading many
 * (fan-in, up to 6 reads), and branches whose reads depend on a value.
 */
export function randomDag(seed: number, nodes: number, inputs: number): DagSpec {
  const rand = rng(seed);
  const hubs: number[] = [];
  const ref = (j: number): Ref => {
    const r = rand();
    if (j === 0 || r < 0.25) return { input: int(rand, inputs) };
    if (r < 0.5) return { node: Math.max(0, j - 1 - int(rand, Math.min(j, 3))) }; // chain-ish
    if (r < 0.7 && hubs.length > 0) return { node: pick(rand, hubs) }; // fan-out
    return { node: int(rand, j) };
  };
  const pause = (): Pause => {
    const r = rand();
    return r < 0.6 ? 'none' : r < 0.95 ? 'micro' : 'macro';
  };
  const spec: NodeSpec[] = [];
  for (let j = 0; j < nodes; j++) {
    if (rand() < 0.2) {
      spec.push({ kind: 'branch', cond: ref(j), then: ref(j), else: ref(j), pause: pause() });
    } else {
      const fanIn = rand() < 0.15 ? 4 + int(rand, 3) : 1 + int(rand, 3);
      spec.push({ kind: 'combine', refs: Array.from({ length: fanIn }, () => ref(j)), mul: 1 + int(rand, 3), pause: pause() });
    }
    if (rand() < 0.1) hubs.push(j);
  }
  return { inputs, nodes: spec };
}

function combine(values: number[], mul: number): number {
  let acc = 0;
  for (let i = 0; i < values.length; i++) acc += values[i]! * (i + 1) * mul;
  return acc % MOD;
}

const branchElse = (v: number): number => (v + 1) % MOD;

/** The from-scratch oracle over the current input values (memoized within one call). */
export function evaluator(spec: DagSpec, inputs: readonly number[]): (r: Ref) => number {
  const cache = new Map<number, number>();
  const value = (r: Ref): number => {
    if ('input' in r) return inputs[r.input]!;
    const known = cache.get(r.node);
    if (known !== undefined) return known;
    const s = spec.nodes[r.node]!;
    const v = s.kind === 'combine' ? combine(s.refs.map(value), s.mul) : value(s.cond) % 2 === 0 ? value(s.then) : branchElse(value(s.else));
    cache.set(r.node, v);
    return v;
  };
  return value;
}

/** What node j reads, in order (first reads only), under the values `value` gives. */
export function readsOf(spec: DagSpec, value: (r: Ref) => number, j: number): Ref[] {
  const s = spec.nodes[j]!;
  const reads = s.kind === 'combine' ? s.refs : [s.cond, value(s.cond) % 2 === 0 ? s.then : s.else];
  const seen = new Set<string>();
  return reads.filter((r) => {
    const id = refId(r);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

export const refId = (r: Ref): string => ('input' in r ? `i${r.input}` : `n${r.node}`);

export interface DagProgram {
  input: InputQuery<number, number>;
  node: DerivedQuery<number, number>;
  /** Nodes whose compute ran, in order, since the last take. */
  takeExecuted(): number[];
}

/** The spec as queries: fresh definitions per "process". */
export function dagProgram(spec: DagSpec): DagProgram {
  const input = defineInput<number, number>('in');
  let executed: number[] = [];
  const node: DerivedQuery<number, number> = defineQuery<number, number>({
    name: 'node',
    version: '1',
    compute: async (ctx, j) => {
      executed.push(j);
      const s = spec.nodes[j]!;
      if (s.pause === 'micro') await Promise.resolve();
      else if (s.pause === 'macro') await new Promise((r) => setImmediate(r));
      const read = (r: Ref) => ('input' in r ? ctx.get(input, r.input) : ctx.get(node, r.node));
      if (s.kind === 'combine') {
        const values: number[] = [];
        for (const r of s.refs) values.push(await read(r));
        return combine(values, s.mul);
      }
      return (await read(s.cond)) % 2 === 0 ? read(s.then) : branchElse(await read(s.else));
    },
  });
  return {
    input,
    node,
    takeExecuted: () => {
      const e = executed;
      executed = [];
      return e;
    },
  };
}
