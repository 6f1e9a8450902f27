/** The engine's in-memory state for one (query, key): its memo, and whether it is being worked on. */
import type { DepList } from '../cache/store.js';
import type { Durability } from './durability.js';
import { formatKey } from './key-display.js';
import type { AnyDerivedQuery } from './query.js';
import type { InFlight } from './inflight.js';
import { IreetsError } from '../util/errors.js';

/** verifiedAt of a memo that has not been checked in this process (e.g. loaded from the store). */
export const NO_REVISION = -1;
/** Fingerprint recorded for a read that failed or never finished: it never matches, so never green. */
export const UNUSABLE_FINGERPRINT = '!';

export interface Dep {
  readonly query: string;
  readonly keyHash: string;
  readonly input: boolean;
  fingerprint: string;
}

export interface Memo {
  /** Meaningful only when loaded; persisted memos fetch their value on first use. */
  value: unknown;
  loaded: boolean;
  /** The store could not produce the value: the memo must be recomputed before use. */
  valueLost: boolean;
  readonly valueFp: string;
  /** Recorded reads, in order: ArrayDeps when computed here, packed as stored when loaded. */
  readonly deps: DepList;
  /** Revision at which the value last changed; early cutoff keeps it when a re-run gives the same value. */
  changedAt: number;
  /** Revision at which the memo was last known valid. */
  verifiedAt: number;
  /** Lowest durability among everything it read (transitively). */
  durability: Durability;
  /** The store holds exactly this memo. */
  persisted: boolean;
  /** Came from the store and not yet reported as touched in a commit. */
  untouched: boolean;
  /** For memos from the store: when it was last written or touched (ms). */
  usedAt?: number | undefined;
}

export class DerivedSlot {
  memo: Memo | undefined = undefined;
  inflight: InFlight | undefined = undefined;
  /** Per-revision failure, so a failing query runs once per revision however often it is read. */
  failure: { revision: number; error: unknown } | undefined = undefined;
  /** Whether the store has been asked for this slot's memo. */
  storeChecked = false;
  /**
   * Slots this one is waiting for right now (with multiplicity): the wait-for graph for cycles.
   * Made on first use: most slots are verified without ever waiting on another task.
   */
  waitsOn: Map<DerivedSlot, number> | undefined = undefined;
  /**
   * The one slot this one's own task is verifying or running for it (the next frame up the
   * task's stack): a wait-for edge too, kept in a field because a verification walk makes and
   * drops one per dependency.
   */
  waitsOnFrame: DerivedSlot | undefined = undefined;

  constructor(
    readonly query: AnyDerivedQuery,
    readonly keyHash: string,
    /**
     * Unknown for slots first met as a persisted dependency: read from the store (where commits
     * keep keys as values) when it must run, else supplied by the dependant's re-run.
     */
    public key: unknown,
    public hasKey: boolean,
  ) {}

  get id(): string {
    return slotId(this.query.name, this.keyHash);
  }

  display(): string {
    return `${this.query.name}(${this.hasKey ? formatKey(this.key) : `#${this.keyHash}`})`;
  }
}

export interface InputSlot {
  readonly id: string;
  readonly query: string;
  readonly keyHash: string;
  readonly key: unknown;
  value: unknown;
  fingerprint: string;
  changedAt: number;
  durability: Durability;
  recheck: (() => unknown) | undefined;
}

/**
 * Settles a red slot that has no key (met as a persisted dependency, its key gone from the
 * store): it cannot run, so its dependant turns red and, re-running, asks for it with the key.
 * Never a result: requests retry (see demandValue).
 */
export const KEY_UNAVAILABLE = new IreetsError('INTERNAL', 'a dependency cannot re-run: its key is not in the store');

export function slotId(query: string, keyHash: string): string {
  return `${query}/${keyHash}`;
}

export function addWait(from: DerivedSlot, to: DerivedSlot): void {
  const w = (from.waitsOn ??= new Map());
  w.set(to, (w.get(to) ?? 0) + 1);
}

export function removeWait(from: DerivedSlot, to: DerivedSlot): void {
  const w = from.waitsOn;
  const n = w?.get(to);
  if (n === undefined) return;
  if (n <= 1) w!.delete(to);
  else w!.set(to, n - 1);
}
