// Test utility: runs a module's main graph on a GPU device region by region, without the VM
// (partition → lowerRegionGpu → WGSL → dispatch), and runs ONNX conformance cases through it.
// The GPU twin of direct-runner.ts / lowering-movement-cases.ts.
import { afterAll, beforeAll } from 'vitest';
import { createWebGpuDevice, type WebGpuDevice } from '../../src/hal/webgpu/webgpu-device.js';
import type { IRModule, Value } from '../../src/ir/graph.js';
import { partitionGraph } from '../../src/ir/partition.js';
import { Tensor } from '../../src/ir/tensor.js';
import { byteSize } from '../../src/ir/dtype.js';
import { staticSize } from '../../src/ir/types.js';
import { lowerRegionGpu } from '../../src/codegen/gpu/lower-region-gpu.js';
import type { GpuTuning } from '../../src/codegen/gpu/gpu-tuning.js';
import { emitWgslExecutable } from '../../src/codegen/wgsl/emit-wgsl.js';
import type { HalBuffer, HalDevice, HalExecutable } from '../../src/hal/types.js';
import { WGSL_EXECUTABLE_FORMAT } from '../../src/util/wgsl-kernel-abi.js';
import { readTensorProtoFile } from '../../src/frontend/tensor-proto.js';
import { initHashing } from '../../src/util/hash.js';
import type { ConformanceCase } from '../conformance/cases.js';
import { compareTensors } from '../conformance/compare.js';
import { irOps, unsupportedReason } from './lowering-movement-cases.js';
import { firstLine, prepareCase } from '../support/conformance-case.js';
import { readOutputs, tensorBytes } from './read-outputs.js';

/** Binding offsets the runner uses: what the host's arena alignment guarantees. */
export const ARENA_ALIGNMENT = 256;

export interface GpuRunStats {
  dispatches: number;
  narrowed: Set<string>;
}

/**
 * Runs `mod` on `dev` (a WGSL device). With `arena`, every tensor lives in one buffer at
 * 256-aligned offsets (as the linker lays them out), so dispatches bind ranges of one buffer.
 */
export async function runDirectGpu(mod: IRModule, inputs: readonly Tensor[], dev: HalDevice, options: { tuning?: Partial<GpuTuning>; arena?: boolean; stats?: GpuRunStats } = {}): Promise<Tensor[]> {
  const g = mod.graph;
  const steps = partitionGraph(mod);
  const sizeOf = (v: Value): number => Math.max(1, staticSize(v.type.shape as number[]) * byteSize(v.type.dtype));
  const constants = new Map<number, string>();
  for (const n of g.nodes) if (n.op === 'constant') constants.set(n.outputs[0]!.id, n.attrs['hash'] as string);

  // Where each value lives: its own buffer, or a range of the arena.
  const place = new Map<number, { buffer: HalBuffer; offset: number }>();
  const aliases = new Map<number, number>();
  for (const s of steps) if (s.kind === 'alias') aliases.set(s.output.id, s.input.id);
  const root = (id: number): number => (aliases.has(id) ? root(aliases.get(id)!) : id);
  const owned: HalBuffer[] = [];
  let arena: HalBuffer | undefined;
  if (options.arena) {
    const ids = new Set<number>();
    const values = new Map<number, Value>();
    for (const v of [...g.inputs, ...g.outputs, ...g.nodes.flatMap((n) => n.outputs)]) values.set(v.id, v);
    for (const v of values.values()) if (!constants.has(root(v.id))) ids.add(root(v.id));
    let total = 0;
    const offsets = new Map<number, number>();
    for (const id of ids) {
      offsets.set(id, total);
      total += Math.ceil(sizeOf(values.get(id)!) / ARENA_ALIGNMENT) * ARENA_ALIGNMENT;
    }
    arena = dev.allocator.allocate(Math.max(total, 4), 'transient');
    owned.push(arena);
    for (const [id, offset] of offsets) place.set(id, { buffer: arena, offset });
  }
  const where = (v: Value): { buffer: HalBuffer; offset: number } => {
    const id = root(v.id);
    let p = place.get(id);
    if (!p) {
      const hash = constants.get(id);
      const buffer = hash ? dev.allocator.importConstant(tensorBytes(mod.constants.get(hash)!.load())) : dev.allocator.allocate(sizeOf(v), 'transient');
      owned.push(buffer);
      p = { buffer, offset: 0 };
      place.set(id, p);
    }
    return p;
  };

  try {
    for (let i = 0; i < g.inputs.length; i++) {
      const p = where(g.inputs[i]!);
      if (inputs[i]!.size > 0) await dev.write(p.buffer, p.offset, tensorBytes(inputs[i]!));
    }
    const cb = dev.createCommandBuffer();
    const executables: HalExecutable[] = [];
    let k = 0;
    for (const step of steps) {
      if (step.kind === 'host') throw new Error(`host step ${step.node.op} is not supported by the direct runner`);
      if (step.kind === 'alias') continue;
      const kernel = lowerRegionGpu(step.region, `dispatch_${k++}`, options.tuning);
      const exe = emitWgslExecutable([kernel]);
      for (const n of exe.meta.narrowed) options.stats?.narrowed.add(n);
      const loaded = await dev.loadExecutable({ format: WGSL_EXECUTABLE_FORMAT, code: exe.code, meta: exe.meta as unknown as Record<string, unknown> });
      executables.push(loaded);
      const bindings = [...step.region.inputs, step.region.output].map((v) => ({ ...where(v), length: sizeOf(v) }));
      const count = exe.meta.entryPoints[0]!.workgroupCount.map((c) => (c === -1 ? 1 : c ?? NaN)) as [number, number, number];
      cb.dispatch(loaded, 0, count, bindings, []);
      cb.barrier();
      if (options.stats) options.stats.dispatches++;
    }
    // One submission for the whole graph: dispatches share compute passes.
    const sem = dev.createSemaphore();
    dev.submit([cb], sem, 1);
    await sem.wait(1);
    return await readOutputs(dev, g.outputs, where);
  } finally {
    for (const b of owned) dev.allocator.release(b);
  }
}

