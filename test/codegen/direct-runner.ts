// Test utility: runs a module's main graph on a CPU device region by region, without the VM
// (partition → lower → emit wasm → dispatch). Lets lowering rules be checked against the
// reference interpreter before the whole compiler exists.
import type { IRModule, Value } from '../../src/ir/graph.js';
import { partitionGraph } from '../../src/ir/partition.js';
import { Tensor } from '../../src/ir/tensor.js';
import { byteSize } from '../../src/ir/dtype.js';
import { staticSize } from '../../src/ir/types.js';
import { canLowerNode, lowerRegion } from '../../src/codegen/lower-region.js';
import type { KernelTuning } from '../../src/codegen/kernel-tuning.js';
import { emitWasmExecutable } from '../../src/codegen/wasm/emit-kernel.js';
import type { CpuDevice } from '../../src/hal/cpu/cpu-device.js';
import type { HalBuffer } from '../../src/hal/types.js';
import { CPU_EXECUTABLE_FORMAT } from '../../src/util/cpu-kernel-abi.js';
import { readOutputs, tensorBytes } from './read-outputs.js';

/** Runs `mod` with every region lowered under `tuning` (default: none). */
export async function runDirect(mod: IRModule, inputs: readonly Tensor[], dev: CpuDevice, tuning: KernelTuning = {}): Promise<Tensor[]> {
  const g = mod.graph;
  const steps = partitionGraph(mod, mod.graph, { canDispatch: canLowerNode });
  const buffers = new Map<number, HalBuffer>();
  const sizeOf = (v: Value): number => Math.max(1, staticSize(v.type.shape as number[]) * byteSize(v.type.dtype));
  const producers = new Map<number, string>();
  for (const n of g.nodes) if (n.op === 'constant') producers.set(n.outputs[0]!.id, n.attrs['hash'] as string);
  const bufferOf = (v: Value): HalBuffer => {
    let b = buffers.get(v.id);
    if (!b) {
      const hash = producers.get(v.id);
      b = hash ? dev.allocator.importConstant(tensorBytes(mod.constants.get(hash)!.load())) : dev.allocator.allocate(sizeOf(v), 'transient');
      buffers.set(v.id, b);
    }
    return b;
  };
  try {
    for (let i = 0; i < g.inputs.length; i++) {
      if (inputs[i]!.size > 0) await dev.write(bufferOf(g.inputs[i]!), 0, tensorBytes(inputs[i]!));
    }
    let k = 0;
    for (const step of steps) {
      if (step.kind === 'host') throw new Error(`host step ${step.node.op} is not supported by the direct runner`);
      if (step.kind === 'alias') {
        buffers.set(step.output.id, bufferOf(step.input));
        continue;
      }
      const kernel = lowerRegion(step.region, `dispatch_${k++}`, tuning);
      const { code, entryPoints } = emitWasmExecutable([kernel]);
      const exe = await dev.loadExecutable({ format: CPU_EXECUTABLE_FORMAT, code, meta: { entryPoints: entryPoints.map((name) => ({ name })) } });
      const bindings = [...step.region.inputs, step.region.output].map((v) => ({ buffer: bufferOf(v), offset: 0, length: sizeOf(v) }));
      const count = kernel.workgroupCount.map((e) => (e.k === 'const' ? Number(e.v) : NaN)) as [number, number, number];
      const cb = dev.createCommandBuffer();
      cb.dispatch(exe, 0, count, bindings, []);
      const sem = dev.createSemaphore();
      dev.submit([cb], sem, 1);
      await sem.wait(1);
    }
    return await readOutputs(dev, g.outputs, (v) => ({ buffer: bufferOf(v), offset: 0 }));
  } finally {
    for (const b of new Set(buffers.values())) dev.allocator.release(b);
  }
}
