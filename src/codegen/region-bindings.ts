import type { DispatchRegion } from '../ir/partition.js';
import type { KernelBinding } from './kernel-ir.js';

/**
 * The binding layout every strategy gives a region's kernel: its inputs in order (`in0`…), then
 * the output. The scheduler binds buffers in the same order.
 */
export function regionBindings(region: DispatchRegion): KernelBinding[] {
  return [
    ...region.inputs.map((v, i) => ({ name: `in${i}`, dtype: v.type.dtype, access: 'read' as const })),
    { name: 'out', dtype: region.output.type.dtype, access: 'write' },
  ];
}
