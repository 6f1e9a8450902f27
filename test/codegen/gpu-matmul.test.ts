// Workgroup memory and barriers in the kernel IR (WGSL, SPIR-V, and the CPU emitter's refusal),
// and the tiled GPU matmul strategy against the reference interpreter on the WebGPU device: odd
// sizes (edge tiles), batched and broadcast batches, fused transposes and epilogues.
import { describe, expect, it } from 'vitest';
import { lowerRegionGpu } from '../../src/codegen/gpu/lower-region-gpu.js';
import { resolveGpuTuning } from '../../src/codegen/gpu/gpu-tuning.js';
import { barrier, sharedLoad, sharedStore, type Kernel } from '../../src/codegen/kernel-ir.js';
import { emitSpirvExecutable, validateSpirv, disassembleSpirv } from '../../src/codegen/spirv/index.js';
import { emitWasmExecutable } from '../../src/codegen/wasm/emit-kernel.js';
import { emitWgslSource } from '../../src/codegen/wgsl/emit-wgsl.js';
import type { GraphBuilder } from '../../src/ir/builder.js';
import type { Value } from '../../src/ir/graph.js';
import { interpretModule } from '../../src/ir/interpret/interpreter.js';
import { partitionGraph, type DispatchRegion } from '../../src/ir/partition.js';
import { Tensor } from '../../src/ir/tensor.js';
import { compareTensors } from '../conformance/compare.js';
import { buildModule, type BuiltModule } from '../support/lowering-harness.js';
import { initHashing } from '../../src/util/hash.js';
import { runDirectGpu, useWebGpuDevice, webGpuUnavailable } from './gpu-direct-runner.js';

await initHashing();
const unavailable = await webGpuUnavailable();
const HAVE_SPIRV_VAL = validateSpirv(new Uint8Array(0)) !== undefined;

const i32 = (v: number) => ({ k: 'const', t: 'i32', v }) as const;
const lid = { k: 'lid', dim: 0 } as const;

/** Reverses 64 floats within a workgroup through workgroup memory. */
const reverseKernel: Kernel = {
  name: 'reverse',
  bindings: [{ name: 'x', dtype: 'f32', access: 'read' }, { name: 'y', dtype: 'f32', access: 'write' }],
  numParams: 0,
  workgroupCount: [i32(1), i32(1), i32(1)],
  workgroupSize: [64, 1, 1],
  shared: [{ name: 'buf', size: 64 }],
  body: [
    sharedStore('buf', lid, { k: 'load', binding: 0, index: lid, t: 'f32' }),
    barrier(),
    { k: 'store', binding: 1, index: lid, value: sharedLoad('buf', { k: 'binary', op: 'sub', a: i32(63), b: lid, t: 'i32' }) },
  ],
};

const rand = (n: number, seed: number): number[] => {
  let s = seed;
  return Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1);
};
const tensor = (shape: number[], seed: number): Tensor => Tensor.fromNumbers('f32', shape, rand(shape.reduce((a, b) => a * b, 1), seed));

function regions(built: BuiltModule): DispatchRegion[] {
  return partitionGraph(built.mod).flatMap((s) => (s.kind === 'dispatch' ? [s.region] : []));
}

describe('workgroup memory and barriers', () => {
  it('become var<workgroup> and workgroupBarrier() in WGSL', () => {
    const { source } = emitWgslSource([reverseKernel]);
    expect(source).toMatch(/var<workgroup> \w+: array<f32, 64>;/);
    expect(source).toContain('workgroupBarrier();');
  });

  it.skipIf(!HAVE_SPIRV_VAL)('become a Workgroup variable and OpControlBarrier in valid SPIR-V', () => {
    const { code } = emitSpirvExecutable([reverseKernel]);
    expect(validateSpirv(code)!.message).toBe('');
    const text = disassembleSpirv(code);
    if (text !== undefined) {
      expect(text).toMatch(/OpVariable %\w+ Workgroup/);
      expect(text).toContain('OpControlBarrier');
    }
  });

  it('must name a declared array', () => {
    const undeclared: Kernel = { ...reverseKernel, shared: [] };
    expect(() => emitWgslSource([undeclared])).toThrow(/does not declare/);
    expect(() => emitSpirvExecutable([undeclared])).toThrow(/does not declare/);
  });

  it('are refused by the CPU emitter', () => {
    expect(() => emitWasmExecutable([reverseKernel])).toThrow(/workgroup memory/);
  });
});

