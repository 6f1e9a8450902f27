/** Query definitions: inputs the caller sets, derived queries the engine computes and memoizes. */
import type { Durability } from './durability.js';

/** A value set from outside (file bytes, options, tuning specs). K and V are phantom types. */
export interface InputQuery<K = unknown, V = unknown> {
  readonly kind: 'input';
  readonly name: string;
  readonly __types?: (key: K) => V;
}

/**
 * A pure function of the queries it reads through `ctx`. `version` salts its memos: change it
 * whenever the compute's code changes meaning, and persisted results of the old code are ignored.
 */
export interface DerivedQuery<K = unknown, V = unknown> {
  readonly kind: 'derived';
  readonly name: string;
  readonly version: string;
  readonly compute: (ctx: QueryContext, key: K) => V | Promise<V>;
  /**
   * Set for queries whose values are large (weights): the engine keeps them in memory only
   * within its budget (DatabaseOptions.retainedBytes), least recently used out first, and reads
   * a let-go value back from the store when it is used again.
   */
  readonly retain?: RetainPolicy<V>;
}

export interface RetainPolicy<V> {
  /** The bytes a value holds. */
  sizeOf(value: V): number;
}

export type Query<K = unknown, V = unknown> = InputQuery<K, V> | DerivedQuery<K, V>;

// Heterogeneous collections need the bivariant form; the typed API stays at the edges.
export type AnyDerivedQuery = DerivedQuery<any, any>;
export type AnyQuery = Query<any, any>;

/** What a compute may do: read other queries (recording dependency edges) and watch for cancellation. */
export interface QueryContext {
  /** Reads a derived query or an input; the read becomes a dependency of the running query. */
  get<K, V>(query: Query<K, V>, key: K): Promise<V>;
  /** Reads an input synchronously (inputs are always at hand). */
  input<K, V>(query: InputQuery<K, V>, key: K): V;
  /** Aborted when this computation is no longer wanted (caller gone, or an input changed). */
  readonly signal: AbortSignal;
}

export interface InputOptions<V = unknown> {
  durability?: Durability;
  /**
   * Re-reads the input's current value before a commit (e.g. re-hash the file). If it no longer
   * matches what the build used, nothing derived from this input is persisted.
   */
  recheck?: () => V | Promise<V>;
}

export function defineInput<K, V>(name: string): InputQuery<K, V> {
  return { kind: 'input', name };
}

export function defineQuery<K, V>(spec: {
  name: string;
  version: string;
  compute: (ctx: QueryContext, key: K) => V | Promise<V>;
  retain?: RetainPolicy<V>;
}): DerivedQuery<K, V> {
  const q = { kind: 'derived' as const, name: spec.name, version: spec.version, compute: spec.compute };
  return spec.retain ? { ...q, retain: spec.retain } : q;
}
