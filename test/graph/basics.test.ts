import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/cache/memory-store.js';
import { Database } from '../../src/graph/database.js';
import { Durability } from '../../src/graph/durability.js';
import { defineInput, defineQuery } from '../../src/graph/query.js';
import { captureEvents, outcomes } from './helpers.js';

async function setup() {
  const store = await MemoryStore.create();
  const text = defineInput<string, string>('text');
  const runs = { length: 0, upper: 0, total: 0 };
  const length = defineQuery<string, number>({
    name: 'length',
    version: '1',
    compute: (ctx, file) => {
      runs.length++;
      return ctx.input(text, file).length;
    },
  });
  const upper = defineQuery<string, string>({
    name: 'upper',
    version: '1',
    compute: async (ctx, file) => {
      runs.upper++;
      return (await ctx.get(text, file)).toUpperCase();
    },
  });
  const total = defineQuery<readonly string[], number>({
    name: 'total',
    version: '1',
    compute: async (ctx, files) => {
      runs.total++;
      let sum = 0;
      for (const f of files) sum += await ctx.get(length, f);
      return sum;
    },
  });
  const db = new Database({ store });
  return { db, store, text, length, upper, total, runs };
}

describe('Database basics', () => {
  it('computes, then reuses within a revision', async () => {
    const { db, text, total, runs } = await setup();
    db.setInput(text, 'a', 'xx');
    db.setInput(text, 'b', 'yyy');
    expect(await db.get(total, ['a', 'b'])).toBe(5);
    expect(await db.get(total, ['a', 'b'])).toBe(5);
    expect(runs).toEqual({ length: 2, upper: 0, total: 1 });
  });

  it('setting an input to an equal value bumps nothing', async () => {
    const { db, text, total, runs } = await setup();
    expect(db.setInput(text, 'a', 'xx')).toBe(true);
    const r = db.revision;
    await db.get(total, ['a']);
    expect(db.setInput(text, 'a', 'x' + 'x')).toBe(false);
    expect(db.revision).toBe(r);
    const ev = captureEvents(db);
    await db.get(total, ['a']);
    expect(ev.events).toEqual([]); // nothing even needed verifying
    expect(runs.total).toBe(1);
  });

  it('re-runs only what an edit reaches', async () => {
    const { db, text, total, upper, runs } = await setup();
    db.setInput(text, 'a', 'xx');
    db.setInput(text, 'b', 'yyy');
    await db.get(total, ['a', 'b']);
    await db.get(upper, 'a');
    const ev = captureEvents(db);
    db.setInput(text, 'b', 'zzzz');
    expect(await db.get(total, ['a', 'b'])).toBe(6);
    expect(outcomes(ev.take())).toEqual([
      'length("a"):verified',
      'length("b"):executed',
      'total(["a", "b"]):executed',
    ]);
    expect(await db.get(upper, 'a')).toBe('XX');
    expect(outcomes(ev.take())).toEqual(['upper("a"):verified']);
    expect(runs).toEqual({ length: 3, upper: 1, total: 2 });
  });

  it('shares one computation between concurrent requests', async () => {
    const { db, text } = await setup();
    let runs = 0;
    const slow = defineQuery<string, string>({
      name: 'slow',
      version: '1',
      compute: async (ctx, k) => {
        runs++;
        await new Promise((r) => setTimeout(r, 10));
        return ctx.input(text, k) + '!';
      },
    });
    db.setInput(text, 'a', 'hi');
    const results = await Promise.all([db.get(slow, 'a'), db.get(slow, 'a'), db.get(slow, 'a')]);
    expect(results).toEqual(['hi!', 'hi!', 'hi!']);
    expect(runs).toBe(1);
  });

  it('reading an unset input fails with QUERY_INPUT_UNSET, and the failure is not memoized', async () => {
    const { db, text, upper } = await setup();
    await expect(db.get(upper, 'nope')).rejects.toMatchObject({ code: 'QUERY_INPUT_UNSET' });
    db.setInput(text, 'nope', 'now set');
    expect(await db.get(upper, 'nope')).toBe('NOW SET');
  });

  it('a compute error propagates and runs once per revision', async () => {
    const { db, text } = await setup();
    let runs = 0;
    const failing = defineQuery<string, number>({
      name: 'failing',
      version: '1',
      compute: (ctx, k) => {
        runs++;
        const v = ctx.input(text, k);
        if (v === 'bad') throw new Error('bad input');
        return v.length;
      },
    });
    const parent = defineQuery<string, number>({
      name: 'parent',
      version: '1',
      compute: async (ctx, k) => (await ctx.get(failing, k)) + (await ctx.get(failing, k)),
    });
    db.setInput(text, 'a', 'bad');
    await expect(db.get(parent, 'a')).rejects.toThrow('bad input');
    await expect(db.get(failing, 'a')).rejects.toThrow('bad input');
    expect(runs).toBe(1);
    db.setInput(text, 'a', 'good');
    expect(await db.get(parent, 'a')).toBe(8);
  });

  it('rejects two different queries under one name', async () => {
    const { db, text } = await setup();
    const a = defineQuery<number, number>({ name: 'dup', version: '1', compute: () => 1 });
    const b = defineQuery<number, number>({ name: 'dup', version: '1', compute: () => 2 });
    db.setInput(text, 'x', 'x');
    await db.get(a, 0);
    await expect(db.get(b, 0)).rejects.toMatchObject({ code: 'QUERY_CONFLICT' });
  });

  it('inputs read via get and ctx.get alike; durability defaults to LOW', async () => {
    const { db, text, upper } = await setup();
    db.setInput(text, 'k', 'v', Durability.HIGH);
    expect(await db.get(text, 'k')).toBe('v');
    expect(await db.get(upper, 'k')).toBe('V');
    expect(db.inspect(upper, 'k')?.durability).toBe(Durability.HIGH);
  });

  it('a compute returning something without a canonical form fails, naming the query', async () => {
    const { db } = await setup();
    class Handle {}
    const bad = defineQuery<number, unknown>({ name: 'bad', version: '1', compute: () => new Handle() });
    await expect(db.get(bad, 7)).rejects.toMatchObject({ code: 'VALUE_UNENCODABLE', culprit: 'bad(7)' });
  });
});