describe('tiled GPU matmul: selection and emission', () => {
  const built = buildModule([tensor([37, 53], 1), tensor([53, 29], 2), tensor([29], 3)], (g, [a, b, c]) => [g.op1('max', [g.op1('add', [g.op1('matmul', [a!, b!]), c!]), g.constant(Tensor.fromNumbers('f32', [], [0]), 'zero')])]);

  it('is chosen for matmul regions with an elementwise epilogue', () => {
    const [r] = regions(built);
    const k = lowerRegionGpu(r!, 'mm', { matmulRegisterTile: 4 });
    expect(k.workgroupSize).toEqual([16, 16, 1]);
    expect(k.shared?.map((a) => a.size)).toEqual([1024, 1024]);
    expect(k.workgroupCount.map((e) => (e.k === 'const' ? e.v : null))).toEqual([1, 1, 1]);
    // Untuned, a matmul this small gets register tile 1: more workgroups for the GPU's cores.
    expect(lowerRegionGpu(r!, 'mm').shared?.map((a) => a.size)).toEqual([256, 256]);
    const small = lowerRegionGpu(r!, 'mm', { matmulRegisterTile: 1 });
    expect(small.shared?.map((a) => a.size)).toEqual([256, 256]);
    expect(small.workgroupCount.map((e) => (e.k === 'const' ? e.v : null))).toEqual([2, 3, 1]);
    const generic = lowerRegionGpu(r!, 'mm', { tiledMatmul: false });
    expect(generic.shared).toBeUndefined();
  });

  it('keeps tiles within the adapter limits', () => {
    expect(resolveGpuTuning().matmulRegisterTile).toBe(4);
    expect(resolveGpuTuning('webgpu', { matmulTile: 32 }).matmulTile).toBe(16);
    const big = resolveGpuTuning('webgpu', { matmulTile: 32, matmulRegisterTile: 8, maxInvocationsPerWorkgroup: 1024 });
    expect([big.matmulTile, big.matmulRegisterTile]).toEqual([32, 2]);
    const [r] = regions(built);
    expect(lowerRegionGpu(r!, 'mm', { matmulTile: 8, maxWorkgroupStorageBytes: 256 }).shared).toBeUndefined();
  });

  it.skipIf(!HAVE_SPIRV_VAL)('passes spirv-val', () => {
    const [r] = regions(built);
    const { code } = emitSpirvExecutable([lowerRegionGpu(r!, 'mm')]);
    expect(validateSpirv(code)!.message).toBe('');
  });
});

async function agree(dev: Parameters<typeof runDirectGpu>[2], built: BuiltModule, label: string, tuning: Parameters<typeof runDirectGpu>[3] = {}): Promise<void> {
  const want = interpretModule(built.mod, built.inputs);
  const got = await runDirectGpu(built.mod, built.inputs, dev, { arena: true, ...tuning });
  want.forEach((w, i) => {
    const r = compareTensors(got[i]!, w);
    expect(r.ok ? 'ok' : `${label} output ${i}: ${r.reason}`).toBe('ok');
  });
}

describe.skipIf(!!unavailable)('tiled GPU matmul on the WebGPU device', () => {
  const device = useWebGpuDevice();

  it('reverses through workgroup memory', async () => {
    const dev = device();
    const built = buildModule([tensor([64], 9)], (g: GraphBuilder, [x]: Value[]) => [g.op1('neg', [x!])]);
    // Smoke-test the kernel directly through the runner's device.
    const { emitWgslExecutable } = await import('../../src/codegen/wgsl/emit-wgsl.js');
    const { WGSL_EXECUTABLE_FORMAT } = await import('../../src/util/wgsl-kernel-abi.js');
    const exe = emitWgslExecutable([reverseKernel]);
    const loaded = await dev.loadExecutable({ format: WGSL_EXECUTABLE_FORMAT, code: exe.code, meta: exe.meta as unknown as Record<string, unknown> });
    const x = built.inputs[0]!.data as Float32Array;
    const input = dev.allocator.importConstant(new Uint8Array(x.buffer.slice(0)));
    const out = dev.allocator.allocate(256, 'transient');
    const cb = dev.createCommandBuffer();
    cb.dispatch(loaded, 0, [1, 1, 1], [{ buffer: input, offset: 0, length: 256 }, { buffer: out, offset: 0, length: 256 }], []);
    const sem = dev.createSemaphore();
    dev.submit([cb], sem, 1);
    await sem.wait(1);
    const got = new Float32Array((await dev.read(out, 0, 256)).buffer);
    expect([...got]).toEqual([...x].reverse());
    dev.allocator.release(input);
    dev.allocator.release(out);
  });

  it('odd sizes with a bias + relu epilogue', async () => {
    await agree(device(), buildModule([tensor([37, 53], 1), tensor([53, 29], 2), tensor([29], 3)], (g, [a, b, c]) => [g.op1('max', [g.op1('add', [g.op1('matmul', [a!, b!]), c!]), g.constant(Tensor.fromNumbers('f32', [], [0]), 'zero')])]), 'bias relu');
  });

  it('sizes below, at and above one tile, for several register tiles', async () => {
    for (const r of [1, 2, 4]) {
      for (const [m, k, n] of [[1, 1, 1], [3, 5, 2], [16, 16, 16], [17, 33, 15], [64, 7, 40], [70, 20, 65]] as const) {
        await agree(device(), buildModule([tensor([m, k], m), tensor([k, n], n)], (g, [a, b]) => [g.op1('matmul', [a!, b!])]), `${m}x${k}x${n} r=${r}`, { tuning: { matmulRegisterTile: r } });
      }
    }
  });

  it('batched and broadcast batches', async () => {
    await agree(device(), buildModule([tensor([3, 17, 19], 4), tensor([3, 19, 23], 5)], (g, [a, b]) => [g.op1('matmul', [a!, b!])]), 'batched');
    await agree(device(), buildModule([tensor([2, 1, 5, 7], 6), tensor([3, 7, 18], 7)], (g, [a, b]) => [g.op1('matmul', [a!, b!])]), 'broadcast');
  });

  it('fused transposed operand and a constant weight', async () => {
    await agree(device(), buildModule([tensor([21, 13], 8), { tensor: tensor([19, 21], 9), constant: true }], (g, [a, b]) => [
      g.op1('tanh', [g.op1('matmul', [g.op1('transpose', [a!], { perm: [1, 0] }), g.op1('transpose', [b!], { perm: [1, 0] })])]),
    ]), 'transposed');
  });
});
