import { afterEach, describe, expect, it, vi } from 'vitest';
import yargs from 'yargs';
import { cacheCommand } from '../../cli/commands/cache.js';
import { LmdbStore } from '../../src/cache/lmdbStore.js';
import { makeTempDir } from '../graph/helpers.js';

/** Runs `ireets <args>` in-process with only the cache command, returning stdout. */
async function ireets(args: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  try {
    await yargs(args).option('cache-dir', { type: 'string', global: true }).command(cacheCommand).strict().fail(false).parseAsync();
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe('ireets cache', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));

  async function seeded(): Promise<string> {
    const tmp = makeTempDir();
    cleanups.push(tmp.remove);
    const store = await LmdbStore.open({ cacheDir: tmp.dir });
    const key = 'model.onnx';
    const keyHash = store.fingerprintValue(key);
    const fp = store.fingerprintValue('ir');
    await store.write({
      memos: [{ query: 'import', keyHash, version: '1', key, deps: [], valueFingerprint: fp }],
      values: new Map<string, unknown>([[fp, 'ir'], [keyHash, key]]),
      touched: [],
      counters: { import: { hits: 2, misses: 1 } },
    });
    await store.close();
    return tmp.dir;
  }

  it('stats prints the directory, entries and per-query counts, or JSON', async () => {
    const dir = await seeded();
    const text = await ireets(['cache', 'stats', '--cache-dir', dir]);
    expect(text).toContain(`cache directory  ${dir}`);
    expect(text).toMatch(/memos\s+1 \(/);
    expect(text).toMatch(/values\s+2 \(/);
    expect(text).toMatch(/import\s+1\s+.*B\s+2\s+1/);
    const json = JSON.parse(await ireets(['cache', 'stats', '--json', '--cache-dir', dir])) as Record<string, unknown>;
    expect(json).toMatchObject({ dir, memos: 1, values: 2, queries: [{ query: 'import', memos: 1, hits: 2, misses: 1 }] });
  });

  it('gc keeps recent entries; gc --keep-days 0 and clear empty it', async () => {
    const dir = await seeded();
    expect(JSON.parse(await ireets(['cache', 'gc', '--json', '--cache-dir', dir]))).toMatchObject({ memosRemoved: 0, valuesRemoved: 0 });
    expect(await ireets(['cache', 'gc', '--keep-days', '0', '--cache-dir', dir])).toMatch(/removed 1 memos and 2 values/);
    const dir2 = await seeded();
    expect(await ireets(['cache', 'clear', '--cache-dir', dir2])).toContain('1 memos, 2 values');
    expect(JSON.parse(await ireets(['cache', 'stats', '--json', '--cache-dir', dir2]))).toMatchObject({ memos: 0, values: 0 });
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
});
