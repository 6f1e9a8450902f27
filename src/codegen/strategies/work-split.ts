// How a tiled kernel's work is cut into workgroups (one workgroup runs on one thread): enough
// workgroups that every thread gets a share and the last ones finish together, none so small
// that the per-dispatch-call overhead shows.

/** Workgroups to aim for by default: several per thread of a typical 2–8 thread pool. */
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
 * Splits axes of `units` tiles each (`macs` is the total work) into blocks: halves the axis with
 * the largest blocks (or `firstAxis`, while it can be) until there are enough workgroups or they
 * would get too small. `fixedGroups` (e.g. a batch axis) multiplies in. `target` (the
 * `workgroups` tuning knob; default TARGET_WORKGROUPS) scales the whole split: the count aimed
 * for, and inversely the smallest workgroup (so a small kernel can still be split finer, or
 * a big one kept coarser).
 */
export function splitWork(units: readonly number[], macs: number, fixedGroups = 1, options: { firstAxis?: number; target?: number | undefined } = {}): Split {
  const per = [...units];
  const count = units.map(() => 1);
  const target = options.target ?? TARGET_WORKGROUPS;
  const minMacs = (2 * MIN_WORKGROUP_MACS * TARGET_WORKGROUPS) / target;
  const groups = (): number => count.reduce((a, b) => a * b, fixedGroups);
  for (;;) {
    if (groups() >= target || macs / groups() < minMacs) break;
    // The preferred axis while it can be split, else the axis whose blocks are largest.
    let best = options.firstAxis !== undefined && per[options.firstAxis]! > 1 ? options.firstAxis : -1;
    if (best < 0) for (let a = 0; a < per.length; a++) if (per[a]! > 1 && (best < 0 || per[a]! > per[best]!)) best = a;
    if (best < 0) break;
    per[best] = Math.ceil(per[best]! / 2);
    count[best] = Math.ceil(units[best]! / per[best]!);
  }
  return { per, count };
}
