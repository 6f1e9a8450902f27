import { afterEach, describe, expect, it } from 'vitest';
import { Database } from '../../src/graph/database.js';
import { defineInput, defineQuery } from '../../src/graph/query.js';
import { memoKey } from '../../src/cache/tables.js';
import { tempStore } from './helpers.js';

/** A promise with its resolve function exposed. */
function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

describe('cancellation', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  async function setup() {
    const t = await tempStore();
    cleanup = t.close;
    const text = defineInput<string, string>('text');
    const started = gate();
    const release = gate();
    let sawAbort = false;
    let runs = 0;
    const inner = defineQuery<string, number>({
      name: 'inner',
      version: '1',
      compute: (ctx, k) => ctx.input(text, k).length,
    });
    const slow = defineQuery<string, string>({
      name: 'slow',
      version: '1',
      compute: async (ctx, k) => {
        runs++;
        const n = await ctx.get(inner, k);
        ctx.signal.addEventListener('abort', () => (sawAbort = true));
        started.open();
        await release.promise;
        return `${ctx.input(text, k)}:${n}`;
      },
    });
    const db = new Database({ store: t.store });
    return {
      db,
      store: t.store,
      text,
      inner,
      slow,
      started,
      release: () => release.open(),
      sawAbort: () => sawAbort,
      runs: () => runs,
    };
  }

  it('aborting the signal rejects with QUERY_CANCELLED and leaves no memo, in memory or in the store', async () => {
    const t = await setup();
    t.db.setInput(t.text, 'k', 'hello');
    const ac = new AbortController();
    const pending = t.db.get(t.slow, 'k', { signal: ac.signal });
    await t.started.promise;
    ac.abort();
    await expect(pending).rejects.toMatchObject({ code: 'QUERY_CANCELLED' });
    expect(t.sawAbort()).toBe(true); // the compute was told through ctx.signal
    t.release(); // the abandoned compute finishes late; its result must be dropped
    await new Promise((r) => setTimeout(r, 5));
    expect(t.db.inspect(t.slow, 'k')).toBeUndefined();
    await t.db.commit();
    const keyHash = t.store.fingerprintValue('k');
    expect(t.store.tables.memos.has(memoKey('slow', keyHash))).toBe(false);
    // The dependency that finished before the abort is a sound memo and may stay.
    expect(t.db.inspect(t.inner, 'k')).toBeDefined();
    // And a later request computes afresh.
    expect(await t.db.get(t.slow, 'k')).toBe('hello:5');
  });

  it('an already-aborted signal fails at once', async () => {
    const t = await setup();
    t.db.setInput(t.text, 'k', 'x');
    await expect(t.db.get(t.slow, 'k', { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'QUERY_CANCELLED' });
    expect(t.runs()).toBe(0);
  });

  it('one requester aborting does not cancel the work another still waits for', async () => {
    const t = await setup();
    t.db.setInput(t.text, 'k', 'abc');
    const ac = new AbortController();
    const a = t.db.get(t.slow, 'k', { signal: ac.signal });
    const b = t.db.get(t.slow, 'k');
    await t.started.promise;
    ac.abort();
    await expect(a).rejects.toMatchObject({ code: 'QUERY_CANCELLED' });
    t.release();
    expect(await b).toBe('abc:3');
    expect(t.runs()).toBe(1);
    expect(t.sawAbort()).toBe(false);
  });

  it('changing an input cancels in-flight work of the old revision', async () => {
    const t = await setup();
    t.db.setInput(t.text, 'k', 'old');
    const pending = t.db.get(t.slow, 'k');
    await t.started.promise;
    t.db.setInput(t.text, 'k', 'newer');
    await expect(pending).rejects.toMatchObject({ code: 'QUERY_CANCELLED' });
    t.release();
    expect(t.db.inspect(t.slow, 'k')).toBeUndefined();
    expect(await t.db.get(t.slow, 'k')).toBe('newer:5');
  });

  it('cancelAll cancels everything in flight', async () => {
    const t = await setup();
    t.db.setInput(t.text, 'k', 'v');
    const pending = t.db.get(t.slow, 'k');
    await t.started.promise;
    t.db.cancelAll('shutting down');
    await expect(pending).rejects.toThrow(/shutting down/);
    t.release();
  });
});
