import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/cache/memory-store.js';
import { Database } from '../../src/graph/database.js';
import { defineInput, defineQuery, type DerivedQuery } from '../../src/graph/query.js';
import { IreetsError } from '../../src/util/errors.js';

async function catchError(p: Promise<unknown>): Promise<IreetsError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof IreetsError) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

describe('cycles', () => {
  it('a query reaching itself through others fails with QUERY_CYCLE listing the cycle in order', async () => {
    const next = defineInput<string, string>('next');
    // hop(k) reads hop(next[k]): a → b → c → a.
    const hop: DerivedQuery<string, number> = defineQuery<string, number>({
      name: 'hop',
      version: '1',
      compute: async (ctx, k) => 1 + (await ctx.get(hop, ctx.input(next, k))),
    });
    const entry = defineQuery<string, number>({ name: 'entry', version: '1', compute: (ctx, k) => ctx.get(hop, k) });
    const db = new Database({ store: await MemoryStore.create() });
    db.setInput(next, 'a', 'b');
    db.setInput(next, 'b', 'c');
    db.setInput(next, 'c', 'a');
    const e = await catchError(db.get(entry, 'a'));
    expect(e.code).toBe('QUERY_CYCLE');
    expect(e.message).toContain('hop("a") → hop("b") → hop("c") → hop("a")');
    // No memo for anything on the cycle, and the engine is not wedged: break the cycle and go on.
    expect(db.inspect(hop, 'a')).toBeUndefined();
    db.setInput(next, 'c', 'end');
    const stop = defineQuery<string, number>({ name: 'stop', version: '1', compute: () => 0 });
    const hop2: DerivedQuery<string, number> = defineQuery<string, number>({
      name: 'hop2',
      version: '1',
      compute: async (ctx, k) => (k === 'end' ? ctx.get(stop, k) : 1 + (await ctx.get(hop2, ctx.input(next, k)))),
    });
    expect(await db.get(hop2, 'a')).toBe(3);
  });

  it('a query reading itself is a cycle of one', async () => {
    const self: DerivedQuery<number, number> = defineQuery<number, number>({
      name: 'self',
      version: '1',
      compute: (ctx, k) => ctx.get(self, k),
    });
    const db = new Database({ store: await MemoryStore.create() });
    const e = await catchError(db.get(self, 1));
    expect(e.code).toBe('QUERY_CYCLE');
    expect(e.message).toContain('self(1) → self(1)');
  });

  it('a cycle entered from two concurrent requests fails both, without hanging', async () => {
    const p: DerivedQuery<string, number> = defineQuery<string, number>({
      name: 'ping',
      version: '1',
      compute: async (ctx, k) => {
        await new Promise((r) => setTimeout(r, 5));
        return ctx.get(q, k);
      },
    });
    const q: DerivedQuery<string, number> = defineQuery<string, number>({
      name: 'pong',
      version: '1',
      compute: async (ctx, k) => {
        await new Promise((r) => setTimeout(r, 5));
        return ctx.get(p, k);
      },
    });
    const db = new Database({ store: await MemoryStore.create() });
    const [a, b] = await Promise.allSettled([db.get(p, 'x'), db.get(q, 'x')]);
    expect(a.status).toBe('rejected');
    expect(b.status).toBe('rejected');
    const codes = [a, b].map((r) => (r.status === 'rejected' ? (r.reason as IreetsError).code : 'ok'));
    expect(codes).toEqual(['QUERY_CYCLE', 'QUERY_CYCLE']);
  });
});
