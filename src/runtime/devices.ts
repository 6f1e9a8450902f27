import { CpuDevice } from '../hal/cpu/cpu-device.js';
import type { HalDevice } from '../hal/types.js';
import { IreetsError } from '../util/errors.js';

export interface DeviceOptions {
  /** CPU threads (the `cpu` driver); default: all cores. */
  threads?: number;
  /** The GPU object for `webgpu` (e.g. `navigator.gpu`); default: navigator.gpu, else Dawn in Node. */
  gpu?: unknown;
}

export const DEVICE_NAMES = ['cpu', 'cpu-sync', 'webgpu', 'webgpu:N'] as const;

/**
 * Creates a device by name: `cpu` (worker pool), `cpu-sync` (calling thread only), `webgpu`
 * or `webgpu:N` (the N-th distinct adapter).
 */
export async function createDevice(name: string, options: DeviceOptions = {}): Promise<HalDevice> {
  const [driver, index] = name.split(':');
  switch (driver) {
    case 'cpu': return CpuDevice.create({ threads: options.threads });
    case 'cpu-sync': return CpuDevice.create({ threads: 1 });
    case 'webgpu': {
      const adapterIndex = index === undefined ? undefined : Number(index);
      if (adapterIndex !== undefined && !Number.isInteger(adapterIndex)) throw new IreetsError('INPUT_INVALID', `bad device ${name}: expected webgpu:N`);
      // Loaded on demand so CPU-only users never load Dawn.
      const { createWebGpuDevice } = await import('../hal/webgpu/webgpu-device.js');
      return createWebGpuDevice({ adapterIndex, gpu: options.gpu as never });
    }
    default: throw new IreetsError('INPUT_INVALID', `unknown device ${name} (known: ${DEVICE_NAMES.join(', ')})`);
  }
}

/** The compile target whose executables a device runs. */
export function targetOfDevice(name: string): 'cpu' | 'webgpu' {
  return name.startsWith('webgpu') ? 'webgpu' : 'cpu';
}
