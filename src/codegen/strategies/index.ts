// Fast CPU strategies: a region whose root one of them handles gets a hand-tiled SIMD kernel
// instead of the generic per-element lowering (lower-region.ts asks here first).
import type { DispatchRegion } from '../../ir/partition.js';
import type { Kernel } from '../kernel-ir.js';
import { lowerConvRegion } from './conv.js';
import { lowerMatmulRegion } from './matmul.js';

type Strategy = (region: DispatchRegion, name: string) => Kernel | undefined;

const STRATEGIES: readonly Strategy[] = [lowerMatmulRegion, lowerConvRegion];

/**
 * The kernel of the first strategy that applies to `region`, or undefined (generic lowering).
 * IREETS_GENERIC_KERNELS=1 in the environment turns them all off (to compare against).
 */
export function lowerWithStrategy(region: DispatchRegion, name: string): Kernel | undefined {
  if (typeof process !== 'undefined' && process.env['IREETS_GENERIC_KERNELS'] === '1') return undefined;
  for (const s of STRATEGIES) {
    const k = s(region, name);
    if (k) return k;
  }
  return undefined;
}
