import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import yargs from 'yargs';
import { cacheCommand, parseByteSize } from '../../cli/commands/cache.js';
import { LmdbStore } from '../../src/cache/lmdb-store.js';
import { Database } from '../../src/graph/database.js';
import { defineInput, defineQuery } from '../../src/graph/query.js';
import { makeTempDir } from '../graph/helpers.js';

/** Runs `ireets <args>` in-process with only the cache command, returning stdout and stderr. */
async function ireetsIo(args: string[]): Promise<{ stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    await yargs(args).option('cache-dir', { type: 'string', global: true }).command(cacheCommand).strict().fail(false).parseAsync();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return { stdout, stderr };
}

const ireets = async (args: string[]) => (await ireetsIo(args)).stdout;

describe('ireets cache', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));

  function tempDir(): string {
    const tmp = makeTempDir();
    cleanups.push(tmp.remove);
    return tmp.dir;
  }

  async function seeded(): Promise<string> {
    const dir = tempDir();
    const store = await LmdbStore.open({ cacheDir: dir });
    const key = 'model.onnx';
    const keyHash = store.fingerprintValue(key);
    const fp = store.fingerprintValue('ir');
    await store.write({
      memos: [{ query: 'import', keyHash, version: '1', deps: [], valueFingerprint: fp }],
      values: new Map<string, unknown>([
        [fp, 'ir'],
        [keyHash, key],
      ]),
      touched: [],
      counters: { import: { hits: 2, misses: 1 } },
    });
    await store.close();
    return dir;
  }

  it('stats prints the directory, entries, bytes and per-query counts, or JSON', async () => {
    const dir = await seeded();
    const text = await ireets(['cache', 'stats', '--cache-dir', dir]);
    expect(text).toContain(`cache directory  ${dir}`);
    expect(text).toMatch(/memos\s+1 \(/);
    expect(text).toMatch(/values\s+2 \(/);
    expect(text).toMatch(/last run\s+2 hits, 1 misses/);
    expect(text).toMatch(/import\s+1\s+.*B\s+2\s+1\s+2\s+1/);
    const json = JSON.parse(await ireets(['cache', 'stats', '--json', '--cache-dir', dir])) as Record<string, unknown>;
    expect(json).toMatchObject({ dir, memos: 1, values: 2, lastRun: { hits: 2, misses: 1 }, queries: [{ query: 'import', memos: 1, hits: 2, misses: 1 }] });
  });

  it('stats shows the hits and misses of the last build process, not of all of them', async () => {
    const dir = tempDir();
    const build = async (value: string) => {
      const text = defineInput<string, string>('text');
      const upper = defineQuery<string, string>({ name: 'upper', version: '1', compute: (ctx, k) => ctx.input(text, k).toUpperCase() });
      const both = defineQuery<null, string>({ name: 'both', version: '1', compute: async (ctx) => (await ctx.get(upper, 'a')) + (await ctx.get(upper, 'b')) });
      const store = await LmdbStore.open({ cacheDir: dir });
      const db = new Database({ store, queries: [upper, both] });
      db.setInput(text, 'a', 'x');
      db.setInput(text, 'b', value);
      await db.get(both, null);
      await db.commit();
      await store.close();
    };
    await build('y'); // 3 misses
    await build('z'); // upper(b) and both re-run; upper(a) verified
    const json = JSON.parse(await ireets(['cache', 'stats', '--json', '--cache-dir', dir])) as {
      lastRun: { hits: number; misses: number };
      queries: Array<{ query: string; lastRunHits: number; lastRunMisses: number; hits: number; misses: number }>;
    };
    expect(json.lastRun).toMatchObject({ hits: 1, misses: 2 });
    expect(json.queries.map((q) => [q.query, q.lastRunHits, q.lastRunMisses, q.hits, q.misses])).toEqual([
      ['both', 0, 1, 0, 2],
      ['upper', 1, 1, 1, 3],
    ]);
  });

  it('gc keeps what memos reach; --max-bytes 0 and clear empty it', async () => {
    const dir = await seeded();
    expect(JSON.parse(await ireets(['cache', 'gc', '--json', '--cache-dir', dir]))).toMatchObject({ memosRemoved: 0, valuesRemoved: 0, memosKept: 1 });
    expect(JSON.parse(await ireets(['cache', 'gc', '--json', '--max-bytes', '1G', '--cache-dir', dir]))).toMatchObject({ memosRemoved: 0 });
    expect(await ireets(['cache', 'gc', '--max-bytes', '0', '--cache-dir', dir])).toMatch(/removed 1 memos and 2 values .*; kept 0 memos, 0 values \(0 B\)/);
    const dir2 = await seeded();
    expect(await ireets(['cache', 'clear', '--cache-dir', dir2])).toContain('1 memos, 2 values');
    expect(JSON.parse(await ireets(['cache', 'stats', '--json', '--cache-dir', dir2]))).toMatchObject({ memos: 0, values: 0 });
    await expect(ireets(['cache', 'gc', '--max-bytes', 'lots', '--cache-dir', dir2])).rejects.toMatchObject({ code: 'INPUT_INVALID' });
  });

  it('parses sizes', () => {
    expect(parseByteSize('1048576')).toBe(1048576);
    expect(parseByteSize('512K')).toBe(512 * 1024);
    expect(parseByteSize('200MB')).toBe(200e6);
    expect(parseByteSize('1.5GiB')).toBe(1.5 * 1024 ** 3);
    expect(() => parseByteSize('-3')).toThrow(/not a size/);
  });

  it('reads $IREETS_CACHE_DIR when --cache-dir is absent', async () => {
    const dir = await seeded();
    vi.stubEnv('IREETS_CACHE_DIR', dir);
    try {
      expect(JSON.parse(await ireets(['cache', 'stats', '--json']))).toMatchObject({ dir, memos: 1 });
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('an unusable cache directory is one warning, not a failure', async () => {
    const file = join(tempDir(), 'not-a-directory');
    writeFileSync(file, 'x');
    const { stdout, stderr } = await ireetsIo(['cache', 'stats', '--cache-dir', join(file, 'cache')]);
    expect(stderr.match(/ireets: warning: /g)).toHaveLength(1);
    expect(stderr).toContain('is unusable');
    expect(stdout).toMatch(/cache directory .*\(unusable: /);
    expect(stdout).toMatch(/memos\s+0/);
  });
});
