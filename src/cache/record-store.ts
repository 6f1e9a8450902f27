/**
 * The Store implementation over byte tables: content-addressed values, checksummed memos,
 * hit/miss counters. Corrupt entries are deleted and reported, never returned. If the tables
 * fail (disk full, permissions changed, a broken database), the store says so once and goes on
 * in memory: a build never fails because its cache did.
 */
import { IreetsError } from '../util/errors.js';
import { recordCounters } from './counters.js';
import { encodeValue, withEncoding } from './encoding.js';
import { copyBytes } from './fingerprint-bytes.js';
import { clearTables, collectGarbage, type GcOptions, type GcReport } from './gc.js';
import { fingerprint, fingerprintValue } from './hashing.js';
import { loadCommonMemo, loadMemo, memoUsedAt, openMemo } from './memo-reader.js';
import { PackedDeps } from './packed-deps.js';
import { FORMAT_VERSION, type Opened } from './record-format.js';
import { openValue, retouchMemo, sealMemo, sealValue, sealValueOf } from './records.js';
import type { DepList, Fingerprint, LoadedMemo, Store, StoreBatch, StoreLookup, StoredMemo } from './store.js';
import { collectStats, type CacheStats } from './stats.js';
import { memoKey, memoryTables, type ByteTable, type Tables } from './tables.js';

/**
 * A verified memo's usedAt (GC's least-recently-used order) is rewritten only when older than
 * this, so a no-op build writes almost nothing; GC's order is exact to this granularity.
 */
export const TOUCH_INTERVAL_MS = 10 * 60 * 1000;

export interface RecordStoreOptions {
  /** Clock in ms (usedAt, GC, counters); tests move it. */
  now?: () => number;
}

let runCounter = 0;

/** Values encoding to fewer bytes are encoded again at commit: cheaper than holding their records. */
const SEALED_MIN_BYTES = 4096;
const SEALED_MAX_ENTRIES = 64;
const SEALED_MAX_BYTES = 64 << 20;

/**
 * A few records of large values, made from the encoding their fingerprint hashed: a build's
 * commit writes the values it just fingerprinted, and encoding a serialized model twice costs
 * as much as the stages that made it. Oldest out first; what a commit writes or skips goes.
 */
class SealedRecords {
  private readonly records = new Map<object, { fp: Fingerprint; record: Uint8Array }>();
  private bytes = 0;

  remember(value: object, fp: Fingerprint, encoded: Uint8Array): void {
    if (encoded.length + 1 > SEALED_MAX_BYTES) return;
    this.forget(value);
    const record = sealValue(encoded);
    this.records.set(value, { fp, record });
    this.bytes += record.length;
    for (const [old, entry] of this.records) {
      if (this.records.size <= SEALED_MAX_ENTRIES && this.bytes <= SEALED_MAX_BYTES) break;
      this.records.delete(old);
      this.bytes -= entry.record.length;
    }
  }

  /** The record of value under fp, if sealed when fingerprinted; forgotten either way. */
  take(value: unknown, fp: Fingerprint): Uint8Array | undefined {
    if (value === null || typeof value !== 'object') return undefined;
    const entry = this.records.get(value);
    if (!entry) return undefined;
    this.forget(value);
    return entry.fp === fp ? entry.record : undefined;
  }

  private forget(value: object): void {
    const entry = this.records.get(value);
    if (!entry) return;
    this.records.delete(value);
    this.bytes -= entry.record.length;
  }
}

export class RecordStore implements Store {
  private active: Tables;
  /** Records of large values sealed when they were fingerprinted, for the commit that writes them. */
  private readonly sealed = new SealedRecords();
  private readonly keyBytes = new Map<string, Uint8Array | null>();
  private lastKeyQuery: string | undefined;
  private lastKey: Uint8Array | undefined;
  private failure: IreetsError | undefined;
  protected readonly now: () => number;

  constructor(tables: Tables, options: RecordStoreOptions = {}) {
    this.active = tables;
    this.now = options.now ?? Date.now;
    this.guarded(
      () => this.markFormat(),
      () => this.markFormat(),
    );
  }

  /** The tables in use: the given ones, or in-memory ones after a failure. */
  get tables(): Tables {
    return this.active;
  }

  /** Why the store runs in memory, if it does (nothing it holds outlives the process). */
  get degraded(): IreetsError | undefined {
    return this.failure;
  }

  /** The format this store writes; a cache last marked by another format (an upgrade) gets ours. */
  private markFormat(): void {
    const t = this.active;
    const marker = encodeValue(FORMAT_VERSION);
    const current = t.meta.get('format');
    if (!current || !sameBytes(current, marker)) t.transact(() => t.meta.put('format', marker));
  }

