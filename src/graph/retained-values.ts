// Values of queries that declare them large (DerivedQuery.retain: the compiler's weights) are
// kept in memory only up to a byte budget, least recently used out first. Without it a long-lived
// engine (a watch session) kept every weight it ever compiled: each new checkpoint of MiniLM
// added ~56 MB that no later build read. Only values the store holds are let go: the memo stays
// valid and demandValue reads its value back from the store when it is used again.
import type { DerivedSlot } from './slots.js';

/** Default budget of retained values per engine. */
export const DEFAULT_RETAINED_BYTES = 512 << 20;

export class RetainedValues {
  /** Slots with a loaded value of a retain-query, by recency of use (oldest first), and each value's size. */
  private readonly lru = new Map<DerivedSlot, number>();
  private total = 0;

  constructor(private limit: number) {}

  get budget(): number {
    return this.limit;
  }

  /** Raises the budget to at least `bytes` (never lowers it). */
  atLeast(bytes: number): void {
    if (bytes > this.limit) this.limit = bytes;
  }

  get bytes(): number {
    return this.total;
  }

  /** A retain-query's value was just used (computed, verified or read back): the most recent now. */
  used(slot: DerivedSlot, size: number): void {
    const old = this.lru.get(slot);
    if (old !== undefined) {
      this.lru.delete(slot);
      this.total -= old;
    }
    this.lru.set(slot, size);
    this.total += size;
  }

  /** Lets values go, least recently used first, until within budget; returns how many. Values not yet in the store stay. */
  trim(): number {
    let dropped = 0;
    for (const [slot, size] of this.lru) {
      if (this.total <= this.limit) break;
      const m = slot.memo;
      if (m && m.loaded && !m.persisted) continue;
      if (m && m.loaded) {
        m.value = undefined;
        m.loaded = false;
        dropped++;
      }
      this.lru.delete(slot);
      this.total -= size;
    }
    return dropped;
  }
}
