import { IreetsError } from '../../util/errors.js';

/** Workgroup ids along x and y: a 1-D grid larger than one dimension allows folds into y. */
export interface GpuGrid {
  readonly x: number;
  readonly y: number;
}

/** Splits `groups` workgroups into an x × y grid with x ≤ `maxPerDim` (x·y ≥ groups). */
export function splitWorkgroups(groups: number, maxPerDim: number, culprit?: string): GpuGrid {
  if (groups <= maxPerDim) return { x: groups, y: 1 };
  const y = Math.ceil(groups / maxPerDim);
  if (y > maxPerDim) {
    throw new IreetsError('MODEL_UNSUPPORTED', `${groups} workgroups exceed the ${maxPerDim}² the GPU can launch`, culprit);
  }
  return { x: Math.ceil(groups / y), y };
}
