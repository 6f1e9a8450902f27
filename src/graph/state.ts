/** Everything the engine knows in one process: revisions, inputs, slots, registry, the store. */
import { Subject } from 'rxjs';
import type { QueryCounters, Store } from '../cache/store.js';
import { IreetsError } from '../util/errors.js';
import { cancelledError } from './cancellation.js';
import { Durability } from './durability.js';
import type { QueryEvent, QueryOutcome } from './events.js';
import { formatKey } from './key-display.js';
import type { AnyDerivedQuery, AnyQuery, InputQuery } from './query.js';
import { SlotTable } from './slot-table.js';
import { DerivedSlot, NO_REVISION, type Dep, type InputSlot, type Memo } from './slots.js';
import type { Task } from './task.js';

export class GraphState {
  revision = 1;
  /** lastChanged[d]: latest revision in which an input of durability >= d changed. */
  readonly lastChanged: number[] = [0, 0, 0];
  readonly inputs = new SlotTable<InputSlot>();
  readonly slots = new SlotTable<DerivedSlot>();
  readonly registry = new Map<string, AnyQuery>();
  readonly liveTasks = new Set<Task>();
  readonly events = new Subject<QueryEvent>();
  readonly problems = new Subject<IreetsError>();
  /** Since the last commit, for the store's hit/miss counters. */
  private counters: Record<string, QueryCounters> = {};
  /** This engine instance, as a "run" whose commits add up in the store's last-run counters. */
  readonly runId = `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

  /**
   * Key hashes of primitive keys (numbers, short strings…), which computes read over and over:
   * hashing is pure, and reusing the string also makes the slot lookups hit a cached hash.
   */
  private readonly primitiveKeyHashes = new Map<unknown, string>();

  constructor(readonly store: Store) {}

  keyHash(key: unknown): string {
    const t = typeof key;
    // -0 is excluded: the map would take it for 0, which encodes differently.
    const primitive = key === null || (t !== 'object' && t !== 'function' && !(t === 'string' && (key as string).length > 256) && !Object.is(key, -0));
    if (!primitive) return this.store.fingerprintValue(key);
    let h = this.primitiveKeyHashes.get(key);
    if (h === undefined) {
      if (this.primitiveKeyHashes.size >= 1 << 17) this.primitiveKeyHashes.clear(); // bound the memory
      h = this.store.fingerprintValue(key);
      this.primitiveKeyHashes.set(key, h);
    }
    return h;
  }

  register(query: AnyQuery): void {
    const known = this.registry.get(query.name);
    if (known === undefined) this.registry.set(query.name, query);
    else if (known !== query) {
      throw new IreetsError('QUERY_CONFLICT', 'two different queries share this name', `query ${query.name}`);
    }
  }

  derivedSlot(query: AnyDerivedQuery, key: unknown): DerivedSlot {
    this.register(query);
    const keyHash = this.keyHash(key);
    let slot = this.slots.get(query.name, keyHash);
    if (!slot) this.slots.set(query.name, keyHash, (slot = new DerivedSlot(query, keyHash, key, true)));
    else if (!slot.hasKey) {
      slot.key = key;
      slot.hasKey = true;
    }
    return slot;
  }

  /** The slot a recorded dependency names, or undefined if its query is not known here. */
  slotForDep(dep: Dep): DerivedSlot | undefined {
    const slot = this.slots.get(dep.query, dep.keyHash);
    if (slot) return slot;
    const query = this.registry.get(dep.query);
    if (query?.kind !== 'derived') return undefined;
    const created = new DerivedSlot(query, dep.keyHash, undefined, false);
    this.slots.set(dep.query, dep.keyHash, created);
    return created;
  }

  inputSlot(query: InputQuery<unknown, unknown>, key: unknown): InputSlot {
    this.register(query);
    const slot = this.inputs.get(query.name, this.keyHash(key));
    if (!slot) throw new IreetsError('QUERY_INPUT_UNSET', 'input read before it was set', `${query.name}(${formatKey(key)})`);
    return slot;
  }

  /**
   * The memo to verify for slot: the in-memory one, else (once per process) the store's, if it
   * was written by the same query version. undefined: nothing reusable, run the compute.
   */
  candidateMemo(slot: DerivedSlot): Memo | undefined {
    if (slot.memo) return slot.memo.valueLost ? undefined : slot.memo;
    if (slot.storeChecked) return undefined;
    slot.storeChecked = true;
    const found = this.store.readMemo(slot.query.name, slot.keyHash);
    if (!found.found) {
      if (found.problem) this.problems.next(found.problem);
      return undefined;
    }
    const persisted = found.value;
    if (persisted.version !== slot.query.version) return undefined;
    slot.memo = {
      value: undefined,
      loaded: false,
      valueLost: false,
      valueFp: persisted.valueFingerprint,
      // The store hands out fresh objects, never read again: no copy. (Only a running
      // compute's own deps get their fingerprint filled in later.)
      deps: persisted.deps as readonly Dep[],
      changedAt: 0,
      verifiedAt: NO_REVISION,
      durability: Durability.LOW,
      persisted: true,
      untouched: true,
      usedAt: persisted.usedAt,
    };
    return slot.memo;
  }

  /**
   * Keys are stored as values under their own fingerprint, so a slot first met as a persisted
   * dependency can be re-run even when its memo is gone (salt bump, corruption, GC).
   */
  recoverKey(slot: DerivedSlot): boolean {
    if (slot.hasKey) return true;
    const found = this.store.readValue(slot.keyHash);
    if (!found.found) {
      if (found.problem) this.problems.next(found.problem);
      return false;
    }
    slot.key = found.value;
    slot.hasKey = true;
    return true;
  }

  emit(slot: DerivedSlot, outcome: QueryOutcome, ms: number): void {
    const c = (this.counters[slot.query.name] ??= { hits: 0, misses: 0 });
    if (outcome === 'executed') c.misses++;
    else c.hits++;
    if (!this.events.observed) return; // formatting keys for nobody is wasted work
    if (!slot.hasKey) this.recoverKey(slot); // verified from the store: its key was never needed
    this.events.next({ query: slot.query.name, key: formatKey(slot.key), keyHash: slot.keyHash, outcome, ms, revision: this.revision });
  }

  takeCounters(): Record<string, QueryCounters> {
    const c = this.counters;
    this.counters = {};
    return c;
  }

  cancelAll(reason: string): void {
    for (const task of [...this.liveTasks]) task.abort(cancelledError(reason));
  }
}
