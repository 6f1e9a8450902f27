/**
 * Hit/miss counters in the meta table: cumulative per query across every process that used the
 * store ("counters"), and those of the last run alone ("lastRun": the commits of one engine
 * instance, i.e. one build process). Counters are advisory: damaged ones restart from zero.
 */
import { decodeValue, encodeValue } from './encoding.js';
import type { QueryCounters } from './store.js';
import type { Tables } from './tables.js';

export interface RunCounters {
  /** Run id (see StoreBatch.run). */
  id: string;
  /** Wall-clock ms of the run's latest commit. */
  at: number;
  queries: Record<string, QueryCounters>;
}

function readMeta(tables: Tables, key: string): unknown {
  const bytes = tables.meta.get(key);
  if (!bytes) return undefined;
  try {
    return decodeValue(bytes);
  } catch {
    return undefined;
  }
}

function isCounterMap(v: unknown): v is Record<string, QueryCounters> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function readCounters(tables: Tables): Record<string, QueryCounters> {
  const v = readMeta(tables, 'counters');
  return isCounterMap(v) ? v : {};
}

export function readLastRun(tables: Tables): RunCounters | undefined {
  const v = readMeta(tables, 'lastRun') as Partial<RunCounters> | undefined;
  if (!v || typeof v.id !== 'string' || typeof v.at !== 'number' || !isCounterMap(v.queries)) return undefined;
  return v as RunCounters;
}

function add(into: Record<string, QueryCounters>, from: Readonly<Record<string, QueryCounters>>): void {
  for (const [query, c] of Object.entries(from)) {
    const t = (into[query] ??= { hits: 0, misses: 0 });
    t.hits += c.hits;
    t.misses += c.misses;
  }
}

/** Adds a commit's counters to the totals and to its run's (inside the caller's transaction). */
export function recordCounters(tables: Tables, counters: Readonly<Record<string, QueryCounters>>, run: string, now: number): void {
  if (Object.keys(counters).length === 0) return;
  const totals = readCounters(tables);
  add(totals, counters);
  tables.meta.put('counters', encodeValue(totals));
  const previous = readLastRun(tables);
  const last: RunCounters = previous?.id === run ? previous : { id: run, at: now, queries: {} };
  last.at = now;
  add(last.queries, counters);
  tables.meta.put('lastRun', encodeValue(last));
}
