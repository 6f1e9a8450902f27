// Side records: small values kept in the build cache beside the build graph's memos, under their
// own names — the compiler's file stamps (stamps.ts), `ireets tune`'s measured trials — so they
// are shared by every process on the cache and outlive the process that made them. Stored as
// memos without dependencies under query names the engine never registers; the cache's GC keeps
// them as long as they are rewritten, like any memo.
import type { Store } from '../../cache/store.js';

export interface SideRecord {
  kind: string;
  version: string;
  key: unknown;
  value: unknown;
}

/** The value last written under (kind, key) by a writer of the same version, or undefined. */
export function readSideRecord<T>(store: Store, kind: string, version: string, key: unknown): T | undefined {
  const memo = store.readMemo(kind, store.fingerprintValue(key));
  if (!memo.found || memo.value.version !== version) return undefined;
  const value = store.readValue(memo.value.valueFingerprint);
  return value.found ? (value.value as T) : undefined;
}

/** Writes `records` in one store transaction, each replacing what was under its (kind, key). */
export async function writeSideRecords(store: Store, records: readonly SideRecord[]): Promise<void> {
  if (records.length === 0) return;
  const values = new Map<string, unknown>();
  const memos = records.map(({ kind, version, key, value }) => {
    const keyHash = store.fingerprintValue(key);
    const valueFingerprint = store.fingerprintValue(value);
    values.set(valueFingerprint, value);
    values.set(keyHash, key);
    return { query: kind, keyHash, version, deps: [], valueFingerprint };
  });
  await store.write({ memos, values, touched: [], counters: {} });
}

/** Side records of one store, for tools that should not see the store itself. */
export interface SideRecords {
  get<T>(kind: string, version: string, key: unknown): T | undefined;
  put(kind: string, version: string, key: unknown, value: unknown): Promise<void>;
}

export function sideRecords(store: Store): SideRecords {
  return {
    get: <T>(kind: string, version: string, key: unknown) => readSideRecord<T>(store, kind, version, key),
    put: (kind, version, key, value) => writeSideRecords(store, [{ kind, version, key, value }]),
  };
}
