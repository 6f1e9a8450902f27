// The GPU tuning space of a region (the strategy lowerRegionGpu picks, its knobs within the
// adapter's limits and the region's size), and how lowerRegionGpu maps the knobs onto GpuTuning.
import { describe, expect, it } from 'vitest';
import { gpuOverrides, lowerRegionGpu, regionGpuTuning } from '../../../src/codegen/gpu/lower-region-gpu.js';
import { gpuTuningSpace } from '../../../src/codegen/gpu/tuning-space.js';
import type { TuningSpace } from '../../../src/codegen/kernel-tuning.js';
import { knobValueError } from '../../../src/codegen/kernel-tuning.js';
import { Tensor } from '../../../src/ir/tensor.js';
import { initHashing } from '../../../src/util/hash.js';
import { buildModule } from '../../support/lowering-harness.js';
import { randomOperand } from '../../support/random.js';
import { regionsOf, tuningCases } from '../strategies/tuning-cases.js';
import { gpuCases } from './gpu-tuning-cases.js';

await initHashing();
const cases = [...tuningCases(), ...gpuCases()];
const regionOf = (prefix: string) => regionsOf(cases.find((c) => c.name.startsWith(prefix))!.built)[0]!;
const knobs = (s: TuningSpace): Record<string, unknown[]> => Object.fromEntries(s.knobs.map((k) => [k.name, [...k.values]]));
const matmul = (m: number, k: number, n: number) => regionsOf(buildModule([randomOperand('f32', [m, k], 1, {}), randomOperand('f32', [k, n], 2, {})], (g, [a, b]) => [g.op1('matmul', [a!, b!])]))[0]!;

describe('gpuTuningSpace', () => {
  it('tiled matmul: workgroup tile and register tile, pruned by the matmul size', () => {
    expect(gpuTuningSpace(regionOf('matmul 37×53×29'))).toEqual({ strategy: 'tiled-matmul', knobs: [{ name: 'workgroupTile', values: [16, 8] }, { name: 'registerTile', values: [1, 2, 4] }] });
    // Big enough for a 128-wide output tile.
    expect(knobs(gpuTuningSpace(matmul(130, 20, 200)))).toEqual({ workgroupTile: [16, 8], registerTile: [1, 2, 8, 4] });
    // A 3×4 output fits in any tile: nothing to try.
    expect(gpuTuningSpace(matmul(3, 5, 4))).toEqual({ strategy: 'tiled-matmul', knobs: [] });
  });

  it('tiled matmul: within the adapter limits', () => {
    // 64 invocations: the default tile is already 8 (8² invocations), 16 is out.
    expect(knobs(gpuTuningSpace(matmul(130, 20, 200), { maxInvocationsPerWorkgroup: 64 }))).toEqual({ registerTile: [1, 2, 8, 4] });
    // 8 KiB of workgroup storage: two 16 × 16·r slabs hold r ≤ 4; with the 8-wide tile in the product, still r ≤ 4.
    expect(knobs(gpuTuningSpace(matmul(130, 20, 200), { maxWorkgroupStorageBytes: 8192 }))).toEqual({ workgroupTile: [16, 8], registerTile: [1, 2, 4] });
  });

  it('tree reduction: the workgroup size, no larger than the row', () => {
    expect(gpuTuningSpace(regionOf('reduce_sum over rows of 300'))).toEqual({ strategy: 'tree-reduce', knobs: [{ name: 'reduceWorkgroupSize', values: [64, 128, 32, 256] }] });
    expect(knobs(gpuTuningSpace(regionOf('reduce_max over rows of 100')))).toEqual({ reduceWorkgroupSize: [64, 32] });
    expect(knobs(gpuTuningSpace(regionOf('reduce_sum over rows of 300'), { maxInvocationsPerWorkgroup: 128 }))).toEqual({ reduceWorkgroupSize: [64, 128, 32] });
  });

  it('one element per invocation (conv, depthwise, pool, elementwise): the workgroup size', () => {
    for (const prefix of ['conv 3×3 pad 1 over', 'depthwise', 'max pool', 'elementwise', 'generic']) {
      expect(gpuTuningSpace(regionOf(prefix)), prefix).toEqual({ strategy: 'per-element', knobs: [{ name: 'workgroupSize', values: [64, 128, 32, 256] }] });
    }
    // 50 elements: a workgroup of 128 or 256 would be mostly idle.
    const small = regionsOf(buildModule([Tensor.fromNumbers('f32', [50], Array.from({ length: 50 }, (_, i) => i))], (g, [x]) => [g.op1('neg', [x!])]))[0]!;
    expect(knobs(gpuTuningSpace(small))).toEqual({ workgroupSize: [64, 32] });
    expect(knobs(gpuTuningSpace(small, { maxInvocationsPerWorkgroup: 32 }))).toEqual({});
  });

  it('proposes only valid knob values', () => {
    for (const c of cases) {
      for (const k of gpuTuningSpace(regionsOf(c.built)[0]!).knobs) {
        for (const v of k.values) expect(knobValueError(k.name, v), `${c.name} ${k.name}`).toBeUndefined();
      }
    }
  });
});

describe('lowerRegionGpu tuning', () => {
  it('maps the knobs onto GpuTuning and ignores the CPU ones', () => {
    expect(gpuOverrides({})).toEqual({});
    expect(gpuOverrides({ vectorize: false, tileRows: 3, unroll: 2, workgroups: 5 })).toEqual({});
    expect(gpuOverrides({ workgroupSize: 128, workgroupTile: 8, registerTile: 2, reduceWorkgroupSize: 32 })).toEqual({ workgroupSize: 128, matmulTile: 8, matmulRegisterTile: 2, reduceWorkgroupSize: 32 });
    // GpuTuning's own fields (tests, adapter limits) win over the knobs they overlap.
    expect(gpuOverrides({ workgroupTile: 8, matmulTile: 4, tiledMatmul: false })).toEqual({ matmulTile: 4, tiledMatmul: false });
  });

  it('gives the same kernel for a knob and its GpuTuning field, and the default for the default values', () => {
    const r = regionOf('matmul 37×53×29');
    expect(lowerRegionGpu(r, 'k', { workgroupTile: 8, registerTile: 2 })).toEqual(lowerRegionGpu(r, 'k', { matmulTile: 8, matmulRegisterTile: 2 }));
    expect(lowerRegionGpu(r, 'k', { workgroupTile: 8 }).workgroupSize).toEqual([8, 8, 1]);
    for (const c of cases) {
      const region = regionsOf(c.built)[0]!;
      const defaults = Object.fromEntries(gpuTuningSpace(region).knobs.map((k) => [k.name, k.values[0]]));
      expect(lowerRegionGpu(region, 'k', defaults), c.name).toEqual(lowerRegionGpu(region, 'k'));
      // The register tile's default depends on the matmul's size (regionGpuTuning).
      const registerTile = regionGpuTuning(region).matmulRegisterTile;
      expect(lowerRegionGpu(region, 'k', { workgroupSize: 64, workgroupTile: 16, registerTile, reduceWorkgroupSize: 64, tileRows: 2 }), c.name).toEqual(lowerRegionGpu(region, 'k'));
    }
  });
});
