/**
 * The Store implementation over byte tables: content-addressed values, checksummed memos,
 * per-query counters. Corrupt entries are deleted and reported, never returned.
 */
import { IreetsError } from '../util/errors.js';
import { readCounters } from './counters.js';
import { encodeValue } from './encoding.js';
import { clearTables, collectGarbage, type GcOptions, type GcReport } from './gc.js';
import { fingerprint, fingerprintValue } from './hashing.js';
import { FORMAT_VERSION, openMemo, openValue, sealMemo, sealValue } from './records.js';
import type { Fingerprint, PersistedMemo, QueryCounters, Store, StoreBatch, StoreLookup } from './store.js';
import { collectStats, type CacheStats } from './stats.js';
import { memoKey, type ByteTable, type Tables } from './tables.js';

/** A touched memo's usedAt is rewritten at most this often, to keep no-op builds nearly write-free. */
const TOUCH_INTERVAL_MS = 6 * 60 * 60 * 1000;

export class RecordStore implements Store {
  constructor(readonly tables: Tables) {
    if (!tables.meta.has('format')) tables.transact(() => tables.meta.put('format', encodeValue(FORMAT_VERSION)));
  }

  fingerprintValue(value: unknown): Fingerprint {
    return fingerprintValue(value);
  }

  readMemo(query: string, keyHash: Fingerprint): StoreLookup<PersistedMemo> {
    const key = memoKey(query, keyHash);
    const bytes = this.tables.memos.get(key);
    if (!bytes) return { found: false };
    const opened = openMemo(bytes);
    if (opened.ok) {
      const { memo } = opened.value;
      if (memo.query === query && memo.keyHash === keyHash) return { found: true, value: memo };
      return { found: false, problem: this.discard(this.tables.memos, key, bytes, 'memo filed under the wrong key') };
    }
    // Another format is not damage: leave it for its own version (or GC), just don't use it.
    if (opened.reason === 'format') return { found: false };
    return { found: false, problem: this.discard(this.tables.memos, key, bytes, opened.detail) };
  }

  readValue(fp: Fingerprint): StoreLookup<unknown> {
    const bytes = this.tables.values.get(fp);
    if (!bytes) return { found: false };
    const opened = openValue(fp, bytes);
    if (opened.ok) return { found: true, value: opened.value };
    if (opened.reason === 'format') return { found: false };
    return { found: false, problem: this.discard(this.tables.values, fp, bytes, opened.detail) };
  }

  /** Deletes a bad entry unless another process already replaced it, and says what happened. */
  private discard(table: ByteTable, key: string, bad: Uint8Array, detail: string): IreetsError {
    this.tables.transact(() => {
      const current = table.get(key);
      if (current && sameBytes(current, bad)) table.remove(key);
    });
    return new IreetsError('CACHE_CORRUPT', `${detail}; entry deleted, will recompute`, `cache entry ${key}`);
  }

  async write(batch: StoreBatch): Promise<void> {
    const { values } = this.tables;
    // Encode outside the transaction (it can be slow) and only what the store lacks.
    const sealed: [Fingerprint, Uint8Array][] = [];
    for (const [fp, value] of batch.values) {
      if (values.firstByte(fp) === FORMAT_VERSION) continue;
      const encoded = encodeValue(value);
      // A value mutated after it was memoized no longer matches its fingerprint: don't file it
      // under a lie; its memo then misses on load and recomputes.
      if (fingerprint(encoded) === fp) sealed.push([fp, sealValue(encoded)]);
    }
    const now = Date.now();
    try {
      this.commitBatch(batch, sealed, now);
    } catch (e) {
      throw new IreetsError('CACHE_IO', `cannot write to the build cache: ${(e as Error).message}`, 'cache', { cause: e });
    }
  }

  private commitBatch(batch: StoreBatch, sealed: [Fingerprint, Uint8Array][], now: number): void {
    const { memos, values, meta } = this.tables;
    this.tables.transact(() => {
      // Content-addressed: a sound record of our format is already right. Anything else under
      // the key (another format, or damage to the format byte) is replaced, or it would be
      // ignored on every read and recomputed forever.
      for (const [fp, record] of sealed) if (values.firstByte(fp) !== FORMAT_VERSION) values.put(fp, record);
      for (const memo of batch.memos) memos.put(memoKey(memo.query, memo.keyHash), sealMemo({ memo, usedAt: now }));
      for (const ref of batch.touched) {
        const key = memoKey(ref.query, ref.keyHash);
        const bytes = memos.get(key);
        const opened = bytes && openMemo(bytes);
        if (opened && opened.ok && now - opened.value.usedAt > TOUCH_INTERVAL_MS) {
          memos.put(key, sealMemo({ memo: opened.value.memo, usedAt: now }));
        }
      }
      if (Object.keys(batch.counters).length > 0) {
        const totals = readCounters(this.tables);
        for (const [query, c] of Object.entries(batch.counters)) {
          const t = (totals[query] ??= { hits: 0, misses: 0 });
          t.hits += c.hits;
          t.misses += c.misses;
        }
        meta.put('counters', encodeValue(totals));
      }
    });
  }

  stats(): CacheStats {
    return collectStats(this.tables);
  }

  gc(options?: GcOptions): GcReport {
    return collectGarbage(this.tables, options);
  }

  /** Empties the cache (memos, values, counters). */
  clear(): { memosRemoved: number; valuesRemoved: number } {
    return clearTables(this.tables);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
