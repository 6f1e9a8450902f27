// The workgroup-tree reduction strategy (reduce_sum / reduce_max / reduce_mean over the innermost
// axis): when it is chosen, valid SPIR-V, and the numbers against the reference interpreter on
// the WebGPU device (rows shorter and longer than the workgroup, NaN, fused producers, epilogues).
import { describe, expect, it } from 'vitest';
import { lowerRegionGpu } from '../../src/codegen/gpu/lower-region-gpu.js';
import { emitSpirvExecutable, validateSpirv } from '../../src/codegen/spirv/index.js';
import type { GraphBuilder } from '../../src/ir/builder.js';
import type { Value } from '../../src/ir/graph.js';
import { interpretModule } from '../../src/ir/interpret/interpreter.js';
import { partitionGraph, type DispatchRegion } from '../../src/ir/partition.js';
import { Tensor } from '../../src/ir/tensor.js';
import { initHashing } from '../../src/util/hash.js';
import { compareTensors } from '../conformance/compare.js';
import { buildModule, type BuiltModule } from '../support/lowering-harness.js';
import { runDirectGpu, useWebGpuDevice, webGpuUnavailable } from './gpu-direct-runner.js';

await initHashing();
const unavailable = await webGpuUnavailable();
const HAVE_SPIRV_VAL = validateSpirv(new Uint8Array(0)) !== undefined;

const tensor = (shape: number[], seed: number): Tensor => {
  let s = seed;
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor.fromNumbers('f32', shape, Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 4 - 2));
};
const axes = (g: GraphBuilder, list: number[]): Value => g.constant(Tensor.fromBigInts('i64', [list.length], list.map(BigInt)), 'axes');

function reduceModule(op: string, x: Tensor, keepdims = 1, axis = -1): BuiltModule {
  return buildModule([x], (g, [v]) => [g.op1(op, [v!, axes(g, [axis])], { keepdims })]);
}

function firstRegion(built: BuiltModule): DispatchRegion {
  const step = partitionGraph(built.mod).find((s) => s.kind === 'dispatch');
  if (!step || step.kind !== 'dispatch') throw new Error('no dispatch');
  return step.region;
}

describe('tree reduction: selection and emission', () => {
  it('is chosen for long innermost-axis reductions only', () => {
    const k = lowerRegionGpu(firstRegion(reduceModule('reduce_sum', tensor([5, 300], 1))), 'r');
    expect(k.shared).toEqual([{ name: 'partial', size: 64 }]);
    expect(k.workgroupCount[0]).toEqual({ k: 'const', t: 'i32', v: 5 });
    expect(lowerRegionGpu(firstRegion(reduceModule('reduce_sum', tensor([5, 300], 1))), 'r', { treeReduce: false }).shared).toBeUndefined();
    expect(lowerRegionGpu(firstRegion(reduceModule('reduce_sum', tensor([300, 5], 1), 1, 0)), 'r').shared).toBeUndefined();
    expect(lowerRegionGpu(firstRegion(reduceModule('reduce_sum', tensor([5, 10], 1))), 'r').shared).toBeUndefined();
  });

  it.skipIf(!HAVE_SPIRV_VAL)('passes spirv-val', () => {
    for (const op of ['reduce_sum', 'reduce_max', 'reduce_mean']) {
      const { code } = emitSpirvExecutable([lowerRegionGpu(firstRegion(reduceModule(op, tensor([3, 100], 2))), 'r')]);
      expect(validateSpirv(code)!.message).toBe('');
    }
  });
});

describe.skipIf(!!unavailable)('tree reduction on the WebGPU device', () => {
  const device = useWebGpuDevice();
  async function agree(built: BuiltModule, label: string, tuning = {}): Promise<void> {
    const want = interpretModule(built.mod, built.inputs);
    const got = await runDirectGpu(built.mod, built.inputs, device(), { arena: true, tuning });
    want.forEach((w, i) => {
      const r = compareTensors(got[i]!, w);
      expect(r.ok ? 'ok' : `${label} output ${i}: ${r.reason}`).toBe('ok');
    });
  }

  it('sum, max and mean over rows of several lengths, with and without keepdims', async () => {
    for (const op of ['reduce_sum', 'reduce_max', 'reduce_mean']) {
      for (const shape of [[64], [7, 64], [3, 65], [4, 1000], [2, 3, 129]]) {
        for (const keepdims of [0, 1]) await agree(reduceModule(op, tensor(shape, shape.length), keepdims), `${op} ${shape} k${keepdims}`);
      }
    }
  });

  it('other workgroup sizes and a folded grid', async () => {
    await agree(reduceModule('reduce_sum', tensor([37, 200], 3)), 'w=128', { reduceWorkgroupSize: 128 });
    await agree(reduceModule('reduce_max', tensor([37, 200], 4)), 'folded', { reduceWorkgroupSize: 32, maxWorkgroupsPerDimension: 8 });
  });

  it('max keeps NaN and handles -inf rows', async () => {
    const x = tensor([3, 100], 5);
    const d = x.data as Float32Array;
    d[17] = NaN;
    for (let i = 200; i < 300; i++) d[i] = -Infinity;
    await agree(reduceModule('reduce_max', x), 'nan');
  });

  it('fused producers and an epilogue (layer-norm style rsqrt of a mean of squares)', async () => {
    await agree(buildModule([tensor([6, 96], 6)], (g, [x]) => {
      const sq = g.op1('mul', [x!, x!]);
      const mean = g.op1('reduce_mean', [sq, axes(g, [-1])], { keepdims: 1 });
      const eps = g.constant(Tensor.fromNumbers('f32', [], [1e-5]), 'eps');
      return [g.op1('div', [g.constant(Tensor.fromNumbers('f32', [], [1]), 'one'), g.op1('sqrt', [g.op1('add', [mean, eps])])])];
    }), 'rms');
    await agree(buildModule([tensor([5, 80], 7)], (g, [x]) => [g.op1('log', [g.op1('reduce_sum', [g.op1('exp', [x!]), axes(g, [1])], { keepdims: 0 })])]), 'logsumexp');
  });
});
