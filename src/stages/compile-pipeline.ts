// The compiler pipeline for one target, as plain functions: import → optimize → partition →
// lower + emit (per region) → schedule → link. The build graph wraps these stages as queries.
import { importModel } from '../frontend/import-model.js';
import type { Graph, IRModule } from '../ir/graph.js';
import { runPipeline } from '../ir/passes.js';
import { partitionGraph, type Step } from '../ir/partition.js';
import { regionKey, summarizeRegion } from '../ir/region-key.js';
import type { Tensor } from '../ir/tensor.js';
import { BATCH_COUNT, canLowerNode, lowerRegion } from '../codegen/lower-region.js';
import { specializeBatch } from '../ir/batch.js';
import { scheduleSteps, type Schedule } from '../codegen/schedule.js';
import { emitWasmExecutable } from '../codegen/wasm/emit-kernel.js';
import { CPU_EXECUTABLE_FORMAT } from '../util/cpu-kernel-abi.js';
import { IreetsError } from '../util/errors.js';
import { hashBytes, initHashing } from '../util/hash.js';
import { writeModule } from '../vm/module-writer.js';
import type { VmExecutable } from '../vm/module.js';
import { linkModule, signatureOf, type CompiledGraph } from './link.js';

export type Target = 'cpu';
export const TARGETS: readonly Target[] = ['cpu'];

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

/** Executable for one region on one target (the unit the build graph caches by region key). */
export function compileRegionExecutable(steps: readonly Step[], index: number, target: Target): VmExecutable {
  const step = steps[index]!;
  if (step.kind !== 'dispatch') throw new IreetsError('INTERNAL', `step ${index} is not a dispatch`);
  if (target !== 'cpu') throw new IreetsError('INPUT_INVALID', `unknown target ${target}`);
  const kernel = lowerRegion(step.region, 'main');
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

export async function compileOnnx(bytes: Uint8Array, options: { path?: string; target?: Target } = {}): Promise<CompileResult> {
  await initHashing();
  const target = options.target ?? 'cpu';
  const ir = await importModel(bytes, { path: options.path });
  runPipeline(ir, 'fold');
  const signature = { inputs: signatureOf(ir, 'inputs'), outputs: signatureOf(ir, 'outputs') };
  const batch = specializeBatch(ir);
  if (batch.symbol) runPipeline(ir, 'fold');

  const executables: VmExecutable[] = [];
  const byHash = new Map<string, number>();
  const dispatches: CompiledDispatch[] = [];
  // Partitions a graph and compiles its dispatches; control-flow steps compile their regions too.
  const compileGraph = (graph: Graph, batched: ReadonlySet<number>): CompiledGraph => {
    const steps = partitionGraph(ir, graph, { batched, canDispatch: canLowerNode });
    const cg: CompiledGraph = { graph, steps, dispatches: new Map(), regions: new Map() };
    steps.forEach((s, i) => {
      if (s.kind === 'host') {
        if (s.node.op !== 'if' && s.node.op !== 'loop') {
          throw new IreetsError('MODEL_UNSUPPORTED', `op ${s.node.op} needs the host at run time, which the ${target} target does not support`, s.node.origin ? `node "${s.node.origin}" (${s.node.op})` : s.node.op);
        }
        cg.regions.set(i, s.node.regions.map((r) => compileGraph(r, new Set())));
        return;
      }
      if (s.kind !== 'dispatch') return;
      const exe = compileRegionExecutable(steps, i, target);
      let index = byHash.get(exe.hash);
      if (index === undefined) {
        index = executables.length;
        executables.push(exe);
        byHash.set(exe.hash, index);
      }
      const wg = exe.meta['workgroupCount'] as number[];
      cg.dispatches.set(i, { executable: index, entryPoint: 0, workgroups: [wg[0]!, wg[1]!, wg[2]!] });
      dispatches.push({ key: regionKey(s.region), summary: summarizeRegion(s.region), executable: index });
    });
    return cg;
  };
  const main = compileGraph(ir.graph, batch.batched);
  const schedule = scheduleSteps(ir, main.steps, batch.batched);
  const constantBytes = (hash: string): Uint8Array => {
    const t: Tensor = ir.constants.get(hash)!.load();
    if (t.dtype === 'string') throw new IreetsError('MODEL_UNSUPPORTED', 'string constants cannot live on a device');
    const d = t.data as ArrayBufferView;
    return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  };
  const vm = linkModule({ mod: ir, target, main, schedule, executables, constantBytes, batchSymbol: batch.symbol, signature });
  return { module: writeModule(vm), ir, steps: main.steps, schedule, dispatches };
}
