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
  /** A value by fingerprint, checksum-verified; a corrupt entry is deleted and reported. */
  readValue(fingerprint: Fingerprint): StoreLookup<unknown>;
  write(batch: StoreBatch): Promise<void>;
}
