/**
 * Garbage collection, in one write transaction (a concurrent build never sees a memo whose
 * value vanished in the same instant; one that read a memo earlier and finds its value gone
 * later simply recomputes):
 *   1. memos that cannot be read (damage, another format) go, and with `keepRecentDays` those
 *      not used for that long;
 *   2. values no remaining memo reaches go (a memo reaches its value, its key, and the keys of
 *      the queries it read, which a re-run of a dependency needs);
 *   3. with `maxBytes`, while the rest is larger, the least recently used memo goes, and with
 *      it each value no other remaining memo reaches.
 * Bytes are record bytes. LMDB reuses the pages freed, but its file does not shrink.
 */
import { openMemo } from './memo-reader.js';
import { parseMemoKey, type Tables } from './tables.js';

export interface GcOptions {
  /** Keep at most this many bytes of memos and values, dropping least recently used memos first. */
  maxBytes?: number;
  /** Also drop memos not written or touched within this many days (0 drops every memo). */
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
  /** Memo and value bytes left. */
  bytesKept: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

interface LiveMemo {
  key: string;
  bytes: number;
  usedAt: number;
  reaches: string[];
}

export function collectGarbage(tables: Tables, options: GcOptions = {}): GcReport {
  const cutoff = options.keepRecentDays === undefined ? -Infinity : (options.now ?? Date.now()) - options.keepRecentDays * DAY_MS;
  return tables.transact(() => {
    const report: GcReport = { memosRemoved: 0, valuesRemoved: 0, bytesFreed: 0, memosKept: 0, valuesKept: 0, bytesKept: 0 };
    const doomedMemos: string[] = [];
    const live: LiveMemo[] = [];
    /** Value fingerprint -> how many live memos reach it. */
    const refs = new Map<string, number>();
    for (const [key, bytes] of tables.memos.entries()) {
      const { query, keyHash } = parseMemoKey(key);
      const opened = openMemo(bytes, query, keyHash);
      if (!opened.ok || opened.value.usedAt < cutoff) {
        doomedMemos.push(key);
        report.bytesFreed += bytes.length;
        continue;
      }
      const memo = opened.value;
      const usedAt = memo.usedAt;
      const reaches = [memo.valueFingerprint, memo.keyHash];
      for (const d of memo.deps) if (!d.input) reaches.push(d.keyHash);
      for (const fp of new Set(reaches)) refs.set(fp, (refs.get(fp) ?? 0) + 1);
      live.push({ key, bytes: bytes.length, usedAt, reaches: [...new Set(reaches)] });
    }

    const doomedValues: string[] = [];
    const valueBytes = new Map<string, number>();
    let total = 0;
    for (const [fp, bytes] of tables.values.entries()) {
      if (refs.has(fp)) {
        valueBytes.set(fp, bytes.length);
        total += bytes.length;
      } else {
        doomedValues.push(fp);
        report.bytesFreed += bytes.length;
      }
    }
    for (const m of live) total += m.bytes;

    let kept = live;
    if (options.maxBytes !== undefined && total > options.maxBytes) {
      // Oldest first; ties in key order, so the outcome does not depend on scan order.
      const byAge = [...live].sort((a, b) => a.usedAt - b.usedAt || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      let i = 0;
      for (; i < byAge.length && total > options.maxBytes; i++) {
        const m = byAge[i]!;
        doomedMemos.push(m.key);
        total -= m.bytes;
        report.bytesFreed += m.bytes;
        for (const fp of m.reaches) {
          const n = refs.get(fp)! - 1;
          refs.set(fp, n);
          const size = valueBytes.get(fp);
          if (n === 0 && size !== undefined) {
            doomedValues.push(fp);
            valueBytes.delete(fp);
            total -= size;
            report.bytesFreed += size;
          }
        }
      }
      kept = byAge.slice(i);
    }

    // Removal after the scans: cursors and writes don't mix.
    for (const key of doomedMemos) tables.memos.remove(key);
    for (const fp of doomedValues) tables.values.remove(fp);
    report.memosRemoved = doomedMemos.length;
    report.valuesRemoved = doomedValues.length;
    report.memosKept = kept.length;
    report.valuesKept = valueBytes.size;
    report.bytesKept = total;
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
    tables.meta.remove('lastRun');
    return { memosRemoved: memoKeys.length, valuesRemoved: valueKeys.length };
  });
}
