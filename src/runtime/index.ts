// The public runtime API: load a compiled module on a device and call it.
export { readParameters, Session, type ModuleParameters } from './session.js';
export { readModuleFiles, type ModuleFiles } from './module-files.js';
export { createDevice, type DeviceOptions } from './devices.js';
export type { RuntimeTensor, RuntimeData } from './tensor.js';
