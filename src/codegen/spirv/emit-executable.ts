// Kernels → one SPIR-V 1.3 module (Vulkan 1.1): a GLCompute entry point per kernel, its bindings
// as StorageBuffer blocks in descriptor set 0 (binding i = kernel binding i), its i32 params as a
// push-constant block.
import type { DType } from '../../ir/dtype.js';
import type { Kernel, KernelBinding } from '../kernel-ir.js';
import { BATCH_COUNT } from '../lower-region.js';
import type { BoundBuffer } from './binding-access.js';
import { KernelEmitter } from './emit-kernel.js';
import { SpirvModuleBuilder } from './module-builder.js';
import { ModuleTypes } from './module-types.js';
import { Capability, Decoration, ExecutionMode, ExecutionModel, Op, StorageClass } from './spirv-enums.js';
import { arrayElementType, storageLayout } from './storage-layout.js';

export const SPIRV_EXECUTABLE_FORMAT = 'spirv';

export interface SpirvBindingMeta {
  readonly name: string;
  /** Storage dtype of the tensor (ir DType name). */
  readonly dtype: DType;
  readonly access: KernelBinding['access'];
  /** Descriptor set and binding number of the StorageBuffer. */
  readonly set: 0;
  readonly binding: number;
  /** Smallest binding size the shader accepts, in bytes (4, or 8 for 64-bit elements). */
  readonly minBindingSize: number;
}

export interface SpirvEntryPointMeta {
  readonly name: string;
  readonly workgroupSize: readonly [number, number, number];
  /** Workgroup counts; -1 stands for the run-time batch size; null for a count the host computes otherwise. */
  readonly workgroupCount: readonly (number | null)[];
  readonly bindings: readonly SpirvBindingMeta[];
  /** i32 push constants the entry point reads, at byte offsets 0, 4, … (0 = no push-constant block). */
  readonly numParams: number;
}

export interface SpirvExecutableMeta {
  /** 'spirv': SPIR-V 1.3 binary for Vulkan 1.1. */
  readonly format: typeof SPIRV_EXECUTABLE_FORMAT;
  readonly entryPoints: readonly SpirvEntryPointMeta[];
  /**
   * What the executable computes differently from the CPU, for people: types computed in
   * narrower ones (i64 as i32, f64 as f32) and emulated storage (f64 and sub-word elements).
   */
  readonly narrowed: readonly string[];
}

export interface SpirvExecutable {
  /** SPIR-V words, little-endian. */
  readonly code: Uint8Array;
  readonly entryPoints: readonly string[];
  readonly meta: SpirvExecutableMeta;
}

/**
 * Compiles kernels into one SPIR-V module: per kernel a GLCompute entry point (LocalSize =
 * workgroupSize) whose bindings are StorageBuffer blocks in descriptor set 0, binding i = kernel
 * binding i (NonWritable when read-only), and whose params are a push-constant block.
 */
export function emitSpirvExecutable(kernels: readonly Kernel[]): SpirvExecutable {
  const names = new Set<string>();
  for (const k of kernels) {
    if (names.has(k.name)) throw new Error(`two kernels are named ${k.name}`);
    names.add(k.name);
  }
  const b = new SpirvModuleBuilder();
  b.capability(Capability.Shader);
  const types = new ModuleTypes(b);
  const entryPoints: SpirvEntryPointMeta[] = [];
  const narrowed = new Set<string>();
  for (const k of kernels) {
    const buffers = k.bindings.map((binding, i) => declareBinding(types, k, binding, i));
    const pushConstants = k.numParams > 0 ? declarePushConstants(types, k) : undefined;
    const shared = declareShared(types, k);
    const emitter = new KernelEmitter(types, k, pushConstants === undefined ? { buffers, shared } : { buffers, pushConstants, shared });
    b.addFunction(emitter.emit());
    b.name(emitter.fb.id, k.name);
    b.entryPoint(ExecutionModel.GLCompute, emitter.fb.id, k.name, emitter.interfaceVariables);
    const [x, y, z] = k.workgroupSize;
    b.executionMode(emitter.fb.id, ExecutionMode.LocalSize, [x, y, z]);
    entryPoints.push(entryMeta(k));
    for (const n of emitter.notes) narrowed.add(n);
  }
  return { code: b.build(), entryPoints: kernels.map((k) => k.name), meta: { format: SPIRV_EXECUTABLE_FORMAT, entryPoints, narrowed: [...narrowed].sort() } };
}

/** One Workgroup-storage `float[size]` variable per workgroup array of the kernel, by name. */
function declareShared(types: ModuleTypes, k: Kernel): Map<string, number> {
  const vars = new Map<string, number>();
  for (const a of k.shared ?? []) {
    if (vars.has(a.name) || !(a.size > 0)) throw new Error(`kernel ${k.name}: workgroup array ${a.name} is declared twice or has no elements`);
    const f32 = types.f32;
    const len = types.constant('u32', a.size);
    const arr = types.b.declare(Op.TypeArray, (id) => [id, f32, len]);
    const ptr = types.pointer(StorageClass.Workgroup, arr);
    const variable = types.b.declare(Op.Variable, (id) => [ptr, id, StorageClass.Workgroup]);
    types.b.name(variable, `${k.name}_${a.name}`);
    vars.set(a.name, variable);
  }
  return vars;
}

function declareBinding(types: ModuleTypes, k: Kernel, binding: KernelBinding, index: number): BoundBuffer {
  const layout = storageLayout(binding.dtype);
  const struct = types.storageStruct(arrayElementType(layout));
  const ptr = types.pointer(StorageClass.StorageBuffer, struct);
  const variable = types.b.declare(Op.Variable, (id) => [ptr, id, StorageClass.StorageBuffer]);
  types.b.decorate(variable, Decoration.DescriptorSet, [0]);
  types.b.decorate(variable, Decoration.Binding, [index]);
  if (binding.access === 'read') types.b.decorate(variable, Decoration.NonWritable);
  types.b.name(variable, `${k.name}_${binding.name}`);
  return { variable, layout };
}

function declarePushConstants(types: ModuleTypes, k: Kernel): number {
  const struct = types.pushConstantStruct(k.numParams);
  const ptr = types.pointer(StorageClass.PushConstant, struct);
  const variable = types.b.declare(Op.Variable, (id) => [ptr, id, StorageClass.PushConstant]);
  types.b.name(variable, `${k.name}_params`);
  return variable;
}

function entryMeta(k: Kernel): SpirvEntryPointMeta {
  const [x, y, z] = k.workgroupSize;
  return {
    name: k.name,
    workgroupSize: [x, y, z],
    workgroupCount: k.workgroupCount.map((e) => (e.k === 'const' ? Number(e.v) : e === BATCH_COUNT ? -1 : null)),
    bindings: k.bindings.map((binding, i) => ({
      name: binding.name, dtype: binding.dtype, access: binding.access, set: 0, binding: i,
      minBindingSize: storageLayout(binding.dtype).kind === 'wide' ? 8 : 4,
    })),
    numParams: k.numParams,
  };
}