  /**
   * Switches to in-memory tables for the rest of the process. Subclasses close what failed and
   * warn (once: later calls are no-ops).
   */
  protected degrade(error: unknown): void {
    if (this.failure) return;
    this.failure =
      error instanceof IreetsError && (error.code === 'CACHE_IO' || error.code === 'CACHE_CORRUPT')
        ? error
        : new IreetsError('CACHE_IO', error instanceof Error ? error.message : String(error), undefined, { cause: error });
    this.active = memoryTables();
    this.markFormat();
    this.onDegraded(this.failure);
  }

  /** Hook: the store has just gone to memory. */
  protected onDegraded(_reason: IreetsError): void {}

  /** fn on the tables; if they throw, degrade and answer with fallback (on memory) instead. */
  protected guarded<T>(fn: () => T, fallback: () => T): T {
    if (this.failure) return fn();
    try {
      return fn();
    } catch (e) {
      this.degrade(e);
      return fallback();
    }
  }

  fingerprintValue(value: unknown): Fingerprint {
    if (value === null || typeof value !== 'object') return fingerprintValue(value);
    return withEncoding(value, (encoded) => {
      const fp = fingerprint(encoded);
      if (encoded.length >= SEALED_MIN_BYTES) this.sealed.remember(value, fp, encoded);
      return fp;
    });
  }

  readMemo(query: string, keyHash: Fingerprint): StoreLookup<StoredMemo> {
    return this.guarded(
      () => this.lookupMemo(query, keyHash),
      () => ({ found: false }),
    );
  }

  private lookupMemo(query: string, keyHash: Fingerprint): StoreLookup<StoredMemo> {
    const memos = this.active.memos;
    const key = memoKey(query, keyHash);
    const n = memos.lend(key);
    if (n < 0) return { found: false };
    return this.opened(key, memos.lent, n, openMemo(memos.lent, query, keyHash, n));
  }

  loadMemo(query: string, keyHash: Fingerprint): StoreLookup<LoadedMemo> {
    // guarded() inlined: no closures for a call made once per memo verified.
    if (this.failure) return this.loadFrom(query, keyHash);
    try {
      return this.loadFrom(query, keyHash);
    } catch (e) {
      this.degrade(e);
      return { found: false };
    }
  }

  loadDepMemo(deps: DepList, i: number): StoreLookup<LoadedMemo> {
    if (this.failure) return this.loadDepFrom(deps, i);
    try {
      return this.loadDepFrom(deps, i);
    } catch (e) {
      this.degrade(e);
      return { found: false };
    }
  }

  private loadDepFrom(deps: DepList, i: number): StoreLookup<LoadedMemo> {
    const query = deps.query(i);
    const key = deps instanceof PackedDeps ? this.memoKeyBytes(query) : undefined;
    if (!key) return this.loadFrom(query, deps.keyHash(i));
    (deps as PackedDeps).putKeyHashDigits(i, key, key.length - 16);
    const memos = this.active.memos;
    const n = memos.lend(key);
    if (n < 0) return { found: false };
    const high = deps.keyHashHigh(i);
    const low = deps.keyHashLow(i);
    const common = loadCommonMemo(memos.lent, n, query, high, low);
    if (common) return { found: true, value: common };
    const opened = loadMemo(memos.lent, n, query, undefined, high, low);
    return opened.ok ? { found: true, value: opened.value } : this.opened(memoKey(query, deps.keyHash(i)), memos.lent, n, opened);
  }

  /**
   * A memo key as bytes ("<query>/" and room for 16 hex digits), reused per query; undefined
   * where the table's string keys would not encode to exactly these bytes (non-ASCII names).
   */
  private memoKeyBytes(query: string): Uint8Array | undefined {
    if (query === this.lastKeyQuery) return this.lastKey;
    let key = this.keyBytes.get(query);
    if (key === undefined) {
      const plain = query.length > 0 && [...query].every((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) < 0x7f);
      key = plain ? Uint8Array.from(`${query}/${'0'.repeat(16)}`, (c) => c.charCodeAt(0)) : null;
      this.keyBytes.set(query, key);
    }
    this.lastKeyQuery = query;
    this.lastKey = key ?? undefined;
    return this.lastKey;
  }

  private loadFrom(query: string, keyHash: Fingerprint): StoreLookup<LoadedMemo> {
    const memos = this.active.memos;
    const key = memoKey(query, keyHash);
    const n = memos.lend(key);
    if (n < 0) return { found: false };
    return this.opened(key, memos.lent, n, loadMemo(memos.lent, n, query, keyHash));
  }

