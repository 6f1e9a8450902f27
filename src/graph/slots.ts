/** The engine's in-memory state for one (query, key): its memo, and whether it is being worked on. */
import type { Durability } from './durability.js';
import { formatKey } from './keyDisplay.js';
import type { AnyDerivedQuery } from './query.js';
import type { Task } from './task.js';

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
  readonly deps: readonly Dep[];
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
}

export interface InFlight {
  readonly task: Task;
  readonly promise: Promise<Memo>;
  resolve(memo: Memo): void;
  reject(error: unknown): void;
}

export class DerivedSlot {
  memo: Memo | undefined;
  inflight: InFlight | undefined;
  /** Per-revision failure, so a failing query runs once per revision however often it is read. */
  failure: { revision: number; error: unknown } | undefined;
  /** Whether the store has been asked for this slot's memo. */
  storeChecked = false;
  /** Slots this one is waiting for right now (with multiplicity): the wait-for graph for cycles. */
  readonly waitsOn = new Map<DerivedSlot, number>();

  constructor(
    readonly id: string,
    readonly query: AnyDerivedQuery,
    readonly keyHash: string,
    /** Unknown for slots first met as a persisted dependency; their memo supplies it. */
    public key: unknown,
    public hasKey: boolean,
  ) {}

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

export function slotId(query: string, keyHash: string): string {
  return `${query}/${keyHash}`;
}

export function addWait(from: DerivedSlot, to: DerivedSlot): void {
  from.waitsOn.set(to, (from.waitsOn.get(to) ?? 0) + 1);
}

export function removeWait(from: DerivedSlot, to: DerivedSlot): void {
  const n = from.waitsOn.get(to);
  if (n === undefined) return;
  if (n <= 1) from.waitsOn.delete(to);
  else from.waitsOn.set(to, n - 1);
}
