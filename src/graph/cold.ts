/**
 * Cold memos (see slot-index.ts): loading a dependency's memo into the index's columns when it
 * reads inputs only and is green, checking one again in a later revision, and making one a slot
 * when the engine needs a slot after all (it is requested, red, or events are watched).
 */
import type { DepList, LoadedMemo } from '../cache/store.js';
import { Durability, minDurability } from './durability.js';
import { wordsHex } from './hex-words.js';
import { COLD_UNTOUCHED } from './slot-index.js';
import { NO_REVISION, type DerivedSlot, type Memo } from './slots.js';
import type { GraphState } from './state.js';

/**
 * The memo that dependency i of deps names, which the engine has never met (no index entry),
 * loaded from the store: a cold entry (its index) when it reads inputs only and they match,
 * else a new slot, holding the loaded memo if there is a usable one.
 */
export function loadDependency(s: GraphState, deps: DepList, i: number, id: number, high: number, low: number, revision: number): number | DerivedSlot {
  const query = s.derivedById[id]!;
  const found = s.store.loadDepMemo(deps, i);
  if (found.found && found.value.version === query.version && !s.events.observed) {
    const m = found.value;
    const durability = inputsMatch(s, m.deps);
    if (durability >= 0) {
      const index = s.index;
      const e = index.add(id, high, low);
      index.valueHigh[e] = m.valueHigh;
      index.valueLow[e] = m.valueLow;
      index.verifiedAt[e] = revision;
      index.durability[e] = durability;
      index.flags[e] = COLD_UNTOUCHED;
      index.usedAt[e] = m.usedAt;
      index.deps[e] = m.deps;
      s.countHit(id);
      return e;
    }
  }
  if (!found.found && found.problem) s.problems.next(found.problem);
  const slot = s.addSlot(query, deps.keyHash(i), undefined, false);
  slot.storeChecked = true;
  if (found.found && found.value.version === query.version) slot.memo = loadedMemo(found.value);
  return slot;
}

/**
 * Whether cold entry e holds at this revision: verified in it already, or now (counted as a
 * hit). false: it must become a slot (red, or events are watched and need one).
 */
export function coldIsCurrent(s: GraphState, e: number, revision: number): boolean {
  const index = s.index;
  const verifiedAt = index.verifiedAt[e]!;
  if (verifiedAt === revision) return true;
  if (s.events.observed) return false;
  // The durability shortcut, as for slots.
  if (verifiedAt !== NO_REVISION && s.lastChanged[index.durability[e]!]! <= verifiedAt) {
    index.verifiedAt[e] = revision;
    s.countHit(index.queryId[e]!);
    return true;
  }
  const durability = inputsMatch(s, index.deps[e]!);
  if (durability < 0) return false;
  index.verifiedAt[e] = revision;
  index.durability[e] = durability;
  s.countHit(index.queryId[e]!);
  return true;
}

/** The lowest durability among deps if they are all inputs at their recorded fingerprints, else -1. */
export function inputsMatch(s: GraphState, deps: DepList): Durability | -1 {
  // Within a revision inputs stand still, and many memos share one (interned) list.
  const checked = s.inputsChecked;
  if (checked.revision !== s.revision) {
    checked.lists.clear();
    checked.revision = s.revision;
  }
  const known = checked.lists.get(deps);
  if (known !== undefined) return known as Durability | -1;
  const result = checkInputs(s, deps);
  if (checked.lists.size < 4096) checked.lists.set(deps, result);
  return result;
}

function checkInputs(s: GraphState, deps: DepList): Durability | -1 {
  const n = deps.length;
  for (let i = 0; i < n; i++) if (!deps.isInput(i)) return -1;
  let durability: Durability = Durability.HIGH;
  for (let i = 0; i < n; i++) {
    const input = s.inputs.getByWords(deps.query(i), deps.keyHashHigh(i), deps.keyHashLow(i));
    if (!input || input.fingerprintLow !== deps.fingerprintLow(i) || input.fingerprintHigh !== deps.fingerprintHigh(i)) return -1;
    durability = minDurability(durability, input.slot.durability);
  }
  return durability;
}

/** Makes cold entry e a slot holding its memo, as it would be had it been walked as one. */
export function promote(s: GraphState, e: number): DerivedSlot {
  const index = s.index;
  const query = s.derivedById[index.queryId[e]!]!;
  const deps = index.deps[e]!; // addSlot clears it
  const slot = s.addSlot(query, wordsHex(index.keyHigh[e]!, index.keyLow[e]!), undefined, false, e);
  slot.storeChecked = true;
  slot.memo = {
    value: undefined,
    loaded: false,
    valueLost: false,
    valueFp: wordsHex(index.valueHigh[e]!, index.valueLow[e]!),
    deps,
    changedAt: 0,
    verifiedAt: index.verifiedAt[e]!,
    durability: index.durability[e] as Durability,
    persisted: true,
    untouched: (index.flags[e]! & COLD_UNTOUCHED) !== 0,
    usedAt: index.usedAt[e]!,
  };
  return slot;
}

/** The engine's memo for one loaded from the store (not verified yet). */
export function loadedMemo(m: LoadedMemo): Memo {
  return {
    value: undefined,
    loaded: false,
    valueLost: false,
    valueFp: m.valueFingerprint,
    deps: m.deps,
    changedAt: 0,
    verifiedAt: NO_REVISION,
    durability: Durability.LOW,
    persisted: true,
    untouched: true,
    usedAt: m.usedAt,
  };
}
