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
    const visit = (next: DerivedSlot): boolean => {
      if (seen.has(next)) return false;
      seen.add(next);
      parent.set(next, s);
      stack.push(next);
      return next === to;
    };
    if (s.waitsOnFrame && visit(s.waitsOnFrame)) return pathTo(to, parent);
    if (!s.waitsOn) continue;
    for (const next of s.waitsOn.keys()) if (visit(next)) return pathTo(to, parent);
  }
  return undefined;
}

function pathTo(to: DerivedSlot, parent: ReadonlyMap<DerivedSlot, DerivedSlot>): DerivedSlot[] {
  const path = [to];
  for (let p = parent.get(to); p; p = parent.get(p)) path.push(p);
  return path.reverse();
}

/** `cycle` starts and ends with the same slot. */
export function cycleError(cycle: DerivedSlot[]): IreetsError {
  const names = cycle.map((s) => s.display());
  return new IreetsError('QUERY_CYCLE', `query cycle: ${names.join(' → ')}`, names[0]);
}
