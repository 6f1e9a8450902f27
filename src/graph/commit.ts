/**
 * Persisting a build: memos computed in this process go to the store in one batch — except
 * those derived (transitively) from an input whose recheck shows it changed since the build
 * read it. Their recorded fingerprints would not describe what the compute saw.
 */
import type { MemoRef, PersistedMemo } from '../cache/store.js';
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
  for (const slot of s.slots.values()) {
    const m = slot.memo;
    if (!m || m.valueLost) continue;
    if (m.persisted) {
      if (m.untouched && m.verifiedAt >= 0) {
        touched.push({ query: slot.query.name, keyHash: slot.keyHash, usedAt: m.usedAt });
        touchedMemos.push(m);
      }
      continue;
    }
    // A read that failed or was never awaited can never verify: not worth storing.
    if (!slot.hasKey || !m.loaded || m.deps.some((d) => d.fingerprint === UNUSABLE_FINGERPRINT)) continue;
    if (tainted(slot)) {
      memosSkipped++;
      continue;
    }
    memos.push({
      query: slot.query.name,
      keyHash: slot.keyHash,
      version: slot.query.version,
      deps: m.deps.map((d) => ({ query: d.query, keyHash: d.keyHash, fingerprint: d.fingerprint, input: d.input })),
      valueFingerprint: m.valueFp,
    });
    values.set(m.valueFp, m.value);
    values.set(slot.keyHash, slot.key); // the memo's key lives here: see GraphState.recoverKey
    written.push(m);
  }

  await s.store.write({ memos, values, touched, counters: s.takeCounters(), run: s.runId });
  for (const m of written) m.persisted = true;
  for (const m of touchedMemos) m.untouched = false;
  return {
    memosWritten: memos.length,
    memosSkipped,
    memosTouched: touched.length,
    staleInputs: [...stale.values()].map((input) => ({ query: input.query, keyHash: input.keyHash })),
  };
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
      const deps = top.slot.memo?.deps ?? [];
      if (top.tainted || top.i === deps.length) {
        stack.pop();
        known.set(top.slot, top.tainted);
        const parent = stack[stack.length - 1];
        if (parent && top.tainted) parent.tainted = true;
        if (parent) parent.i++;
        continue;
      }
      const dep = deps[top.i]!;
      if (dep.input) {
        if (stale.has(slotId(dep.query, dep.keyHash))) top.tainted = true;
        else top.i++;
        continue;
      }
      const child = s.slots.get(dep.query, dep.keyHash);
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
