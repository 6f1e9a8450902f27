// Side records: small values tools keep in the build cache beside the build graph's memos,
// under their own names (e.g. `ireets tune`'s measured trials), so they are shared by every
// process on the cache and outlive the process that made them. Stored as memos without
// dependencies under query names the engine never registers; the cache's GC keeps them as
// long as they are rewritten, like any memo.
import type { Store } from '../../cache/store.js';

export interface SideRecords {
  /** The value last put under (kind, key) by a writer of the same version, or undefined. */
  get<T>(kind: string, version: string, key: unknown): T | undefined;
  /** Stores `value` under (kind, key), replacing what was there. */
  put(kind: string, version: string, key: unknown, value: unknown): Promise<void>;
}

export function sideRecords(store: Store): SideRecords {
  return {
    get<T>(kind: string, version: string, key: unknown): T | undefined {
      const memo = store.readMemo(kind, store.fingerprintValue(key));
      if (!memo.found || memo.value.version !== version) return undefined;
      const value = store.readValue(memo.value.valueFingerprint);
      return value.found ? (value.value as T) : undefined;
    },
    async put(kind: string, version: string, key: unknown, value: unknown): Promise<void> {
      const keyHash = store.fingerprintValue(key);
      const valueFingerprint = store.fingerprintValue(value);
      const values = new Map<string, unknown>([[valueFingerprint, value], [keyHash, key]]);
      await store.write({ memos: [{ query: kind, keyHash, version, deps: [], valueFingerprint }], values, touched: [], counters: {} });
    },
  };
}
