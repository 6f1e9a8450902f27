/**
 * Slots by (query name, key hash): a small map of query names, each to a map by key hash.
 * Two lookups with strings the engine already holds beat building a "query/keyHash" string
 * per lookup, which a fresh process verifying a large graph would do for every dependency.
 */
export class SlotTable<T> {
  private readonly byQuery = new Map<string, Map<string, T>>();

  get(query: string, keyHash: string): T | undefined {
    return this.byQuery.get(query)?.get(keyHash);
  }

  set(query: string, keyHash: string, value: T): void {
    let m = this.byQuery.get(query);
    if (!m) this.byQuery.set(query, (m = new Map()));
    m.set(keyHash, value);
  }

  *values(): IterableIterator<T> {
    for (const m of this.byQuery.values()) yield* m.values();
  }
}
