// The compiler's backing of src/util/derivations.ts: facts about content (the constant hash some
// raw bytes decode to, a weight's packed form) kept in the build cache as side records, so a
// fresh process importing a model the cache has seen neither hashes nor packs its weights again.
// Facts are versioned by the code that computes them (a changed decoder or packer ignores old
// ones); reads go to the store once per fact and process; writes wait for the compiler's idle
// write of its stamps, like every shortcut.
import type { Store } from '../../cache/store.js';
import type { DerivationStore } from '../../util/derivations.js';
import { readSideRecord, type SideRecord } from './records.js';
import { sourceSalt } from './salt.js';

const KIND_PREFIX = 'fact.';

/** A DerivationStore over `store`: found facts are kept in memory; new ones go to `pending`. */
export function cacheFacts(store: Store, pending: { add(record: SideRecord): void }): DerivationStore {
  const version = sourceSalt(['frontend', 'ir', 'codegen', 'util']);
  const known = new Map<string, unknown>();
  return {
    get(kind, key) {
      const id = `${kind}\0${key}`;
      if (known.has(id)) return known.get(id);
      const value = readSideRecord<unknown>(store, KIND_PREFIX + kind, version, key);
      if (value !== undefined) known.set(id, value);
      return value;
    },
    put(kind, key, value) {
      const id = `${kind}\0${key}`;
      if (known.has(id)) return;
      known.set(id, value);
      pending.add({ kind: KIND_PREFIX + kind, version, key, value });
    },
  };
}
