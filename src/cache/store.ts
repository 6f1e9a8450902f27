/**
 * The Store behind the build graph: what src/graph needs from persistence, and nothing more.
 * src/graph imports only these types; implementations (LmdbStore, MemoryStore) live beside it.
 */
import type { IreetsError } from '../util/errors.js';

/** xxhash64 of a canonical encoding, 16 lower-case hex digits. */
export type Fingerprint = string;

/** One recorded read of a memo, in the order the computation made it. */
export interface PersistedDep {
  readonly query: string;
  readonly keyHash: Fingerprint;
  /** Fingerprint the dependency had when it was read. */
  readonly fingerprint: Fingerprint;
  /** Inputs are checked against the process's current inputs; derived deps are verified in turn. */
  readonly input: boolean;
}

/** A memoized result: "with these deps at these fingerprints, (query, key) = value". */
export interface PersistedMemo {
  readonly query: string;
  readonly keyHash: Fingerprint;
  /** The query's version salt when it ran; another salt means the memo is ignored. */
  readonly version: string;
  readonly deps: readonly PersistedDep[];
  readonly valueFingerprint: Fingerprint;
}

/** A memo as read back. Its key is a value under keyHash (batches carry keys with the values). */
export interface StoredMemo extends PersistedMemo {
  /** Wall-clock ms of the last commit that wrote or touched it (GC drops least recently used first). */
  readonly usedAt: number;
}

/**
 * A memo's dependencies in recorded order, read one field at a time: a memo loaded for
 * verification keeps them packed as stored, and each is looked at once, in order.
 */
export interface DepList {
  readonly length: number;
  query(i: number): string;
  keyHash(i: number): Fingerprint;
  fingerprint(i: number): Fingerprint;
  isInput(i: number): boolean;
  /** Whether dependency i was recorded at fingerprint fp (cheaper than comparing fingerprint(i)). */
  fingerprintIs(i: number, fp: Fingerprint): boolean;
  /**
   * Key hash and fingerprint as 32-bit words (int32; high = the first 8 hex digits): engines
   * may index and compare by these without building strings.
   */
  keyHashHigh(i: number): number;
  keyHashLow(i: number): number;
  fingerprintHigh(i: number): number;
  fingerprintLow(i: number): number;
}

/** A memo as loaded for verification: what StoredMemo says, with the dependencies left packed. */
export interface LoadedMemo {
  readonly version: string;
  readonly valueFingerprint: Fingerprint;
  /** valueFingerprint as words, as DepList gives them. */
  readonly valueHigh: number;
  readonly valueLow: number;
  readonly deps: DepList;
  readonly usedAt: number;
}

/** A read that either finds something sound or says why not (problem: corruption, reported once). */
export type StoreLookup<T> = { found: true; value: T } | { found: false; problem?: IreetsError };

/** Per query: hits = memos reused or verified without running, misses = runs. */
export interface QueryCounters {
  hits: number;
  misses: number;
}

export interface MemoRef {
  readonly query: string;
  readonly keyHash: Fingerprint;
  /** usedAt as read; lets the store skip memos touched recently without reading them again. */
  readonly usedAt?: number;
}

/** Everything one commit writes, in one transaction. */
export interface StoreBatch {
  readonly memos: readonly PersistedMemo[];
  /** Values by fingerprint, memo keys included under their key hash; the store skips those it already holds. */
  readonly values: ReadonlyMap<Fingerprint, unknown>;
  /** Memos this process verified without changing; lets GC tell live entries from old ones. */
  readonly touched: readonly MemoRef[];
  readonly counters: Readonly<Record<string, QueryCounters>>;
  /**
   * The engine instance (process) that commits: its commits add up to the "last run" counters;
   * a commit from another run replaces them. Absent: the batch is a run of its own.
   */
  readonly run?: string;
}

export interface Store {
  /** Fingerprint of a value under the store's canonical encoding (synchronous). */
  fingerprintValue(value: unknown): Fingerprint;
  /** Synchronous so verification can walk deep memo chains in one loop without awaiting. */
  readMemo(query: string, keyHash: Fingerprint): StoreLookup<StoredMemo>;
  /**
   * readMemo for the engine's verification walk, which reads one memo per dependency it meets:
   * the same checks (format, checksum, filed under its key), dependencies decoded on demand.
   */
  loadMemo(query: string, keyHash: Fingerprint): StoreLookup<LoadedMemo>;
  /** loadMemo of the memo that dependency i of deps names, without building its key hash string. */
  loadDepMemo(deps: DepList, i: number): StoreLookup<LoadedMemo>;
  /** A value by fingerprint, checksum-verified; a corrupt entry is deleted and reported. */
  readValue(fingerprint: Fingerprint): StoreLookup<unknown>;
  write(batch: StoreBatch): Promise<void>;
  /**
   * Which touches (memos verified, last used at usedAt) write would act on now: a commit leaves
   * out the others instead of listing them all (a no-op build verifies every memo). Absent: all.
   */
  touchFilter?(): (usedAt: number | undefined) => boolean;
}
