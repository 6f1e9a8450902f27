/** What the cache holds: entry counts and bytes, per query and in total, and hit/miss counters. */
import { decodeValue } from './encoding.js';
import { openMemo } from './memo-reader.js';
import { readCounters, readLastRun } from './counters.js';
import { parseMemoKey, type Tables } from './tables.js';

export interface QueryStats {
  query: string;
  memos: number;
  memoBytes: number;
  /** Bytes of the values its memos point at (a value shared by two queries counts for both). */
  valueBytes: number;
  /** Last run: results reused or verified without running. */
  lastRunHits: number;
  /** Last run: executions. */
  lastRunMisses: number;
  /** Cumulative over all processes: reused or verified without running. */
  hits: number;
  /** Cumulative over all processes: executions. */
  misses: number;
}

export interface CacheStats {
  formatVersion: number | undefined;
  memos: number;
  memoBytes: number;
  values: number;
  valueBytes: number;
  /** memoBytes + valueBytes: what `gc --max-bytes` bounds. */
  bytes: number;
  /** Memos of another format or failing their checksum (GC removes them). */
  unreadableMemos: number;
  /** The last build process that committed: when, and its totals. */
  lastRun: { at: string; hits: number; misses: number } | undefined;
  queries: QueryStats[];
}

export function collectStats(tables: Tables): CacheStats {
  const stats: CacheStats = {
    formatVersion: undefined,
    memos: 0,
    memoBytes: 0,
    values: 0,
    valueBytes: 0,
    bytes: 0,
    unreadableMemos: 0,
    lastRun: undefined,
    queries: [],
  };
  const format = tables.meta.get('format');
  if (format) stats.formatVersion = decodeValue(format) as number;

  const valueSizes = new Map<string, number>();
  for (const [fp, bytes] of tables.values.entries()) {
    stats.values++;
    stats.valueBytes += bytes.length;
    valueSizes.set(fp, bytes.length);
  }

  const byQuery = new Map<string, QueryStats>();
  const statsFor = (query: string): QueryStats => {
    let q = byQuery.get(query);
    if (!q) byQuery.set(query, (q = { query, memos: 0, memoBytes: 0, valueBytes: 0, lastRunHits: 0, lastRunMisses: 0, hits: 0, misses: 0 }));
    return q;
  };
  for (const [key, bytes] of tables.memos.entries()) {
    stats.memos++;
    stats.memoBytes += bytes.length;
    const { query, keyHash } = parseMemoKey(key);
    const opened = openMemo(bytes, query, keyHash);
    if (!opened.ok) {
      stats.unreadableMemos++;
      continue;
    }
    const q = statsFor(query);
    q.memos++;
    q.memoBytes += bytes.length;
    q.valueBytes += valueSizes.get(opened.value.valueFingerprint) ?? 0;
  }
  stats.bytes = stats.memoBytes + stats.valueBytes;
  for (const [query, c] of Object.entries(readCounters(tables))) {
    const q = statsFor(query);
    q.hits = c.hits;
    q.misses = c.misses;
  }
  const last = readLastRun(tables);
  if (last) {
    let hits = 0;
    let misses = 0;
    for (const [query, c] of Object.entries(last.queries)) {
      const q = statsFor(query);
      q.lastRunHits = c.hits;
      q.lastRunMisses = c.misses;
      hits += c.hits;
      misses += c.misses;
    }
    stats.lastRun = { at: new Date(last.at).toISOString(), hits, misses };
  }
  stats.queries = [...byQuery.values()].sort((a, b) => (a.query < b.query ? -1 : a.query > b.query ? 1 : 0));
  return stats;
}