// ---- conformance cases ----

export type GpuOutcome =
  | { kind: 'pass'; ops: string[] }
  | { kind: 'fail' | 'error'; ops: string[]; message: string }
  | { kind: 'skip'; ops: string[]; reason: string };

async function runOnce(c: ConformanceCase, mod: IRModule, frozen: Set<number>, dev: HalDevice, stats?: GpuRunStats): Promise<string | undefined> {
  for (const set of c.dataSets) {
    if (frozen.size > 0 && set !== c.dataSets[0]) break;
    const inputs = set.inputs.filter((_, i) => !frozen.has(i)).map((f) => readTensorProtoFile(f));
    const actual = await runDirectGpu(mod, inputs, dev, { arena: true, stats });
    for (let i = 0; i < set.outputs.length; i++) {
      const act = actual[i]!;
      let exp = readTensorProtoFile(set.outputs[i]!);
      // ONNX 1.12 stores bfloat16 test data as uint16 bits.
      if (act.dtype === 'bf16' && exp.dtype === 'u16') exp = new Tensor('bf16', exp.shape, exp.data);
      const r = compareTensors(act, exp);
      if (!r.ok) return `${set.name}/output_${i}: ${r.reason}`;
    }
  }
  return undefined;
}

/** Runs one conformance case on the GPU; tries frozen shape operands when the plain model cannot compile. */
export async function runCaseGpu(c: ConformanceCase, dev: HalDevice, stats?: GpuRunStats): Promise<GpuOutcome> {
  await initHashing();
  let plain: { mod: IRModule; frozen: Set<number> };
  try {
    plain = prepareCase(c, false);
  } catch (e) {
    return { kind: 'skip', ops: [], reason: `import: ${firstLine(e)}` };
  }
  const attempt = async (p: { mod: IRModule; frozen: Set<number> }): Promise<GpuOutcome> => {
    const ops = irOps(p.mod);
    const reason = unsupportedReason(ops);
    if (reason) return { kind: 'skip', ops, reason };
    if ([...p.mod.graph.inputs, ...p.mod.graph.nodes.flatMap((n) => n.outputs)].some((v) => v.type.dtype === 'string')) return { kind: 'skip', ops, reason: 'string tensors' };
    try {
      const failure = await runOnce(c, p.mod, p.frozen, dev, stats);
      return failure ? { kind: 'fail', ops, message: failure } : { kind: 'pass', ops };
    } catch (e) {
      return { kind: 'error', ops, message: firstLine(e) };
    }
  };
  const first = await attempt(plain);
  if (first.kind === 'pass' || first.kind === 'fail') return first;
  let frozen: { mod: IRModule; frozen: Set<number> };
  try {
    frozen = prepareCase(c, true);
  } catch {
    return first;
  }
  if (frozen.frozen.size === 0) return first;
  const second = await attempt(frozen);
  return second.kind === 'skip' && first.kind !== 'skip' ? first : second;
}

// ---- device set-up for the GPU tests ----

let available: Promise<string | undefined> | undefined;

/**
 * Why no WebGPU device can be made here (no `webgpu` package, no adapter), or undefined when one
 * can. GPU test files skip when there is none, unless IREETS_REQUIRE_GPU=1 makes that a failure.
 */
export function webGpuUnavailable(): Promise<string | undefined> {
  available ??= (async () => {
    try {
      const dev = await createWebGpuDevice();
      await dev.destroy();
      return undefined;
    } catch (e) {
      if (process.env['IREETS_REQUIRE_GPU'] === '1') throw e;
      return firstLine(e);
    }
  })();
  return available;
}

/** A WebGPU device for the tests of the enclosing file or describe block. */
export function useWebGpuDevice(): () => WebGpuDevice {
  let dev: WebGpuDevice | undefined;
  beforeAll(async () => {
    await initHashing();
    if (!(await webGpuUnavailable())) dev = await createWebGpuDevice();
  });
  afterAll(async () => {
    await dev?.destroy();
  });
  return () => {
    if (!dev) throw new Error('the WebGPU device exists only while the tests run');
    return dev;
  };
}
