/**
 * Garbage collection: drop memos not used for a while (or unreadable), then every value no
 * remaining memo points at. One write transaction, so a concurrent build never sees a memo
 * whose value GC removed in the same instant; a build that read a memo earlier and finds its
 * value gone later simply recomputes.
 */
import { openMemo } from './records.js';
import type { Tables } from './tables.js';

export interface GcOptions {
  /** Keep memos written or touched within this many days (default 30). 0 drops every memo. */
  keepRecentDays?: number;
  /** Clock override for tests. */
  now?: number;
}

export interface GcReport {
  memosRemoved: number;
  valuesRemoved: number;
  bytesFreed: number;
  memosKept: number;
  valuesKept: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function collectGarbage(tables: Tables, options: GcOptions = {}): GcReport {
  const cutoff = (options.now ?? Date.now()) - (options.keepRecentDays ?? 30) * DAY_MS;
  return tables.transact(() => {
    const report: GcReport = { memosRemoved: 0, valuesRemoved: 0, bytesFreed: 0, memosKept: 0, valuesKept: 0 };
    const live = new Set<string>();
    const doomedMemos: string[] = [];
    for (const [key, bytes] of tables.memos.entries()) {
      const opened = openMemo(bytes);
      if (opened.ok && opened.value.usedAt >= cutoff) {
        const { memo } = opened.value;
        live.add(memo.valueFingerprint);
        // Keys live in the values table too, under their hash (for re-running a dependency).
        live.add(memo.keyHash);
        for (const d of memo.deps) if (!d.input) live.add(d.keyHash);
        report.memosKept++;
      } else {
        doomedMemos.push(key);
        report.bytesFreed += bytes.length;
      }
    }
    const doomedValues: string[] = [];
    for (const [fp, bytes] of tables.values.entries()) {
      if (live.has(fp)) {
        report.valuesKept++;
      } else {
        doomedValues.push(fp);
        report.bytesFreed += bytes.length;
      }
    }
    // Removal after the scans: cursors and writes don't mix.
    for (const key of doomedMemos) tables.memos.remove(key);
    for (const fp of doomedValues) tables.values.remove(fp);
    report.memosRemoved = doomedMemos.length;
    report.valuesRemoved = doomedValues.length;
    return report;
  });
}

/** Empties the cache (memos, values, counters); the format marker stays. */
export function clearTables(tables: Tables): { memosRemoved: number; valuesRemoved: number } {
  return tables.transact(() => {
    const memoKeys = [...tables.memos.entries()].map(([k]) => k);
    const valueKeys = [...tables.values.entries()].map(([k]) => k);
    for (const k of memoKeys) tables.memos.remove(k);
    for (const k of valueKeys) tables.values.remove(k);
    tables.meta.remove('counters');
    return { memosRemoved: memoKeys.length, valuesRemoved: valueKeys.length };
  });
}
