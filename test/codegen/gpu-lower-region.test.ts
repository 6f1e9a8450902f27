// The GPU strategy (one invocation per output element) on the WebGPU device: grids folded into
// y past the per-dimension limit, batched regions (one z-slice per sample), tuning, and the
// elementwise rules over edge values of every dtype, against the reference interpreter.
import { describe, expect, it } from 'vitest';
import { lowerRegionGpu, splitWorkgroups } from '../../src/codegen/gpu/lower-region-gpu.js';
import { resolveGpuTuning } from '../../src/codegen/gpu/gpu-tuning.js';
import { emitWgslExecutable } from '../../src/codegen/wgsl/emit-wgsl.js';
import type { GraphBuilder } from '../../src/ir/builder.js';
import { byteSize, isBigInt, isFloat, type DType } from '../../src/ir/dtype.js';
import type { Attrs, Value } from '../../src/ir/graph.js';
import { interpretModule } from '../../src/ir/interpret/interpreter.js';
import { partitionGraph } from '../../src/ir/partition.js';
import { Tensor } from '../../src/ir/tensor.js';
import { WGSL_EXECUTABLE_FORMAT } from '../../src/util/wgsl-kernel-abi.js';
import { buildModule, type BuiltModule } from '../support/lowering-harness.js';
import { compareTensors } from '../conformance/compare.js';
import { runDirectGpu, useWebGpuDevice, webGpuUnavailable } from './gpu-direct-runner.js';

const unavailable = await webGpuUnavailable();

describe('GPU strategy: grid and tuning', () => {
  it('folds workgroup counts past the per-dimension limit into y', () => {
    expect(splitWorkgroups(1000, 65535)).toEqual({ x: 1000, y: 1 });
    expect(splitWorkgroups(70000, 65535)).toEqual({ x: 35000, y: 2 });
    expect(splitWorkgroups(125, 16)).toEqual({ x: 16, y: 8 });
    expect(() => splitWorkgroups(300, 16)).toThrow(/exceed/);
  });

  it('takes the workgroup size from the tuning, within the adapter limit', () => {
    expect(resolveGpuTuning().workgroupSize).toBe(64);
    expect(resolveGpuTuning('webgpu', { workgroupSize: 1024 }).workgroupSize).toBe(256);
    expect(resolveGpuTuning('webgpu', { workgroupSize: 1024, maxInvocationsPerWorkgroup: 1024 }).workgroupSize).toBe(1024);
  });

  it('sizes the grid from the output and marks batched regions with the batch count in z', () => {
    const { mod } = buildModule([Tensor.fromNumbers('f32', [10, 30], new Array(300).fill(1))], (g, [x]) => [g.op1('exp', [x!])]);
    const region = partitionGraph(mod).find((s) => s.kind === 'dispatch')!;
    if (region.kind !== 'dispatch') throw new Error('no dispatch');
    const k = lowerRegionGpu(region.region, 'k', { workgroupSize: 128 });
    expect(k.workgroupSize).toEqual([128, 1, 1]);
    expect(k.workgroupCount).toEqual([{ k: 'const', t: 'i32', v: 3 }, { k: 'const', t: 'i32', v: 1 }, { k: 'const', t: 'i32', v: 1 }]);
    const batched = lowerRegionGpu({ ...region.region, batchedInputs: [true], batchedOutput: true }, 'k');
    expect(batched.workgroupCount[2]).toEqual({ k: 'param', index: -1 });
    expect(emitWgslExecutable([batched]).meta.entryPoints[0]!.workgroupCount).toEqual([5, 1, -1]);
  });
});

/** The module on the GPU and on the reference interpreter must agree within the conformance tolerances. */
async function agreeOnGpu(dev: Parameters<typeof runDirectGpu>[2], built: BuiltModule, options: Parameters<typeof runDirectGpu>[3] = {}, label = ''): Promise<void> {
  const want = interpretModule(built.mod, built.inputs);
  const got = await runDirectGpu(built.mod, built.inputs, dev, { arena: true, ...options });
  want.forEach((w, i) => {
    const r = compareTensors(got[i]!, w);
    expect(r.ok ? 'ok' : `${label} output ${i}: ${r.reason}`).toBe('ok');
  });
}

