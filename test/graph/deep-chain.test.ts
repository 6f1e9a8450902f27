import { afterEach, describe, expect, it } from 'vitest';
import { Database } from '../../src/graph/database.js';
import { defineInput, defineQuery, type DerivedQuery } from '../../src/graph/query.js';
import { captureEvents, tempStore } from './helpers.js';

const DEPTH = 10_000;

function chainQueries() {
  const base = defineInput<null, number>('base');
  const unrelated = defineInput<null, number>('unrelated');
  let runs = 0;
  // link(n) reads link(n-1); link(0) reads the input. Values are bounded so they stay small.
  const link: DerivedQuery<number, number> = defineQuery<number, number>({
    name: 'link',
    version: '1',
    compute: async (ctx, n) => {
      runs++;
      if (n === 0) return ctx.input(base, null);
      return ((await ctx.get(link, n - 1)) * 31 + n) % 1_000_003;
    },
  });
  const expected = (b: number) => {
    let v = b;
    for (let n = 1; n <= DEPTH; n++) v = (v * 31 + n) % 1_000_003;
    return v;
  };
  return { base, unrelated, link, expected, runs: () => runs };
}

describe(`a ${DEPTH}-deep chain`, () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  it('computes, re-verifies, recomputes and verifies from the store without recursion limits', async () => {
    const t = await tempStore();
    cleanup = t.close;
    const q = chainQueries();
    const db = new Database({ store: t.store });
    db.setInput(q.base, null, 7);
    db.setInput(q.unrelated, null, 0);
    expect(await db.get(q.link, DEPTH)).toBe(q.expected(7));
    expect(q.runs()).toBe(DEPTH + 1);

    // A new revision that does not touch the chain: full deep verification, no runs.
    const ev = captureEvents(db);
    db.setInput(q.unrelated, null, 1);
    expect(await db.get(q.link, DEPTH)).toBe(q.expected(7));
    expect(q.runs()).toBe(DEPTH + 1);
    expect(ev.events.filter((e) => e.outcome === 'verified')).toHaveLength(DEPTH + 1);
    ev.take();

    // Change the bottom: every link re-runs, driven by the verification loop.
    db.setInput(q.base, null, 8);
    expect(await db.get(q.link, DEPTH)).toBe(q.expected(8));
    expect(q.runs()).toBe(2 * (DEPTH + 1));
    await db.commit();

    // A fresh process: verifies the whole persisted chain, runs nothing.
    const q2 = chainQueries();
    const fresh = new Database({ store: t.store, queries: [q2.link] });
    fresh.setInput(q2.base, null, 8);
    fresh.setInput(q2.unrelated, null, 1);
    expect(await fresh.get(q2.link, DEPTH)).toBe(q.expected(8));
    expect(q2.runs()).toBe(0);
  });
});
