import { CpuDevice } from '../hal/cpu/cpu-device.js';
import type { HalDevice } from '../hal/types.js';
import { IreetsError } from '../util/errors.js';

export interface DeviceOptions {
  threads?: number;
}

/** Creates a device by name: `cpu` (worker pool), `cpu-sync` (calling thread only). */
export async function createDevice(name: string, options: DeviceOptions = {}): Promise<HalDevice> {
  const [driver] = name.split(':');
  switch (driver) {
    case 'cpu': return CpuDevice.create({ threads: options.threads });
    case 'cpu-sync': return CpuDevice.create({ threads: 1 });
    default: throw new IreetsError('INPUT_INVALID', `unknown device ${name} (known: cpu, cpu-sync)`);
  }
}
