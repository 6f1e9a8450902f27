/**
 * The three keyed byte tables a store keeps, abstracted so LMDB and the in-memory store share
 * one implementation of records, stats and GC.
 *   memos:  "<query>/<keyHash>" -> memo record
 *   values: "<fingerprint>"     -> value record
 *   meta:   "format" | "counters" | "lastRun" -> canonical encoding
 */
export interface ByteTable {
  get(key: string): Uint8Array | undefined;
  /** Like get, but the bytes may live in a scratch buffer that the next read overwrites. */
  peek(key: string): Uint8Array | undefined;
  /**
   * The cheapest read, for hot paths: the record's length, or -1 if absent. Its bytes are then
   * [0, length) of `lent`, a scratch buffer (possibly longer) that the next read overwrites.
   */
  lend(key: string | Uint8Array): number;
  lent: Uint8Array;
  has(key: string): boolean;
  /** The record's first byte (its format) without copying the record; undefined if absent. */
  firstByte(key: string): number | undefined;
  put(key: string, bytes: Uint8Array): void;
  remove(key: string): void;
  /** A snapshot-consistent scan; callers must not write while iterating. */
  entries(): Iterable<readonly [string, Uint8Array]>;
}

export interface Tables {
  readonly memos: ByteTable;
  readonly values: ByteTable;
  readonly meta: ByteTable;
  /** Runs fn in one write transaction (all or nothing; serialised across processes). */
  transact<T>(fn: () => T): T;
}

/** Key hashes are fixed-width, so the query name is everything before the last 17 chars. */
export function memoKey(query: string, keyHash: string): string {
  return `${query}/${keyHash}`;
}

export function parseMemoKey(key: string): { query: string; keyHash: string } {
  return { query: key.slice(0, -17), keyHash: key.slice(-16) };
}

/** In-memory tables (tests, throwaway builds); same record bytes as on disk. */
export function memoryTables(): Tables {
  const table = (): ByteTable => {
    const m = new Map<string, Uint8Array>();
    const t: ByteTable = {
      get: (k) => m.get(k),
      peek: (k) => m.get(k),
      lend: (k) => {
        const b = m.get(typeof k === 'string' ? k : String.fromCharCode(...k));
        if (!b) return -1;
        t.lent = b;
        return b.length;
      },
      lent: new Uint8Array(0),
      has: (k) => m.has(k),
      firstByte: (k) => m.get(k)?.[0],
      put: (k, b) => void m.set(k, new Uint8Array(b)), // a copy, as a database would keep
      remove: (k) => void m.delete(k),
      entries: () => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    };
    return t;
  };
  return { memos: table(), values: table(), meta: table(), transact: (fn) => fn() };
}