  /** A memo record as opened: found, ignored (another format), or damaged (deleted and reported). */
  private opened<T>(key: string, bytes: Uint8Array, n: number, opened: Opened<T>): StoreLookup<T> {
    if (opened.ok) return { found: true, value: opened.value };
    // Another format is not damage: leave it for its own version (or GC), just don't use it.
    if (opened.reason === 'format') return { found: false };
    return { found: false, problem: this.discard(this.active.memos, key, copyBytes(bytes, 0, n), opened.detail) };
  }

  readValue(fp: Fingerprint): StoreLookup<unknown> {
    return this.guarded(
      () => this.lookupValue(fp),
      () => ({ found: false }),
    );
  }

  private lookupValue(fp: Fingerprint): StoreLookup<unknown> {
    // The decoder copies what it returns, so the scratch bytes of peek will do.
    const bytes = this.active.values.peek(fp);
    if (!bytes) return { found: false };
    const opened = openValue(fp, bytes);
    if (opened.ok) return { found: true, value: opened.value };
    if (opened.reason === 'format') return { found: false };
    return { found: false, problem: this.discard(this.active.values, fp, Uint8Array.from(bytes), opened.detail) };
  }

  /** Deletes a bad entry unless another process already replaced it, and says what happened. */
  private discard(table: ByteTable, key: string, bad: Uint8Array, detail: string): IreetsError {
    this.active.transact(() => {
      const current = table.get(key);
      if (current && sameBytes(current, bad)) table.remove(key);
    });
    return new IreetsError('CACHE_CORRUPT', `${detail}; entry deleted, will recompute`, `cache entry ${key}`);
  }

  touchFilter(): (usedAt: number | undefined) => boolean {
    const now = this.now();
    return (usedAt) => usedAt === undefined || now - usedAt >= TOUCH_INTERVAL_MS;
  }

  async write(batch: StoreBatch): Promise<void> {
    // Encode outside the transaction (it can be slow) and only what the store lacks.
    const sealed: [Fingerprint, Uint8Array][] = [];
    const lacks = (fp: Fingerprint) => this.active.values.firstByte(fp) !== FORMAT_VERSION;
    for (const [fp, value] of batch.values) {
      const early = this.sealed.take(value, fp);
      if (!this.guarded(() => lacks(fp), () => true)) continue;
      if (early) {
        sealed.push([fp, early]);
        continue;
      }
      const { fingerprint, record } = sealValueOf(value);
      // A value mutated after it was memoized no longer matches its fingerprint: don't file it
      // under a lie; its memo then misses on load and recomputes.
      if (fingerprint === fp) sealed.push([fp, record]);
    }
    const now = this.now();
    const run = batch.run ?? `${process.pid}.${now}.${++runCounter}`;
    this.guarded(
      () => this.commitBatch(batch, sealed, run, now),
      () => this.commitBatch(batch, sealed, run, now),
    );
  }

  private commitBatch(batch: StoreBatch, sealed: [Fingerprint, Uint8Array][], run: string, now: number): void {
    const t = this.active;
    const { memos, values } = t;
    t.transact(() => {
      // Content-addressed: a sound record of our format is already right. Anything else under
      // the key (another format, or damage to the format byte) is replaced, or it would be
      // ignored on every read and recomputed forever.
      for (const [fp, record] of sealed) if (values.firstByte(fp) !== FORMAT_VERSION) values.put(fp, record);
      for (const memo of batch.memos) memos.put(memoKey(memo.query, memo.keyHash), sealMemo({ memo, usedAt: now }));
      for (const ref of batch.touched) {
        if (ref.usedAt !== undefined && now - ref.usedAt < TOUCH_INTERVAL_MS) continue;
        const key = memoKey(ref.query, ref.keyHash);
        const bytes = memos.get(key);
        const usedAt = bytes && memoUsedAt(bytes, ref.query, ref.keyHash);
        if (usedAt !== undefined && now - usedAt >= TOUCH_INTERVAL_MS) memos.put(key, retouchMemo(bytes!, now));
      }
      recordCounters(t, batch.counters, run, now);
    });
  }

  stats(): CacheStats {
    return this.guarded(
      () => collectStats(this.active),
      () => collectStats(this.active),
    );
  }

  gc(options: GcOptions = {}): GcReport {
    const opts = { now: this.now(), ...options };
    return this.guarded(
      () => collectGarbage(this.active, opts),
      () => collectGarbage(this.active, opts),
    );
  }

  /** Empties the cache (memos, values, counters). */
  clear(): { memosRemoved: number; valuesRemoved: number } {
    return this.guarded(
      () => clearTables(this.active),
      () => clearTables(this.active),
    );
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