const FLOAT_EDGES = [NaN, -Infinity, -1e10, -2.5, -1.5, -1, -0.5, -1e-3, -0, 0, 1e-7, 0.3, 0.5, 1, 1.5, 2, 2.5, 3, 100.25, 65504, 3e9, Infinity];
const INT_EDGES: Record<string, readonly number[]> = {
  i8: [-128, -127, -7, -2, -1, 0, 1, 2, 3, 7, 100, 127],
  u8: [0, 1, 2, 3, 7, 100, 127, 128, 200, 255],
  i16: [-32768, -32767, -300, -2, -1, 0, 1, 2, 3, 300, 32767],
  u16: [0, 1, 2, 3, 255, 256, 40000, 65535],
  i32: [-(2 ** 31), -(2 ** 31) + 1, -100000, -7, -1, 0, 1, 2, 3, 7, 65536, 2 ** 31 - 1],
  u32: [0, 1, 2, 3, 7, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1],
};
// Narrowed to 32 bits on the GPU: edges whose results stay in range.
const WIDE_EDGES: Record<string, readonly bigint[]> = { i64: [-1000n, -7n, -2n, -1n, 0n, 1n, 2n, 3n, 7n, 1000n], u64: [0n, 1n, 2n, 3n, 7n, 1000n] };
// f64 computes in f32 on the GPU: values whose results stay in f32 range.
// (No 0.3: fmod by an inexact constant differs between f64 and f32 by the rounding of the divisor.)
const F64_EDGES = [NaN, -Infinity, -2.5, -1, -0.5, -0, 0, 0.25, 0.5, 1, 1.5, 2, 3, 10.25, Infinity];

function edges(dtype: DType): Tensor {
  if (isBigInt(dtype)) return Tensor.fromBigInts(dtype as 'i64' | 'u64', [WIDE_EDGES[dtype]!.length], [...WIDE_EDGES[dtype]!]);
  if (dtype === 'bool') return Tensor.fromNumbers('bool', [2], [0, 1]);
  const vals = dtype === 'f64' ? F64_EDGES : isFloat(dtype) ? FLOAT_EDGES : INT_EDGES[dtype]!;
  return Tensor.fromNumbers(dtype, [vals.length], [...vals]);
}
const column = (t: Tensor): Tensor => new Tensor(t.dtype, [t.size, 1], t.data);
const row = (t: Tensor): Tensor => new Tensor(t.dtype, [1, t.size], t.data);

const FLOATS: DType[] = ['f32', 'f16', 'bf16', 'f64'];
const INTEGERS: DType[] = ['i8', 'u8', 'i16', 'u16', 'i32', 'u32', 'i64', 'u64'];

