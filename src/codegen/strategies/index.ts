// Fast CPU strategies: a region whose root one of them handles gets a hand-tiled SIMD kernel
// instead of the generic per-element lowering (lower-region.ts asks here first).
import type { DispatchRegion } from '../../ir/partition.js';
import type { Kernel } from '../kernel-ir.js';
import type { KernelTuning } from '../kernel-tuning.js';
import { fastKernelsEnabled } from './enabled.js';
import { lowerConvRegion } from './conv.js';
import { lowerDepthwiseRegion } from './depthwise.js';
import { lowerElementwiseRegion } from './elementwise.js';
import { lowerMatmulRegion } from './matmul.js';
import { lowerMaxPoolRegion } from './pool.js';
import { lowerRowReduceRegion } from './reduce.js';

export type StrategyName = 'matmul' | 'depthwise' | 'conv' | 'max-pool' | 'reduce' | 'elementwise';

export interface Strategy {
  readonly name: StrategyName;
  readonly lower: (region: DispatchRegion, name: string, tuning: KernelTuning) => Kernel | undefined;
}

/** In the order they are tried: the first that takes a region lowers it. */
export const STRATEGIES: readonly Strategy[] = [
  { name: 'matmul', lower: lowerMatmulRegion },
  { name: 'depthwise', lower: lowerDepthwiseRegion },
  { name: 'conv', lower: lowerConvRegion },
  { name: 'max-pool', lower: lowerMaxPoolRegion },
  { name: 'reduce', lower: lowerRowReduceRegion },
  { name: 'elementwise', lower: lowerElementwiseRegion },
];

/**
 * The first strategy that applies to `region` and its kernel, or undefined (generic lowering). A
 * strategy that fails on a region it took on leaves it to the next one (or the generic rule):
 * the fast path never costs a model its compilation.
 */
export function selectStrategy(region: DispatchRegion, name: string, tuning: KernelTuning = {}): { strategy: StrategyName; kernel: Kernel } | undefined {
  if (!fastKernelsEnabled()) return undefined;
  for (const s of STRATEGIES) {
    let k: Kernel | undefined;
    try {
      k = s.lower(region, name, tuning);
    } catch {
      k = undefined;
    }
    if (k) return { strategy: s.name, kernel: k };
  }
  return undefined;
}

/** The kernel of the first strategy that applies to `region`, or undefined. The strategy tests ask for a kernel. */
export function lowerWithStrategy(region: DispatchRegion, name: string, tuning: KernelTuning = {}): Kernel | undefined {
  return selectStrategy(region, name, tuning)?.kernel;
}
