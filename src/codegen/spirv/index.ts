// The SPIR-V emitter: kernel IR → SPIR-V 1.3 binary modules for Vulkan 1.1 (GLCompute).
export {
  emitSpirvExecutable,
  SPIRV_EXECUTABLE_FORMAT,
  type SpirvBindingMeta,
  type SpirvEntryPointMeta,
  type SpirvExecutable,
  type SpirvExecutableMeta,
} from './emit-executable.js';
export { disassembleSpirv, validateSpirv, type SpirvValidation } from './spirv-tools.js';
