/**
 * Whether the fast CPU strategies (and the weight packing they read) are on. IREETS_GENERIC_KERNELS=1
 * in the environment turns them off, to compare against the generic lowering.
 */
export function fastKernelsEnabled(): boolean {
  return typeof process === 'undefined' || process.env['IREETS_GENERIC_KERNELS'] !== '1';
}
