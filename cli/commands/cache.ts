/** `ireets cache stats|gc|clear`: inspect and maintain the build cache. */
import type { Argv, CommandModule } from 'yargs';
import { LmdbStore } from '../../src/cache/lmdbStore.js';
import type { CacheStats } from '../../src/cache/stats.js';

interface CacheArgs {
  'cache-dir'?: string | undefined;
  json?: boolean;
}

async function withStore<T>(argv: CacheArgs, use: (store: LmdbStore) => T): Promise<T> {
  const store = await LmdbStore.open({ cacheDir: argv['cache-dir'] });
  try {
    return use(store);
  } finally {
    await store.close();
  }
}

function print(argv: CacheArgs, json: object, text: string): void {
  process.stdout.write(argv.json ? `${JSON.stringify(json, null, 2)}\n` : `${text}\n`);
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${n.toFixed(1)} ${units[i]}`;
}

export function formatStats(dir: string, s: CacheStats): string {
  const lines = [
    `cache directory  ${dir}`,
    `format           ${s.formatVersion ?? 'none'}`,
    `memos            ${s.memos} (${formatBytes(s.memoBytes)})${s.unreadableMemos ? `, ${s.unreadableMemos} unreadable` : ''}`,
    `values           ${s.values} (${formatBytes(s.valueBytes)})`,
  ];
  if (s.queries.length > 0) {
    const rows = [['query', 'memos', 'bytes', 'hits', 'misses']];
    for (const q of s.queries) rows.push([q.query, `${q.memos}`, formatBytes(q.memoBytes + q.valueBytes), `${q.hits}`, `${q.misses}`]);
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    lines.push('', ...rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')));
  }
  return lines.join('\n');
}

const jsonOption = { type: 'boolean', default: false, describe: 'print JSON' } as const;

const stats: CommandModule<CacheArgs, CacheArgs> = {
  command: 'stats',
  describe: 'show what the cache holds: entries and bytes, per query',
  builder: (y) => y.option('json', jsonOption) as Argv<CacheArgs>,
  handler: (argv) =>
    withStore(argv, (store) => {
      const s = store.stats();
      print(argv, { dir: store.dir, ...s }, formatStats(store.dir, s));
    }),
};

interface GcArgs extends CacheArgs {
  'keep-days': number;
}

const gc: CommandModule<CacheArgs, GcArgs> = {
  command: 'gc',
  describe: 'drop memos unused for a while and values nothing refers to',
  builder: (y) =>
    y.option('json', jsonOption).option('keep-days', { type: 'number', default: 30, describe: 'keep memos used within this many days' }) as Argv<GcArgs>,
  handler: (argv) =>
    withStore(argv, (store) => {
      const r = store.gc({ keepRecentDays: argv['keep-days'] });
      print(
        argv,
        { dir: store.dir, ...r },
        `removed ${r.memosRemoved} memos and ${r.valuesRemoved} values (${formatBytes(r.bytesFreed)}); kept ${r.memosKept} memos, ${r.valuesKept} values`,
      );
    }),
};

const clear: CommandModule<CacheArgs, CacheArgs> = {
  command: 'clear',
  describe: 'empty the cache',
  builder: (y) => y.option('json', jsonOption) as Argv<CacheArgs>,
  handler: (argv) =>
    withStore(argv, (store) => {
      const r = store.clear();
      print(argv, { dir: store.dir, ...r }, `cleared ${store.dir}: ${r.memosRemoved} memos, ${r.valuesRemoved} values`);
    }),
};

export const cacheCommand: CommandModule = {
  command: 'cache',
  describe: 'inspect and maintain the build cache',
  builder: (y) => (y as Argv<CacheArgs>).command(stats).command(gc).command(clear).demandCommand(1, 'name a cache command: stats, gc or clear') as Argv,
  handler: () => {},
};
