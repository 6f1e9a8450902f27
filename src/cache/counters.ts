import { decodeValue } from './encoding.js';
import type { QueryCounters } from './store.js';
import type { Tables } from './tables.js';

/** Cumulative per-query counters across every process that used the store. */
export function readCounters(tables: Tables): Record<string, QueryCounters> {
  const bytes = tables.meta.get('counters');
  if (!bytes) return {};
  try {
    return decodeValue(bytes) as Record<string, QueryCounters>;
  } catch {
    return {}; // counters are advisory; damaged ones restart from zero
  }
}
