// The compiler pipeline for one target, as plain functions: import → optimize → partition →
// lower + emit (per region) → schedule → link. `compileOnnx` runs them in one go; the build
// graph (src/stages/queries, src/stages/compiler.ts) calls the same steps as memoized queries.
import { importModel } from '../frontend/import-model.js';
import type { Graph, IRModule, Node } from '../ir/graph.js';
import { describeNode } from '../ir/graph.js';
import { runPipeline } from '../ir/passes.js';
import { partitionGraph, type DispatchRegion, type Step } from '../ir/partition.js';
import { regionKey, summarizeRegion } from '../ir/region-key.js';
import type { Tensor } from '../ir/tensor.js';
import { BATCH_COUNT, canLowerNode, lowerRegion } from '../codegen/lower-region.js';
import { specializeBatch, type BatchInfo } from '../ir/batch.js';
import { scheduleSteps, type Schedule } from '../codegen/schedule.js';
import { emitWasmExecutable } from '../codegen/wasm/emit-kernel.js';
import { lowerRegionGpu } from '../codegen/gpu/lower-region-gpu.js';
import { emitWgslExecutable } from '../codegen/wgsl/emit-wgsl.js';
import { emitSpirvExecutable, SPIRV_EXECUTABLE_FORMAT } from '../codegen/spirv/index.js';
import { WGSL_EXECUTABLE_FORMAT } from '../util/wgsl-kernel-abi.js';
import { packWeights, reservePackedFor } from '../codegen/strategies/pack-weights.js';
import { CPU_EXECUTABLE_FORMAT } from '../util/cpu-kernel-abi.js';
import { IreetsError } from '../util/errors.js';
import { hashBytes, initHashing } from '../util/hash.js';
import { writeModule } from '../vm/module-writer.js';
import type { TensorSignature, VmExecutable } from '../vm/module.js';
import { linkModule, signatureOf, type CompiledGraph, type LinkedDispatch, type TargetProgram } from './link.js';
import type { RegionTuning } from './queries/tuning.js';

/**
 * Targets: `cpu` (WebAssembly SIMD, one workgroup per thread), `webgpu` (WGSL, one invocation
 * per output element) and `vulkan-spirv` (the same GPU kernels as SPIR-V; no Vulkan HAL driver
 * runs them yet, but modules carry them and `ireets dump` shows them).
 */
export type Target = 'cpu' | 'webgpu' | 'vulkan-spirv';
export const TARGETS: readonly Target[] = ['cpu', 'webgpu', 'vulkan-spirv'];

export interface CompiledDispatch {
  key: string;
  summary: string;
  executable: number;
}

export interface CompileResult {
  module: Uint8Array;
  ir: IRModule;
  steps: Step[];
  schedule: Schedule;
  dispatches: CompiledDispatch[];
}

/** The model after import and optimization, specialized to one sample when its batch is dynamic. */
export interface OptimizedModel {
  ir: IRModule;
  batch: BatchInfo;
  /** The signature with its symbolic dims, taken before batch specialization. */
  signature: { inputs: TensorSignature[]; outputs: TensorSignature[] };
}

/** Import, fold, and batch specialization. */
export async function optimizeModel(
  bytes: Uint8Array,
  options: { path?: string | undefined; externalFiles?: ReadonlyMap<string, Uint8Array> | undefined } = {},
): Promise<OptimizedModel> {
  await initHashing();
  let weightBytes = bytes.length;
  for (const f of options.externalFiles?.values() ?? []) weightBytes += f.length;
  reservePackedFor(weightBytes);
  const ir = await importModel(bytes, { path: options.path, ...(options.externalFiles ? { externalFiles: options.externalFiles } : {}) });
  runPipeline(ir, 'fold', { verifyInferred: false });
  const signature = { inputs: signatureOf(ir, 'inputs'), outputs: signatureOf(ir, 'outputs') };
  const batch = specializeBatch(ir);
  if (batch.symbol) runPipeline(ir, 'fold', { verifyInferred: false });
  // CPU strategies: constant matmul/conv weights stored pre-packed in panels, read back through index remaps.
  packWeights(ir);
  return { ir, batch, signature };
}

/** Splits one graph (the main graph or a control-flow region) into host steps and dispatches. */
export function partitionForTarget(ir: IRModule, graph: Graph, batched: ReadonlySet<number>): Step[] {
  return partitionGraph(ir, graph, { batched, canDispatch: canLowerNode });
}

/** Host steps the target's host program can run (control flow); anything else is refused. */
export function checkHostStep(node: Node, target: Target): void {
  if (node.op !== 'if' && node.op !== 'loop') {
    throw new IreetsError('MODEL_UNSUPPORTED', `op ${node.op} needs the host at run time, which the ${target} target does not support`, node.origin ? describeNode(node) : node.op);
  }
}

