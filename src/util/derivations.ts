// Facts about content that a later process may take instead of computing them again: pure
// functions of a content hash, such as the constant hash of the tensor some raw bytes decode to,
// or the hash and shape of a weight's packed form. The front end and the code generator record
// and look them up here; the compiler backs this with its cache (so a fresh process that imports
// a model the cache has seen skips hashing and packing its weights), and without a backing every
// lookup misses and everything is computed as before. A fact is keyed by content, never by path
// or time: whichever process wrote it, it holds for every process of the same compiler version.

/** Where facts are kept: the compiler's cache, behind a version of the code that computes them. */
export interface DerivationStore {
  get(kind: string, key: string): unknown;
  put(kind: string, key: string, value: unknown): void;
}

let backing: DerivationStore | undefined;

/** Installs the store facts are read from and written to (the last one installed serves). */
export function useDerivations(store: DerivationStore): void {
  backing = store;
}

/** Uninstalls `store` if it is the one installed (its cache is closing). */
export function releaseDerivations(store: DerivationStore): void {
  if (backing === store) backing = undefined;
}

/** The fact recorded under (kind, key), if any. */
export function derivedFact<T>(kind: string, key: string): T | undefined {
  return backing?.get(kind, key) as T | undefined;
}

/** Records a fact (a pure function of the content `key` names). */
export function recordFact(kind: string, key: string, value: unknown): void {
  backing?.put(kind, key, value);
}
