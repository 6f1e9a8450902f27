/**
 * An unusable cache — unwritable, locked, damaged, or failing mid-build — degrades the store to
 * memory with exactly one warning. Builds stay correct; nothing crashes (LMDB itself would
 * crash the process on some of these files, hence the pre-flight checks).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureFixture } from '../../fixtures/generate.js';
import { LmdbStore } from '../../src/cache/lmdb-store.js';
import { LMDB_SUBDIR, type LmdbTables } from '../../src/cache/lmdb-tables.js';
import { Database } from '../../src/graph/database.js';
import { defineInput, defineQuery } from '../../src/graph/query.js';
import { makeTempDir } from '../graph/helpers.js';

function program() {
  const text = defineInput<string, string>('text');
  let runs = 0;
  const upper = defineQuery<string, string>({
    name: 'upper',
    version: '1',
    compute: (ctx, k) => {
      runs++;
      return ctx.input(text, k).toUpperCase();
    },
  });
  const joined = defineQuery<readonly string[], string>({
    name: 'joined',
    version: '1',
    compute: async (ctx, ks) => {
      runs++;
      const parts: string[] = [];
      for (const k of ks) parts.push(await ctx.get(upper, k));
      return parts.join('+');
    },
  });
  return { text, upper, joined, queries: [upper, joined], runs: () => runs };
}

describe('a cache that cannot be used', () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  function tempDir(): string {
    const tmp = makeTempDir();
    cleanups.push(tmp.remove);
    return tmp.dir;
  }

  async function openWarned(cacheDir: string): Promise<{ store: LmdbStore; warnings: string[] }> {
    const warnings: string[] = [];
    const store = await LmdbStore.open({ cacheDir, onWarning: (m) => warnings.push(m) });
    cleanups.push(() => store.close());
    return { store, warnings };
  }

  /** Builds, commits, rebuilds after an edit: all correct on whatever store it gets. */
  async function buildTwice(store: LmdbStore): Promise<void> {
    const p = program();
    const db = new Database({ store, queries: p.queries });
    db.setInput(p.text, 'a', 'x');
    db.setInput(p.text, 'b', 'y');
    expect(await db.get(p.joined, ['a', 'b'])).toBe('X+Y');
    await db.commit();
    db.setInput(p.text, 'b', 'z');
    expect(await db.get(p.joined, ['a', 'b'])).toBe('X+Z');
    expect(p.runs()).toBe(5);
    await db.commit();
  }

  /** A store that works: a build on it, then reopening, runs nothing. */
  async function expectPersistent(cacheDir: string): Promise<void> {
    const first = await openWarned(cacheDir);
    expect(first.store.degraded).toBeUndefined();
    await buildTwice(first.store);
    await first.store.close();
    const second = await openWarned(cacheDir);
    const p = program();
    const db = new Database({ store: second.store, queries: p.queries });
    db.setInput(p.text, 'a', 'x');
    db.setInput(p.text, 'b', 'z');
    expect(await db.get(p.joined, ['a', 'b'])).toBe('X+Z');
    expect(p.runs()).toBe(0);
    expect([...first.warnings, ...second.warnings]).toEqual([]);
  }

  it('unwritable (a path through a regular file): in memory, one warning, builds and commits fine', async () => {
    const file = join(tempDir(), 'plain-file');
    writeFileSync(file, 'not a directory');
    const { store, warnings } = await openWarned(join(file, 'cache'));
    expect(store.degraded).toMatchObject({ code: 'CACHE_IO' });
    await buildTwice(store);
    expect(store.stats()).toMatchObject({ memos: 3 }); // the in-memory tables work like the real ones
    expect(store.gc({ maxBytes: 0 })).toMatchObject({ memosKept: 0 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/the build cache at .*cache is unusable, so nothing is cached beyond this process: .*cannot write there/);
  });

  it('locked (its lock file is not a file): in memory, one warning', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, LMDB_SUBDIR, 'lock.mdb'), { recursive: true });
    const { store, warnings } = await openWarned(dir);
    expect(store.degraded?.message).toMatch(/lock\.mdb is not a file/);
    await buildTwice(store);
    expect(warnings).toHaveLength(1);
  });

  it('a data file that is not a file, or not LMDB: in memory, one warning', async () => {
    const dir1 = tempDir();
    mkdirSync(join(dir1, LMDB_SUBDIR, 'data.mdb'), { recursive: true });
    const a = await openWarned(dir1);
    expect(a.store.degraded).toMatchObject({ code: 'CACHE_IO' });
    await buildTwice(a.store);
    const dir2 = tempDir();
    mkdirSync(join(dir2, LMDB_SUBDIR), { recursive: true });
    writeFileSync(join(dir2, LMDB_SUBDIR, 'data.mdb'), Buffer.alloc(10_000, 7));
    const b = await openWarned(dir2);
    expect(b.store.degraded).toMatchObject({ code: 'CACHE_CORRUPT' });
    expect(b.store.degraded?.message).toMatch(/not an LMDB file/);
    expect([a.warnings.length, b.warnings.length]).toEqual([1, 1]);
  });

  it('a truncated database file is detected before LMDB maps it; clear resets it', async () => {
    const dir = tempDir();
    const first = await openWarned(dir);
    const big = defineQuery<number, Uint8Array>({ name: 'big', version: '1', compute: (_ctx, i) => new Uint8Array(20_000).fill(i) });
    const db = new Database({ store: first.store });
    for (let i = 0; i < 20; i++) await db.get(big, i);
    await db.commit();
    await first.store.close();
    const data = join(dir, LMDB_SUBDIR, 'data.mdb');
    truncateSync(data, 3 * 4096);
    const damaged = await openWarned(dir);
    expect(damaged.store.degraded?.message).toMatch(/damaged \(truncated/);
    expect(damaged.warnings).toHaveLength(1);
    expect(damaged.store.clear()).toMatchObject({ reset: true });
    await damaged.store.close();
    await expectPersistent(dir);
  });

  it('a database that fails after opening degrades at that point, once, and the build still finishes right', async () => {
    const dir = tempDir();
    const { store, warnings } = await openWarned(dir);
    const p = program();
    const db = new Database({ store, queries: p.queries });
    db.setInput(p.text, 'a', 'x');
    db.setInput(p.text, 'b', 'y');
    expect(await db.get(p.joined, ['a', 'b'])).toBe('X+Y');
    await db.commit();
    await (store.tables as LmdbTables).env.close(); // as if the disk went away
    db.setInput(p.text, 'b', 'w');
    expect(await db.get(p.joined, ['a', 'b'])).toBe('X+W');
    await db.commit();
    // A fresh engine on the same (now in-memory) store: its memos are there, its values too.
    const p2 = program();
    const db2 = new Database({ store, queries: p2.queries });
    db2.setInput(p2.text, 'a', 'x');
    db2.setInput(p2.text, 'b', 'w');
    expect(await db2.get(p2.joined, ['a', 'b'])).toBe('X+W');
    expect(store.degraded).toBeDefined();
    expect(warnings).toHaveLength(1);
  });

  it('a healthy directory passes the pre-flight checks and persists', async () => {
    await expectPersistent(tempDir());
  });

  it('`ireets compile` with an unusable --cache-dir warns once and still writes the module', async () => {
    const dir = tempDir();
    const model = await ensureFixture('tiny_cnn');
    const file = join(dir, 'plain-file');
    writeFileSync(file, '');
    const out = join(dir, 'tiny.vmfb');
    const env = { ...process.env };
    delete env['IREETS_CACHE_DIR'];
    const r = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'cli/ireets.ts', 'compile', model, '-o', out, '--cache-dir', join(file, 'cache')], { env });
    expect(r.stderr.match(/is unusable/g)).toHaveLength(1);
    expect(r.stdout).toMatch(/^wrote /m);
    expect(readFileSync(out).length).toBeGreaterThan(0);
  }, 60_000);
});