/** Executable for one region on one target: the unit the build graph caches by region content. */
export function compileRegion(region: DispatchRegion, target: Target, tuning: RegionTuning = {}): VmExecutable {
  if (target === 'cpu') {
    const kernel = lowerRegion(region, 'main', tuning);
    const { code, entryPoints } = emitWasmExecutable([kernel]);
    // Counts are static, except a z of BATCH_COUNT (recorded as -1): the batch size at run time.
    const wg = kernel.workgroupCount.map((e) => (e.k === 'const' ? Number(e.v) : e === BATCH_COUNT ? -1 : null));
    return {
      hash: hashBytes(code),
      format: CPU_EXECUTABLE_FORMAT,
      code,
      meta: { entryPoints: entryPoints.map((name) => ({ name })), workgroupCount: wg, bindings: kernel.bindings },
    };
  }
  if (target !== 'webgpu' && target !== 'vulkan-spirv') throw new IreetsError('INPUT_INVALID', `unknown target ${String(target)} (known: ${TARGETS.join(', ')})`);
  const kernel = lowerRegionGpu(region, 'main', tuning);
  const { code, meta } = target === 'webgpu' ? emitWgslExecutable([kernel]) : emitSpirvExecutable([kernel]);
  const entry = (meta as unknown as { entryPoints: readonly { workgroupCount: readonly (number | null)[] }[] }).entryPoints[0]!;
  return { hash: hashBytes(code), format: target === 'webgpu' ? WGSL_EXECUTABLE_FORMAT : SPIRV_EXECUTABLE_FORMAT, code, meta: { ...meta, workgroupCount: entry.workgroupCount } as unknown as Record<string, unknown> };
}

/** Executable for dispatch step `index` of `steps` on one target. */
export function compileRegionExecutable(steps: readonly Step[], index: number, target: Target): VmExecutable {
  const step = steps[index]!;
  if (step.kind !== 'dispatch') throw new IreetsError('INTERNAL', `step ${index} is not a dispatch`);
  return compileRegion(step.region, target);
}

/** A dispatch of executable `index` (entry point 0) with the workgroup counts it records. */
export function linkedDispatch(exe: VmExecutable, index: number): LinkedDispatch {
  const wg = exe.meta['workgroupCount'] as number[];
  return { executable: index, entryPoint: 0, workgroups: [wg[0]!, wg[1]!, wg[2]!] };
}

/** Constant bytes by hash, as the linker puts them in rodata. */
export function constantBytesOf(ir: Pick<IRModule, 'constants'>): (hash: string) => Uint8Array {
  return (hash) => {
    const t: Tensor = ir.constants.get(hash)!.load();
    if (t.dtype === 'string') throw new IreetsError('MODEL_UNSUPPORTED', 'string constants cannot live on a device');
    const d = t.data as ArrayBufferView;
    return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  };
}

export async function compileOnnx(
  bytes: Uint8Array,
  options: { path?: string; target?: Target; targets?: readonly Target[] } = {},
): Promise<CompileResult> {
  const targets = [...(options.targets ?? [options.target ?? 'cpu'])];
  const { ir, batch, signature } = await optimizeModel(bytes, { path: options.path });

  const dispatches: CompiledDispatch[] = [];
  const programs: TargetProgram[] = [];
  let firstSteps: Step[] = [];
  let firstSchedule: Schedule | undefined;
  for (const target of targets) {
    const executables: VmExecutable[] = [];
    const byHash = new Map<string, number>();
    // Partitions a graph and compiles its dispatches; control-flow steps compile their regions too.
    const compileGraph = (graph: Graph, batched: ReadonlySet<number>): CompiledGraph => {
      const steps = partitionForTarget(ir, graph, batched);
      const cg: CompiledGraph = { graph, steps, dispatches: new Map(), regions: new Map() };
      steps.forEach((s, i) => {
        if (s.kind === 'host') {
          checkHostStep(s.node, target);
          cg.regions.set(i, s.node.regions.map((r) => compileGraph(r, new Set())));
          return;
        }
        if (s.kind !== 'dispatch') return;
        const exe = compileRegion(s.region, target);
        let index = byHash.get(exe.hash);
        if (index === undefined) {
          index = executables.length;
          executables.push(exe);
          byHash.set(exe.hash, index);
        }
        cg.dispatches.set(i, linkedDispatch(exe, index));
        if (target === targets[0]) dispatches.push({ key: regionKey(s.region), summary: summarizeRegion(s.region), executable: index });
      });
      return cg;
    };
    const main = compileGraph(ir.graph, batch.batched);
    const schedule = scheduleSteps(ir, main.steps, batch.batched);
    if (!firstSchedule) {
      firstSchedule = schedule;
      firstSteps = main.steps;
    }
    programs.push({ target, main, schedule, executables });
  }
  const vm = linkModule({ mod: ir, programs, constantBytes: constantBytesOf(ir), batchSymbol: batch.symbol, signature });
  return { module: writeModule(vm), ir, steps: firstSteps, schedule: firstSchedule!, dispatches };
}
