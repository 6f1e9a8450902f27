/** Cycle detection on the wait-for graph of in-flight slots (iterative: chains can be deep). */
import { IreetsError } from '../util/errors.js';
import type { DerivedSlot } from './slots.js';

/** A path from → … → to along "is waiting for" edges, or undefined if `to` is not reachable. */
export function findWaitPath(from: DerivedSlot, to: DerivedSlot): DerivedSlot[] | undefined {
  if (from === to) return [from];
  const parent = new Map<DerivedSlot, DerivedSlot>();
  const stack = [from];
  const seen = new Set([from]);
  while (stack.length > 0) {
    const s = stack.pop()!;
    if (!s.waitsOn) continue;
    for (const next of s.waitsOn.keys()) {
      if (seen.has(next)) continue;
      seen.add(next);
      parent.set(next, s);
      if (next === to) {
        const path = [to];
        for (let p = parent.get(to); p; p = parent.get(p)) path.push(p);
        return path.reverse();
      }
      stack.push(next);
    }
  }
  return undefined;
}

/** `cycle` starts and ends with the same slot. */
export function cycleError(cycle: DerivedSlot[]): IreetsError {
  const names = cycle.map((s) => s.display());
  return new IreetsError('QUERY_CYCLE', `query cycle: ${names.join(' → ')}`, names[0]);
}
