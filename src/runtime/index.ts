// The public runtime API: load a compiled module on a device and call it.
export { Session } from './session.js';
export { createDevice, type DeviceOptions } from './devices.js';
export type { RuntimeTensor, RuntimeData } from './tensor.js';
