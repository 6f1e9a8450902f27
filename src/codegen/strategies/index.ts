// Fast CPU strategies: a region whose root one of them handles gets a hand-tiled SIMD kernel
// instead of the generic per-element lowering (lower-region.ts asks here first).
import type { DispatchRegion } from '../../ir/partition.js';
import type { Kernel } from '../kernel-ir.js';
import { fastKernelsEnabled } from './enabled.js';
import { lowerConvRegion } from './conv.js';
import { lowerDepthwiseRegion } from './depthwise.js';
import { lowerElementwiseRegion } from './elementwise.js';
import { lowerMatmulRegion } from './matmul.js';
import { lowerMaxPoolRegion } from './pool.js';
import { lowerRowReduceRegion } from './reduce.js';

type Strategy = (region: DispatchRegion, name: string) => Kernel | undefined;

const STRATEGIES: readonly Strategy[] = [lowerMatmulRegion, lowerDepthwiseRegion, lowerConvRegion, lowerMaxPoolRegion, lowerRowReduceRegion, lowerElementwiseRegion];

/**
 * The kernel of the first strategy that applies to `region`, or undefined (generic lowering). A
 * strategy that fails on a region it took on leaves it to the next one (or the generic rule):
 * the fast path never costs a model its compilation. The strategy tests ask for a kernel.
 */
export function lowerWithStrategy(region: DispatchRegion, name: string): Kernel | undefined {
  if (!fastKernelsEnabled()) return undefined;
  for (const s of STRATEGIES) {
    let k: Kernel | undefined;
    try {
      k = s(region, name);
    } catch {
      k = undefined;
    }
    if (k) return k;
  }
  return undefined;
}