describe.skipIf(!!unavailable)('GPU strategy on the WebGPU device', () => {
  const device = useWebGpuDevice();

  it('computes every element when the grid folds into y', async () => {
    const x = Tensor.fromNumbers('f32', [7, 143], Array.from({ length: 1001 }, (_, i) => i * 0.01 - 5));
    await agreeOnGpu(device(), buildModule([x], (g, [v]) => [g.op1('tanh', [g.op1('mul', [v!, v!])])]), { tuning: { workgroupSize: 8, maxWorkgroupsPerDimension: 16 } });
  });

  it('runs a batched region one z-slice per sample', async () => {
    const dev = device();
    const { mod } = buildModule([Tensor.fromNumbers('f32', [2, 3], [0, 0, 0, 0, 0, 0])], (g, [x]) => [g.op1('add', [g.op1('exp', [x!]), x!])]);
    const step = partitionGraph(mod, mod.graph, { batched: new Set([mod.graph.inputs[0]!.id, mod.graph.outputs[0]!.id]) }).find((s) => s.kind === 'dispatch')!;
    if (step.kind !== 'dispatch') throw new Error('no dispatch');
    const kernel = lowerRegionGpu(step.region, 'batched');
    const exe = emitWgslExecutable([kernel]);
    const loaded = await dev.loadExecutable({ format: WGSL_EXECUTABLE_FORMAT, code: exe.code, meta: exe.meta as unknown as Record<string, unknown> });
    const batch = 3;
    const samples = Array.from({ length: batch * 6 }, (_, i) => i / 4 - 2);
    const input = dev.allocator.importConstant(new Uint8Array(new Float32Array(samples).buffer));
    const out = dev.allocator.allocate(batch * 6 * 4, 'transient');
    const cb = dev.createCommandBuffer();
    const [x, y] = exe.meta.entryPoints[0]!.workgroupCount as number[];
    cb.dispatch(loaded, 0, [x!, y!, batch], [{ buffer: input, offset: 0, length: batch * 24 }, { buffer: out, offset: 0, length: batch * 24 }], []);
    const sem = dev.createSemaphore();
    dev.submit([cb], sem, 1);
    await sem.wait(1);
    const got = [...new Float32Array((await dev.read(out, 0, batch * 24)).buffer)];
    samples.forEach((v, i) => expect(got[i]).toBeCloseTo(Math.exp(v) + v, 5));
    dev.allocator.release(input);
    dev.allocator.release(out);
  });

  const pairs = (op: string, d: DType, attrs: Attrs = {}): Promise<void> =>
    agreeOnGpu(device(), buildModule([column(edges(d)), row(edges(d))], (g, [a, b]) => [g.op1(op, [a!, b!], attrs)]), {}, `${op} ${d} ${JSON.stringify(attrs)}`);
  const unaryEdges = (op: string, d: DType, attrs: Attrs = {}): Promise<void> =>
    agreeOnGpu(device(), buildModule([edges(d)], (g: GraphBuilder, [x]: Value[]) => [g.op1(op, [x!], attrs)]), {}, `${op} ${d}`);

  it('binary arithmetic over edge values of every numeric dtype', async () => {
    for (const d of [...FLOATS, ...INTEGERS]) {
      // u64 wraps modulo 2^32 in 32 bits: no differences that go below 0.
      for (const op of ['add', 'sub', 'mul', 'div', 'min', 'max']) if (!(op === 'sub' && d === 'u64')) await pairs(op, d);
      await pairs('mod', d, { fmod: 1 });
      if (!isFloat(d)) await pairs('mod', d, { fmod: 0 });
    }
  });

  it('bitwise ops, shifts and comparisons over integer edge values', async () => {
    for (const d of INTEGERS) {
      for (const op of ['bitwise_and', 'bitwise_or', 'bitwise_xor', 'equal', 'less', 'greater_equal']) await pairs(op, d);
      // 64-bit shifts keep results within the 32 bits the GPU holds them in.
      const amounts = isBigInt(d) ? Tensor.fromBigInts(d as 'i64', [5], [0n, 1n, 7n, 20n, 64n]) : Tensor.fromNumbers(d, [6], [0, 1, 3, 7, 31, 32]);
      for (const direction of ['left', 'right']) {
        await agreeOnGpu(device(), buildModule([column(edges(d)), row(amounts)], (g, [a, b]) => [g.op1('bit_shift', [a!, b!], { direction })]), {}, `shift ${direction} ${d}`);
      }
    }
  });

  it('unary math over float edge values', async () => {
    for (const d of FLOATS) {
      for (const op of ['neg', 'abs', 'floor', 'ceil', 'round', 'sqrt', 'exp', 'log', 'tanh', 'sigmoid', 'erf', 'sign', 'is_nan', 'reciprocal']) {
        await unaryEdges(op, d);
      }
    }
    // Trigonometry is reduced by 2π in f32: accurate for moderate arguments only.
    const angles = Tensor.fromNumbers('f32', [12], [NaN, -Infinity, -3000.5, -100.25, -7, -1, -0, 0.5, 3, 42.125, 12345.678, Infinity]);
    for (const op of ['sin', 'cos', 'tan']) await agreeOnGpu(device(), buildModule([angles], (g, [x]) => [g.op1(op, [x!])]), {}, op);
  });

  it('casts between every pair of dtypes', async () => {
    const all: DType[] = [...FLOATS, ...INTEGERS, 'bool'];
    for (const from of all) {
      for (const to of all) {
        // Narrowed: floats beyond the 64-bit integers' 32-bit stand-ins are outside what the GPU holds.
        // u32 values of 2^31 or more are outside an i64 held in 32 bits, negative i64 outside a u64.
        const src = isFloat(from) && isBigInt(to) ? Tensor.fromNumbers(from, [6], [-2.5, -1, 0, 0.5, 7.9, 1000])
          : from === 'u32' && to === 'i64' ? Tensor.fromNumbers('u32', [4], [0, 7, 65536, 2 ** 31 - 1])
          : from === 'i64' && to === 'u64' ? Tensor.fromBigInts('i64', [3], [0n, 7n, 1000n]) : edges(from);
        await agreeOnGpu(device(), buildModule([src], (g, [x]) => [g.op1('cast', [x!], { to })]), {}, `cast ${from} → ${to}`);
      }
    }
  });

  it('keeps every byte of sub-word outputs written by neighbouring invocations', async () => {
    for (const d of ['u8', 'i8', 'u16', 'bool', 'f16'] as DType[]) {
      const n = 777;
      const x = Tensor.fromNumbers('i32', [n], Array.from({ length: n }, (_, i) => (i * 37) % 251 - 100));
      await agreeOnGpu(device(), buildModule([x], (g, [v]) => [g.op1('cast', [g.op1('mul', [v!, v!])], { to: d })]));
      expect(byteSize(d)).toBeLessThan(4);
    }
  });
});

describe.skipIf(!unavailable)('GPU strategy on the device (skipped)', () => {
  it.skip(`no WebGPU device: ${unavailable ?? ''}`, () => {});
});
