/**
 * The query database: the public face of the build graph. Set inputs, get derived results,
 * commit what was computed to the store, watch events.
 */
import type { Observable } from 'rxjs';
import type { Store } from '../cache/store.js';
import type { IreetsError } from '../util/errors.js';
import { signalCanceller } from './cancellation.js';
import { commit, type CommitReport } from './commit.js';
import { demandValue } from './demand.js';
import { Durability } from './durability.js';
import type { QueryEvent } from './events.js';
import type { AnyQuery, InputOptions, InputQuery, Query } from './query.js';
import { NO_REVISION, slotId } from './slots.js';
import { GraphState } from './state.js';

export interface DatabaseOptions {
  store: Store;
  /**
   * Queries to know up front. A fresh process can only verify a persisted memo through queries
   * it knows by name; unknown ones make their dependants re-run (correct, just slower).
   */
  queries?: readonly AnyQuery[];
  /** Bytes of retain-query values (weights) kept in memory; default 512 MB. */
  retainedBytes?: number;
}

export interface GetOptions {
  signal?: AbortSignal;
}

/** A memo's bookkeeping, for tests and debugging. */
export interface MemoInfo {
  valueFingerprint: string;
  changedAt: number;
  verifiedAt: number;
  durability: Durability;
  deps: Array<{ query: string; keyHash: string; fingerprint: string; input: boolean }>;
  persisted: boolean;
  loaded: boolean;
}

export class Database {
  private readonly s: GraphState;
  /** One event per (query, key) brought up to date per revision; see events.ts for outcomes. */
  readonly events$: Observable<QueryEvent>;
  /** Recoverable trouble, e.g. CACHE_CORRUPT entries that were deleted and recomputed. */
  readonly problems$: Observable<IreetsError>;

  constructor(options: DatabaseOptions) {
    this.s = new GraphState(options.store, options.retainedBytes);
    for (const q of options.queries ?? []) this.s.register(q);
    this.events$ = this.s.events.asObservable();
    this.problems$ = this.s.problems.asObservable();
  }

  get revision(): number {
    return this.s.revision;
  }

  register(...queries: AnyQuery[]): void {
    for (const q of queries) this.s.register(q);
  }

  /**
   * Sets an input. Returns whether anything changed: an equal value (same fingerprint) with the
   * same durability bumps nothing. A change starts a new revision and cancels in-flight work,
   * which was computing against the old one.
   */
  setInput<K, V>(query: InputQuery<K, V>, key: K, value: V, options?: Durability | InputOptions<V>): boolean {
    const opts: InputOptions<V> = typeof options === 'number' ? { durability: options } : (options ?? {});
    const durability = opts.durability ?? Durability.LOW;
    this.s.register(query);
    const keyHash = this.s.keyHash(key);
    const fingerprint = this.s.store.fingerprintValue(value);
    const id = slotId(query.name, keyHash);
    const existing = this.s.inputs.get(query.name, keyHash);
    if (existing && existing.fingerprint === fingerprint && existing.durability === durability) {
      existing.recheck = opts.recheck;
      return false;
    }
    const revision = ++this.s.revision;
    // A durability change alone also invalidates shortcuts taken on the strength of the old one.
    const level = existing ? Math.max(existing.durability, durability) : durability;
    for (let d = 0; d <= level; d++) this.s.lastChanged[d] = revision;
    const changedAt = existing && existing.fingerprint === fingerprint ? existing.changedAt : revision;
    this.s.inputs.set(query.name, keyHash, { id, query: query.name, keyHash, key, value, fingerprint, changedAt, durability, recheck: opts.recheck });
    this.s.cancelAll(`input ${query.name} changed`);
    return true;
  }

  /** The value an input is set to (throws QUERY_INPUT_UNSET if it is not). */
  input<K, V>(query: InputQuery<K, V>, key: K): V {
    return this.s.inputSlot(query as InputQuery<unknown, unknown>, key).value as V;
  }

  /** The up-to-date value of (query, key): reused, verified or computed. */
  async get<K, V>(query: Query<K, V>, key: K, options: GetOptions = {}): Promise<V> {
    if (query.kind === 'input') return this.input(query, key);
    const slot = this.s.derivedSlot(query, key);
    const canceller = options.signal ? signalCanceller(options.signal, slot.display()) : undefined;
    if (canceller?.aborted) throw canceller.reason;
    const { value } = await demandValue(this.s, slot, undefined, canceller);
    return value as V;
  }

  /** Raises the memory budget of retain-query values (weights) to at least `bytes`; never lowers it. */
  retainAtLeast(bytes: number): void {
    this.s.retained.atLeast(bytes);
  }

  /** Cancels all in-flight work (e.g. a watcher saw a change it has not set yet). */
  cancelAll(reason = 'cancelled by the caller'): void {
    this.s.cancelAll(reason);
  }

  /**
   * Writes this process's new memos and values to the store in one transaction, after running
   * every input's recheck: memos derived from an input that changed meanwhile are not written.
   */
  commit(): Promise<CommitReport> {
    return commit(this.s);
  }

  inspect<K, V>(query: Query<K, V>, key: K): MemoInfo | undefined {
    if (query.kind === 'input') return undefined;
    const slot = this.s.findSlot(query.name, this.s.keyHash(key));
    const m = slot?.memo;
    if (!m || m.verifiedAt === NO_REVISION) return undefined;
    return {
      valueFingerprint: m.valueFp,
      changedAt: m.changedAt,
      verifiedAt: m.verifiedAt,
      durability: m.durability,
      deps: Array.from({ length: m.deps.length }, (_, i) => ({
        query: m.deps.query(i),
        keyHash: m.deps.keyHash(i),
        fingerprint: m.deps.fingerprint(i),
        input: m.deps.isInput(i),
      })),
      persisted: m.persisted,
      loaded: m.loaded,
    };
  }
}
