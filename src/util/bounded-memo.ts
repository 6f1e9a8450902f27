// A process-level memo bounded by the bytes its values hold, least recently used out first.
// For results that are pure functions of their key (a content hash): a hit returns what a
// recomputation would, so the bound only trades memory for time, never correctness.

export class BoundedMemo<V> {
  private readonly entries = new Map<string, { value: V; bytes: number }>();
  private held = 0;

  constructor(private bound: number) {}

  get maxBytes(): number {
    return this.bound;
  }

  /** Raises the bound to at least `bytes` (never lowers it). */
  atLeast(bytes: number): void {
    if (bytes > this.bound) this.bound = bytes;
  }

  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    // Map order is recency: move a hit to the back.
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.value;
  }

  /** Keeps `value` unless it alone exceeds the bound; evicts the least recently used to make room. */
  set(key: string, value: V, bytes: number): void {
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.held -= old.bytes;
    }
    if (bytes > this.maxBytes) return;
    for (const [k, e] of this.entries) {
      if (this.held + bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.held -= e.bytes;
    }
    this.entries.set(key, { value, bytes });
    this.held += bytes;
  }

  clear(): void {
    this.entries.clear();
    this.held = 0;
  }

  /** Bytes the kept values hold. */
  get bytes(): number {
    return this.held;
  }

  get size(): number {
    return this.entries.size;
  }
}
