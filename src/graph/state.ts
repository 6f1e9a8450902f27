/** Everything the engine knows in one process: revisions, inputs, slots, registry, the store. */
import { Subject } from 'rxjs';
import type { DepList, QueryCounters, Store } from '../cache/store.js';
import { IreetsError } from '../util/errors.js';
import { cancelledError } from './cancellation.js';
import { loadedMemo, promote } from './cold.js';
import { queryEvent, type QueryEvent, type QueryOutcome } from './events.js';
import { hexWord } from './hex-words.js';
import { InputTable } from './input-table.js';
import { formatKey } from './key-display.js';
import type { AnyDerivedQuery, AnyQuery, InputQuery } from './query.js';
import { DEFAULT_RETAINED_BYTES, RetainedValues } from './retained-values.js';
import { SlotIndex } from './slot-index.js';
import { SlotTable } from './slot-table.js';
import { DerivedSlot, type InputSlot, type Memo } from './slots.js';
import type { Task } from './task.js';

export class GraphState {
  revision = 1;
  /** lastChanged[d]: latest revision in which an input of durability >= d changed. */
  readonly lastChanged: number[] = [0, 0, 0];
  readonly inputs = new InputTable();
  /** Slots by (query, key hash); also in `index`, which holds the cold memos besides. */
  readonly slots = new SlotTable<DerivedSlot>();
  readonly index = new SlotIndex();
  readonly registry = new Map<string, AnyQuery>();
  /** Derived queries by id (ids index `index`), and ids by name. */
  readonly derivedById: AnyDerivedQuery[] = [];
  private readonly derivedIds = new Map<string, number>();
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

  /** Values of retain-queries in memory, within a budget. */
  readonly retained: RetainedValues;

  constructor(
    readonly store: Store,
    retainedBytes = DEFAULT_RETAINED_BYTES,
  ) {
    this.retained = new RetainedValues(retainedBytes);
  }

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
    if (known === undefined) {
      this.registry.set(query.name, query);
      if (query.kind === 'derived') {
        this.derivedIds.set(query.name, this.derivedById.length);
        this.derivedById.push(query);
      }
    } else if (known !== query) {
      throw new IreetsError('QUERY_CONFLICT', 'two different queries share this name', `query ${query.name}`);
    }
  }

  /** The id of a registered derived query, or -1. */
  derivedId(name: string): number {
    // Dependencies come in runs of one query: remember the last answer.
    if (name === this.lastIdName) return this.lastId;
    const id = this.derivedIds.get(name) ?? -1;
    if (id >= 0) {
      this.lastIdName = name;
      this.lastId = id;
    }
    return id;
  }

  private lastIdName: string | undefined;
  private lastId = -1;

  derivedSlot(query: AnyDerivedQuery, key: unknown): DerivedSlot {
    this.register(query);
    const keyHash = this.keyHash(key);
    let slot = this.findSlot(query.name, keyHash);
    if (!slot) slot = this.addSlot(query, keyHash, key, true);
    else if (!slot.hasKey) {
      slot.key = key;
      slot.hasKey = true;
    }
    return slot;
  }

  /** The slot of (query, keyHash) if the engine knows it; a cold memo is made a slot. */
  findSlot(queryName: string, keyHash: string): DerivedSlot | undefined {
    const slot = this.slots.get(queryName, keyHash);
    if (slot || this.index.size === this.slotCount) return slot;
    const id = this.derivedId(queryName);
    const e = id < 0 ? -1 : this.index.find(id, hexWord(keyHash, 0), hexWord(keyHash, 8));
    return e < 0 ? undefined : (this.index.slot[e] ?? promote(this, e));
  }

  /** Slots made so far: index entries beyond these are cold memos (or were, before promotion). */
  slotCount = 0;

  /** A new slot for a (query, key) that has none (entry: its index entry if known). */
  addSlot(query: AnyDerivedQuery, keyHash: string, key: unknown, hasKey: boolean, entry = -1): DerivedSlot {
    const slot = new DerivedSlot(query, keyHash, key, hasKey);
    this.slots.set(query.name, keyHash, slot);
    const index = this.index;
    const e = entry >= 0 ? entry : index.add(this.derivedId(query.name), hexWord(keyHash, 0), hexWord(keyHash, 8));
    index.slot[e] = slot;
    index.deps[e] = undefined;
    this.slotCount++;
    return slot;
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
    const found = this.store.loadMemo(slot.query.name, slot.keyHash);
    if (!found.found) {
      if (found.problem) this.problems.next(found.problem);
      return undefined;
    }
    if (found.value.version !== slot.query.version) return undefined;
    return (slot.memo = loadedMemo(found.value));
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

  /** Counts a memo verified or reused without running (cold memos have no events to emit). */
  countHit(id: number): void {
    if (id >= this.coldHits.length) {
      const grown = new Int32Array(Math.max(16, id * 2));
      grown.set(this.coldHits);
      this.coldHits = grown;
    }
    this.coldHits[id]!++;
  }

  /** inputsMatch's answers in one revision, by dependency list (see cold.ts). */
  readonly inputsChecked = { revision: 0, lists: new Map<DepList, number>() };

  /** Hits per derived query id not yet in `counters` (a plain increment per cold memo). */
  private coldHits = new Int32Array(16);

  emit(slot: DerivedSlot, outcome: QueryOutcome, ms: number): void {
    const c = (this.counters[slot.query.name] ??= { hits: 0, misses: 0 });
    if (outcome === 'executed') c.misses++;
    else c.hits++;
    if (!this.events.observed) return; // formatting keys for nobody is wasted work
    if (!slot.hasKey) this.recoverKey(slot); // verified from the store: its key was never needed
    this.events.next(queryEvent(slot.query.name, slot.key, slot.keyHash, outcome, ms, this.revision));
  }

  takeCounters(): Record<string, QueryCounters> {
    for (let id = 0; id < this.coldHits.length; id++) {
      const hits = this.coldHits[id]!;
      if (hits === 0) continue;
      (this.counters[this.derivedById[id]!.name] ??= { hits: 0, misses: 0 }).hits += hits;
      this.coldHits[id] = 0;
    }
    const c = this.counters;
    this.counters = {};
    return c;
  }

  cancelAll(reason: string): void {
    for (const task of [...this.liveTasks]) task.abort(cancelledError(reason));
  }
}
