import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/cache/memory-store.js';
import { Database } from '../../src/graph/database.js';
import { Durability } from '../../src/graph/durability.js';
import { defineInput, defineQuery } from '../../src/graph/query.js';
import { captureEvents, outcomes } from './helpers.js';

describe('red-green verification and early cutoff', () => {
  async function pipeline() {
    const source = defineInput<string, string>('source');
    const runs: string[] = [];
    // parse strips comments, so editing a comment changes its input but not its output.
    const parse = defineQuery<string, string[]>({
      name: 'parse',
      version: '1',
      compute: (ctx, f) => {
        runs.push('parse');
        return ctx
          .input(source, f)
          .split('\n')
          .filter((l) => !l.startsWith('#'));
      },
    });
    const count = defineQuery<string, number>({
      name: 'count',
      version: '1',
      compute: async (ctx, f) => {
        runs.push('count');
        return (await ctx.get(parse, f)).length;
      },
    });
    const report = defineQuery<string, string>({
      name: 'report',
      version: '1',
      compute: async (ctx, f) => {
        runs.push('report');
        return `${f}: ${await ctx.get(count, f)} lines`;
      },
    });
    const db = new Database({ store: await MemoryStore.create() });
    return { db, source, parse, count, report, runs };
  }

  it('early cutoff: a re-run with an equal result keeps changedAt and dependants stay green', async () => {
    const { db, source, parse, count, report, runs } = await pipeline();
    db.setInput(source, 'f', 'a\nb');
    expect(await db.get(report, 'f')).toBe('f: 2 lines');
    const before = db.inspect(parse, 'f')!;
    const ev = captureEvents(db);
    db.setInput(source, 'f', '# comment\na\nb');
    runs.length = 0;
    expect(await db.get(report, 'f')).toBe('f: 2 lines');
    expect(runs).toEqual(['parse']);
    expect(outcomes(ev.take())).toEqual(['count("f"):verified', 'parse("f"):executed', 'report("f"):verified']);
    const after = db.inspect(parse, 'f')!;
    expect(after.changedAt).toBe(before.changedAt);
    expect(after.verifiedAt).toBe(db.revision);
    expect(db.inspect(report, 'f')!.verifiedAt).toBe(db.revision);
  });

  it('a real change propagates as far as values change', async () => {
    const { db, source, parse, count, report, runs } = await pipeline();
    db.setInput(source, 'f', 'a\nb');
    await db.get(report, 'f');
    db.setInput(source, 'f', 'a\nc'); // parse changes, count does not
    runs.length = 0;
    expect(await db.get(report, 'f')).toBe('f: 2 lines');
    expect(runs).toEqual(['parse', 'count']);
    expect(db.inspect(parse, 'f')!.changedAt).toBe(db.revision);
    expect(db.inspect(count, 'f')!.changedAt).toBeLessThan(db.revision);
    db.setInput(source, 'f', 'a\nb\nc');
    runs.length = 0;
    expect(await db.get(report, 'f')).toBe('f: 3 lines');
    expect(runs).toEqual(['parse', 'count', 'report']);
  });

  it('verifies dependencies in recorded order and stops at the first red one', async () => {
    const flag = defineInput<null, boolean>('flag');
    const a = defineInput<null, number>('a');
    const b = defineInput<null, number>('b');
    const readsB: number[] = [];
    const bPlusOne = defineQuery<null, number>({
      name: 'bPlusOne',
      version: '1',
      compute: (ctx) => {
        readsB.push(1);
        return ctx.input(b, null) + 1;
      },
    });
    // Reads `flag` first; when it is false the query never reads bPlusOne.
    const choose = defineQuery<null, number>({
      name: 'choose',
      version: '1',
      compute: async (ctx) => (ctx.input(flag, null) ? ctx.get(bPlusOne, null) : ctx.input(a, null)),
    });
    const db = new Database({ store: await MemoryStore.create() });
    db.setInput(flag, null, true);
    db.setInput(a, null, 10);
    db.setInput(b, null, 20);
    expect(await db.get(choose, null)).toBe(21);
    db.setInput(flag, null, false);
    db.setInput(b, null, 30);
    // flag is red, so bPlusOne (a stale dependency) must not be re-run during verification.
    expect(await db.get(choose, null)).toBe(10);
    expect(readsB).toHaveLength(1);
  });
});

describe('durability', () => {
  it('skips walking memos whose dependencies are all more durable than what changed', async () => {
    const options = defineInput<string, { opt: number }>('options');
    const model = defineInput<string, string>('model');
    let heavyRuns = 0;
    const optLevel = defineQuery<string, number>({
      name: 'optLevel',
      version: '1',
      compute: (ctx, k) => ctx.input(options, k).opt,
    });
    const heavy = defineQuery<string, number>({
      name: 'heavy',
      version: '1',
      compute: async (ctx, k) => {
        heavyRuns++;
        return (await ctx.get(optLevel, k)) * 2;
      },
    });
    const build = defineQuery<string, string>({
      name: 'build',
      version: '1',
      compute: async (ctx, k) => `${ctx.input(model, k)}@${await ctx.get(heavy, k)}`,
    });
    const db = new Database({ store: await MemoryStore.create() });
    db.setInput(options, 'm', { opt: 3 }, Durability.HIGH);
    db.setInput(model, 'm', 'v1', Durability.LOW);
    expect(await db.get(build, 'm')).toBe('v1@6');
    expect(db.inspect(heavy, 'm')!.durability).toBe(Durability.HIGH);
    expect(db.inspect(build, 'm')!.durability).toBe(Durability.LOW);

    const ev = captureEvents(db);
    db.setInput(model, 'm', 'v2', Durability.LOW);
    expect(await db.get(build, 'm')).toBe('v2@6');
    // heavy is HIGH: reused on the shortcut, its own dependency optLevel never even visited.
    expect(outcomes(ev.take())).toEqual(['build("m"):executed', 'heavy("m"):reused']);

    db.setInput(options, 'm', { opt: 4 }, Durability.HIGH);
    expect(await db.get(build, 'm')).toBe('v2@8');
    expect(outcomes(ev.take())).toEqual(['build("m"):executed', 'heavy("m"):executed', 'optLevel("m"):executed']);
    expect(heavyRuns).toBe(2);
  });

  it('lowering an input’s durability (same value) revokes the shortcut', async () => {
    const cfg = defineInput<null, number>('cfg');
    const double = defineQuery<null, number>({ name: 'double', version: '1', compute: (ctx) => ctx.input(cfg, null) * 2 });
    const db = new Database({ store: await MemoryStore.create() });
    db.setInput(cfg, null, 1, Durability.HIGH);
    await db.get(double, null);
    expect(db.setInput(cfg, null, 1, Durability.LOW)).toBe(true);
    await db.get(double, null);
    expect(db.inspect(double, null)!.durability).toBe(Durability.LOW);
    // Now a LOW change to cfg must not be skipped.
    db.setInput(cfg, null, 5, Durability.LOW);
    expect(await db.get(double, null)).toBe(10);
  });
});
