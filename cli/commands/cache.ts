/** `ireets cache stats|gc|clear`: inspect and maintain the build cache. */
import type { Argv, CommandModule } from 'yargs';
import { LmdbStore } from '../../src/cache/lmdb-store.js';
import type { CacheStats } from '../../src/cache/stats.js';
import { IreetsError } from '../../src/util/errors.js';

interface CacheArgs {
  'cache-dir'?: string | undefined;
  json?: boolean;
}

async function withStore<T>(argv: CacheArgs, use: (store: LmdbStore) => T): Promise<T> {
  // An unusable cache is a warning (on stderr) here too: stats show an empty in-memory cache,
  // and clear is how a damaged database file is reset.
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

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1e3, kib: 1024, m: 1024 ** 2, mb: 1e6, mib: 1024 ** 2, g: 1024 ** 3, gb: 1e9, gib: 1024 ** 3 };

/** "1048576", "512K", "1.5GiB", "200MB" → bytes. */
export function parseByteSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new IreetsError('INPUT_INVALID', `not a size: ${JSON.stringify(text)} (e.g. 1048576, 512K, 200MB, 1.5GiB)`, '--max-bytes');
  return Math.floor(Number(m[1]) * unit);
}

export function formatStats(dir: string, s: CacheStats, degraded?: string): string {
  const lines = [
    `cache directory  ${dir}${degraded ? ` (unusable: ${degraded})` : ''}`,
    `format           ${s.formatVersion ?? 'none'}`,
    `memos            ${s.memos} (${formatBytes(s.memoBytes)})${s.unreadableMemos ? `, ${s.unreadableMemos} unreadable` : ''}`,
    `values           ${s.values} (${formatBytes(s.valueBytes)})`,
    `last run         ${s.lastRun ? `${s.lastRun.hits} hits, ${s.lastRun.misses} misses (${s.lastRun.at})` : 'none'}`,
  ];
  if (s.queries.length > 0) {
    // hits = results verified or reused without running; misses = runs. "all" = every run so far.
    const rows = [['query', 'memos', 'bytes', 'hits', 'misses', 'all hits', 'all misses']];
    for (const q of s.queries) {
      rows.push([q.query, `${q.memos}`, formatBytes(q.memoBytes + q.valueBytes), `${q.lastRunHits}`, `${q.lastRunMisses}`, `${q.hits}`, `${q.misses}`]);
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    lines.push('', ...rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')));
  }
  return lines.join('\n');
}

const jsonOption = { type: 'boolean', default: false, describe: 'print JSON' } as const;

const stats: CommandModule<CacheArgs, CacheArgs> = {
  command: 'stats',
  describe: 'show what the cache holds (entries, bytes per query) and the hits/misses of the last run',
  builder: (y) => y.option('json', jsonOption) as Argv<CacheArgs>,
  handler: (argv) =>
    withStore(argv, (store) => {
      const s = store.stats();
      const degraded = store.degraded?.message;
      print(argv, { dir: store.dir, ...(degraded ? { degraded } : {}), ...s }, formatStats(store.dir, s, degraded));
    }),
};

interface GcArgs extends CacheArgs {
  'max-bytes'?: string;
  'keep-days'?: number;
}

const gc: CommandModule<CacheArgs, GcArgs> = {
  command: 'gc',
  describe: 'drop values no memo reaches; with --max-bytes, then least recently used memos until the cache fits',
  builder: (y) =>
    y
      .option('json', jsonOption)
      .option('max-bytes', { type: 'string', describe: 'keep at most this many bytes of memos and values (e.g. 500MB, 2GiB)' })
      .option('keep-days', { type: 'number', describe: 'also drop memos not used for this many days' }) as Argv<GcArgs>,
  handler: (argv) => {
    const maxBytes = argv['max-bytes'] === undefined ? undefined : parseByteSize(argv['max-bytes']);
    return withStore(argv, (store) => {
      const r = store.gc({ ...(maxBytes !== undefined ? { maxBytes } : {}), ...(argv['keep-days'] !== undefined ? { keepRecentDays: argv['keep-days'] } : {}) });
      print(
        argv,
        { dir: store.dir, ...r },
        `removed ${r.memosRemoved} memos and ${r.valuesRemoved} values (${formatBytes(r.bytesFreed)}); kept ${r.memosKept} memos, ${r.valuesKept} values (${formatBytes(r.bytesKept)})`,
      );
    });
  },
};

const clear: CommandModule<CacheArgs, CacheArgs> = {
  command: 'clear',
  describe: 'empty the cache (and reset a damaged database file)',
  builder: (y) => y.option('json', jsonOption) as Argv<CacheArgs>,
  handler: (argv) =>
    withStore(argv, (store) => {
      const r = store.clear();
      const text = r.reset ? `reset ${store.dir}: its damaged database file was deleted` : `cleared ${store.dir}: ${r.memosRemoved} memos, ${r.valuesRemoved} values`;
      print(argv, { dir: store.dir, ...r }, text);
    }),
};

export const cacheCommand: CommandModule = {
  command: 'cache',
  describe: 'inspect and maintain the build cache',
  builder: (y) => (y as Argv<CacheArgs>).command(stats).command(gc).command(clear).demandCommand(1, 'name a cache command: stats, gc or clear') as Argv,
  handler: () => {},
};
