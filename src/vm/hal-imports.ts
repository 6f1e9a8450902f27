/**
 * Names and signatures of the HAL functions host programs import. The compiler's linker emits
 * calls to them and the runtime binds them to a device; both sides read this one table.
 */
import type { ArgKind } from './module.js';

export const HAL_IMPORTS = {
  allocate: { name: 'hal.device.allocate', params: ['i'], results: ['r'] },
  release: { name: 'hal.device.release', params: ['r'], results: [] },
  loadExecutable: { name: 'hal.executable.load', params: ['i'], results: ['r'] },
  constantBuffer: { name: 'hal.buffer.constant', params: ['r'], results: ['r'] },
  createCommandBuffer: { name: 'hal.command_buffer.create', params: [], results: ['r'] },
  copy: { name: 'hal.command_buffer.copy', params: ['r', 'r', 'i', 'r', 'i', 'i'], results: [] },
  barrier: { name: 'hal.command_buffer.barrier', params: ['r'], results: [] },
  submitAndWait: { name: 'hal.device.submit_and_wait', params: ['r'], results: [] },
  /** Host reads of scalars (control flow conditions, trip counts); the device must be idle. */
  loadU8: { name: 'hal.buffer.load_u8', params: ['r', 'i'], results: ['i'] },
  loadI64: { name: 'hal.buffer.load_i64', params: ['r', 'i'], results: ['i'] },
  /** Host writes of scalars (loop iteration numbers and conditions); the device must be idle. */
  storeU8: { name: 'hal.buffer.store_u8', params: ['r', 'i', 'i'], results: [] },
  storeI64: { name: 'hal.buffer.store_i64', params: ['r', 'i', 'i'], results: [] },
} as const satisfies Record<string, { name: string; params: readonly ArgKind[]; results: readonly ArgKind[] }>;

/** Dispatch takes a variable number of bindings and constants: one import per arity. */
export const DISPATCH_IMPORT_PREFIX = 'hal.command_buffer.dispatch';

export function dispatchImport(numBindings: number, numConstants: number): { name: string; params: ArgKind[]; results: ArgKind[] } {
  // (cb, exe, entry, wx, wy, wz, [buffer, offset, length] × bindings, constant × constants)
  const params: ArgKind[] = ['r', 'r', 'i', 'i', 'i', 'i'];
  for (let b = 0; b < numBindings; b++) params.push('r', 'i', 'i');
  for (let c = 0; c < numConstants; c++) params.push('i');
  return { name: `${DISPATCH_IMPORT_PREFIX}.${numBindings}.${numConstants}`, params, results: [] };
}

export function parseDispatchImport(name: string): { numBindings: number; numConstants: number } | undefined {
  const m = /^hal\.command_buffer\.dispatch\.(\d+)\.(\d+)$/.exec(name);
  return m ? { numBindings: Number(m[1]), numConstants: Number(m[2]) } : undefined;
}

/** Module metadata keys the linker writes and the runtime reads. */
export const META = {
  /** Comma-separated targets the module carries a host program for. */
  targets: 'ireets.targets',
  /** Per target: the function that loads its executables and constants. */
  initFunction: (target: string) => `ireets.init.${target}`,
  /** Per target: executable formats its program needs (a device must load all of them). */
  formats: (target: string) => `ireets.formats.${target}`,
  /** The dynamic batch symbol; `main` then takes the batch size as its first (integer) argument. */
  batchSymbol: 'ireets.batch_symbol',
} as const;
