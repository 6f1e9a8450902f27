/**
 * Persisting a build: memos computed in this process go to the store in one batch — except
 * those derived (transitively) from an input whose recheck shows it changed since the build
 * read it. Their recorded fingerprints would not describe what the compute saw.
 */
import type { DepList, MemoRef, PersistedDep, PersistedMemo } from '../cache/store.js';
import { wordsHex } from './hex-words.js';
import { COLD_UNTOUCHED } from './slot-index.js';
import { UNUSABLE_FINGERPRINT, slotId, type DerivedSlot, type InputSlot, type Memo } from './slots.js';
import type { GraphState } from './state.js';

export interface CommitReport {
  memosWritten: number;
  /** Memos left unpersisted because they derive from a stale input. */
  memosSkipped: number;
  /** Memos verified from the store (their last-use time may be refreshed). */
  memosTouched: number;
  /** Inputs whose recheck no longer matches; set them again and rebuild. */
  staleInputs: Array<{ query: string; keyHash: string }>;
}

export async function commit(s: GraphState): Promise<CommitReport> {
  const stale = new Map<string, InputSlot>();
  for (const input of s.inputs.values()) {
    if (!input.recheck) continue;
    try {
      const current = await input.recheck();
      if (s.store.fingerprintValue(current) !== input.fingerprint) stale.set(input.id, input);
    } catch {
      stale.set(input.id, input); // e.g. the file is gone: certainly not what the build read
    }
  }
  const tainted = taintChecker(s, stale);

  const memos: PersistedMemo[] = [];
  const written: Memo[] = [];
  const values = new Map<string, unknown>();
  const touched: MemoRef[] = [];
  const touchedMemos: Memo[] = [];
  let memosSkipped = 0;
  // Touches the store would skip as not yet due are not listed (they are still marked done).
  const due = s.store.touchFilter?.() ?? (() => true);
  for (const slot of s.slots.values()) {
    const m = slot.memo;
    if (!m || m.valueLost) continue;
    if (m.persisted) {
      if (m.untouched && m.verifiedAt >= 0) {
        if (due(m.usedAt)) touched.push({ query: slot.query.name, keyHash: slot.keyHash, usedAt: m.usedAt });
        touchedMemos.push(m);
      }
      continue;
    }
    // A read that failed or was never awaited can never verify: not worth storing.
    if (!slot.hasKey || !m.loaded || readsUnusable(m)) continue;
    if (tainted(slot)) {
      memosSkipped++;
      continue;
    }
    memos.push({
      query: slot.query.name,
      keyHash: slot.keyHash,
      version: slot.query.version,
      deps: persistedDeps(m),
      valueFingerprint: m.valueFp,
    });
    values.set(m.valueFp, m.value);
    values.set(slot.keyHash, slot.key); // the memo's key lives here: see GraphState.recoverKey
    written.push(m);
  }

  const touchedCold = touchedColdEntries(s, touched, due);

  await s.store.write({ memos, values, touched, counters: s.takeCounters(), run: s.runId });
  for (const m of written) m.persisted = true;
  // Large values now in the store may leave memory (retained-values.ts).
  s.retained.trim();
  for (const m of touchedMemos) m.untouched = false;
  for (const e of touchedCold) s.index.flags[e]! &= ~COLD_UNTOUCHED;
  return {
    memosWritten: memos.length,
    memosSkipped,
    memosTouched: touchedMemos.length + touchedCold.length,
    staleInputs: [...stale.values()].map((input) => ({ query: input.query, keyHash: input.keyHash })),
  };
}

/** Adds the cold memos verified since they were loaded, those due, to touched; returns all their entries. */
function touchedColdEntries(s: GraphState, touched: MemoRef[], due: (usedAt: number | undefined) => boolean): number[] {
  const index = s.index;
  const entries: number[] = [];
  for (let e = 0; e < index.size; e++) {
    if (index.slot[e] || !(index.flags[e]! & COLD_UNTOUCHED)) continue;
    entries.push(e);
    if (!due(index.usedAt[e])) continue;
    const query = s.derivedById[index.queryId[e]!]!.name;
    touched.push({ query, keyHash: wordsHex(index.keyHigh[e]!, index.keyLow[e]!), usedAt: index.usedAt[e]! });
  }
  return entries;
}

function readsUnusable(m: Memo): boolean {
  for (let i = 0; i < m.deps.length; i++) if (m.deps.fingerprintIs(i, UNUSABLE_FINGERPRINT)) return true;
  return false;
}

function persistedDeps(m: Memo): PersistedDep[] {
  const d = m.deps;
  return Array.from({ length: d.length }, (_, i) => ({ query: d.query(i), keyHash: d.keyHash(i), fingerprint: d.fingerprint(i), input: d.isInput(i) }));
}

/** Whether a slot's memo reads a stale input, directly or through its dependencies (iterative). */
function taintChecker(s: GraphState, stale: ReadonlyMap<string, InputSlot>): (slot: DerivedSlot) => boolean {
  const known = new Map<DerivedSlot, boolean>();
  return (root) => {
    if (stale.size === 0) return false;
    // Post-order over the dependency graph with an explicit stack.
    const stack: Array<{ slot: DerivedSlot; i: number; tainted: boolean }> = [{ slot: root, i: 0, tainted: false }];
    known.set(root, false); // provisional: guards against loops in stale memo graphs
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const deps = top.slot.memo?.deps;
      if (top.tainted || !deps || top.i === deps.length) {
        stack.pop();
        known.set(top.slot, top.tainted);
        const parent = stack[stack.length - 1];
        if (parent && top.tainted) parent.tainted = true;
        if (parent) parent.i++;
        continue;
      }
      const i = top.i;
      if (deps.isInput(i)) {
        if (stale.has(slotId(deps.query(i), deps.keyHash(i)))) top.tainted = true;
        else top.i++;
        continue;
      }
      const child = s.slots.get(deps.query(i), deps.keyHash(i));
      if (!child && coldReadsStale(s, deps, i, stale)) {
        top.tainted = true;
        continue;
      }
      const cached = child ? known.get(child) : false;
      if (!child || cached !== undefined) {
        if (cached) top.tainted = true;
        else top.i++;
        continue;
      }
      known.set(child, false);
      stack.push({ slot: child, i: 0, tainted: false });
    }
    return known.get(root)!;
  };
}

/**
 * Whether dependency i of deps is a cold memo (it reads inputs only) reading a stale input.
 * (A memo computed here read its dependencies through ctx.get, which makes them slots; this
 * keeps the check whole whatever the dependency is.)
 */
function coldReadsStale(s: GraphState, deps: DepList, i: number, stale: ReadonlyMap<string, InputSlot>): boolean {
  const id = s.derivedId(deps.query(i));
  const e = id < 0 ? -1 : s.index.find(id, deps.keyHashHigh(i), deps.keyHashLow(i));
  const cold = e < 0 ? undefined : s.index.deps[e];
  if (!cold) return false;
  for (let j = 0; j < cold.length; j++) if (stale.has(slotId(cold.query(j), cold.keyHash(j)))) return true;
  return false;
}
