/**
 * Every derived (query, key) the engine knows, found by query id and the key hash's two 32-bit
 * words (no string needed), in an open-addressing table over typed-array columns. An entry is
 * either a slot object (`slot[e]`), or a "cold" memo kept in the columns alone: one verified
 * straight from the store that reads inputs only. A fresh process verifying a large graph
 * meets most of its memos as such leaves, once each; a slot, a memo object and their strings
 * per leaf would cost it more in allocation and garbage collection than the verification
 * itself. A cold entry becomes a slot when the engine needs one (see cold.ts: promote).
 */
import type { DepList } from '../cache/store.js';
import type { DerivedSlot } from './slots.js';

/** A cold entry loaded from the store and not yet reported to it as touched (see commit). */
export const COLD_UNTOUCHED = 1;

const INITIAL = 4096;

export class SlotIndex {
  /** Entry index + 1 per table position; 0 is empty. */
  private table = new Int32Array(INITIAL * 2);
  private mask = INITIAL * 2 - 1;
  size = 0;
  queryId = new Int32Array(INITIAL);
  keyHigh = new Int32Array(INITIAL);
  keyLow = new Int32Array(INITIAL);
  /** The slot, once the entry has one; undefined: a cold memo, in the columns below. */
  readonly slot: Array<DerivedSlot | undefined> = [];
  valueHigh = new Int32Array(INITIAL);
  valueLow = new Int32Array(INITIAL);
  verifiedAt = new Int32Array(INITIAL);
  durability = new Uint8Array(INITIAL);
  flags = new Uint8Array(INITIAL);
  usedAt = new Float64Array(INITIAL);
  /** Shared between entries where equal (the store shares equal short lists). */
  readonly deps: Array<DepList | undefined> = [];

  /** Where the last find() that failed ended its probe, and the key it looked for. */
  private vacant = -1;
  private vacantQuery = 0;
  private vacantHigh = 0;
  private vacantLow = 0;

  /** The entry for (query, key), or -1. */
  find(query: number, high: number, low: number): number {
    const table = this.table;
    const mask = this.mask;
    for (let p = position(query, high, low) & mask; ; p = (p + 1) & mask) {
      const e = table[p]! - 1;
      if (e < 0) {
        this.vacant = p;
        this.vacantQuery = query;
        this.vacantHigh = high;
        this.vacantLow = low;
        return -1;
      }
      if (this.keyLow[e] === low && this.keyHigh[e] === high && this.queryId[e] === query) return e;
    }
  }

  /** Adds an entry for a (query, key) that find() does not have; returns its index. */
  add(query: number, high: number, low: number): number {
    const e = this.size;
    if (e === this.keyLow.length) this.growColumns();
    this.size = e + 1;
    this.queryId[e] = query;
    this.keyHigh[e] = high;
    this.keyLow[e] = low;
    this.slot.push(undefined);
    this.deps.push(undefined);
    if ((e + 1) * 2 > this.table.length) this.growTable(); // places e too
    else this.insert(e);
    return e;
  }

  private insert(e: number): void {
    const table = this.table;
    const mask = this.mask;
    const query = this.queryId[e]!;
    const high = this.keyHigh[e]!;
    const low = this.keyLow[e]!;
    let p = this.vacant;
    // Usually this is the key that find() just missed, and its probe ended where it goes.
    if (p < 0 || table[p] !== 0 || this.vacantLow !== low || this.vacantHigh !== high || this.vacantQuery !== query) {
      p = position(query, high, low) & mask;
      while (table[p] !== 0) p = (p + 1) & mask;
    }
    table[p] = e + 1;
    this.vacant = -1;
  }

  private growTable(): void {
    this.table = new Int32Array(this.table.length * 4);
    this.mask = this.table.length - 1;
    for (let e = 0; e < this.size; e++) this.insert(e);
  }

  private growColumns(): void {
    const n = this.keyLow.length * 2;
    const grow = <T extends Int32Array | Uint8Array | Float64Array>(a: T, b: T): T => {
      b.set(a);
      return b;
    };
    this.queryId = grow(this.queryId, new Int32Array(n));
    this.keyHigh = grow(this.keyHigh, new Int32Array(n));
    this.keyLow = grow(this.keyLow, new Int32Array(n));
    this.valueHigh = grow(this.valueHigh, new Int32Array(n));
    this.valueLow = grow(this.valueLow, new Int32Array(n));
    this.verifiedAt = grow(this.verifiedAt, new Int32Array(n));
    this.durability = grow(this.durability, new Uint8Array(n));
    this.flags = grow(this.flags, new Uint8Array(n));
    this.usedAt = grow(this.usedAt, new Float64Array(n));
  }
}

/** Key hashes are xxhash output, already uniform: mixing in the query id is enough. */
function position(query: number, high: number, low: number): number {
  return (low ^ Math.imul(query + 1, 0x9e3779b1) ^ (high >>> 11)) >>> 0;
}
