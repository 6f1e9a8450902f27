// How a tiled kernel's work is cut into workgroups (one workgroup runs on one thread): enough
// workgroups that every thread gets a share and the last ones finish together, none so small
// that the per-dispatch-call overhead shows.

/** Workgroups to aim for: several per thread of a typical 2–8 thread pool. */
export const TARGET_WORKGROUPS = 48;
/** Multiply-adds below which a workgroup is not split further. */
export const MIN_WORKGROUP_MACS = 1 << 17;

export interface Split {
  /** Units per workgroup along each axis. */
  per: number[];
  /** Workgroups along each axis. */
  count: number[];
}

/**
 * Splits axes of `units` tiles each (a unit costing `unitMacs[axis]`-weighted work; `macs` is the
 * total) into blocks: halves the axis with the most blocks left until there are enough
 * workgroups or they would get too small. `fixedGroups` (e.g. a batch axis) multiplies in.
 */
export function splitWork(units: readonly number[], macs: number, fixedGroups = 1): Split {
  const per = [...units];
  const count = units.map(() => 1);
  const groups = (): number => count.reduce((a, b) => a * b, fixedGroups);
  for (;;) {
    if (groups() >= TARGET_WORKGROUPS || macs / groups() < 2 * MIN_WORKGROUP_MACS) break;
    // The axis whose blocks are largest, among those that can still be halved.
    let best = -1;
    for (let a = 0; a < per.length; a++) if (per[a]! > 1 && (best < 0 || per[a]! > per[best]!)) best = a;
    if (best < 0) break;
    per[best] = Math.ceil(per[best]! / 2);
    count[best] = Math.ceil(units[best]! / per[best]!);
  }
  return { per, count };
}
