// GPU tuning knobs change how a kernel is generated, never what it computes: for a region of every
// GPU strategy (tiled matmul with edge tiles, tree reductions, one element per invocation), every
// candidate of its tuning space and a set of extreme knob values pass spirv-val and compute on the
// WebGPU device (Dawn; lavapipe here) what the reference interpreter computes.
import { describe, expect, it } from 'vitest';
import { gpuOverrides, lowerRegionGpu } from '../../../src/codegen/gpu/lower-region-gpu.js';
import { gpuTuningSpace } from '../../../src/codegen/gpu/tuning-space.js';
import type { KernelTuning } from '../../../src/codegen/kernel-tuning.js';
import { emitSpirvExecutable, validateSpirv } from '../../../src/codegen/spirv/index.js';
import { emitWgslSource } from '../../../src/codegen/wgsl/emit-wgsl.js';
import { interpretModule } from '../../../src/ir/interpret/interpreter.js';
import { initHashing } from '../../../src/util/hash.js';
import { runDirectGpu, useWebGpuDevice, webGpuUnavailable } from '../gpu-direct-runner.js';
import { combinations, offF32, regionsOf, tuningCases } from '../strategies/tuning-cases.js';
import { gpuCases } from './gpu-tuning-cases.js';

await initHashing();
const unavailable = await webGpuUnavailable();
const HAVE_SPIRV_VAL = validateSpirv(new Uint8Array(0)) !== undefined;

/** One case per GPU strategy and shape of work (the CPU cases' matmuls and convs included). */
const cases = [
  ...tuningCases().filter((c) => ['matmul 37×53×29', 'batched matmul', 'Q·Kᵀ', 'conv 3×3 pad 1 over', 'depthwise', 'max pool', 'generic'].some((p) => c.name.startsWith(p))),
  ...gpuCases(),
];
/** Those run on the device: lavapipe compiles tiled matmuls slowly, so two of them (edge tiles, an epilogue). */
const runCases = cases.filter((c) => !c.name.startsWith('batched matmul') && !c.name.startsWith('Q·Kᵀ'));

/** Knob values at the ends of their ranges (resolveGpuTuning clamps them to the limits). */
const EXTREMES: readonly KernelTuning[] = [
  { workgroupSize: 1 }, { workgroupSize: 1024 }, { workgroupTile: 1 }, { workgroupTile: 32, registerTile: 8 },
  { workgroupTile: 4, registerTile: 5 }, { reduceWorkgroupSize: 2 }, { reduceWorkgroupSize: 1024 },
];

/** The space's candidates and the extremes, one tuning per distinct set of kernels. */
function tuningsOf(c: (typeof cases)[number]): KernelTuning[] {
  const regions = regionsOf(c.built);
  const seen = new Set<string>();
  return [...combinations(gpuTuningSpace(regions[0]!)), ...EXTREMES].filter((t) => {
    const key = regions.map((r) => emitWgslSource([lowerRegionGpu(r, 'k', t)]).source).join('\n');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

describe.skipIf(!HAVE_SPIRV_VAL)('tuned GPU kernels in SPIR-V', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s: every candidate passes spirv-val', (_, c) => {
    for (const region of regionsOf(c.built)) {
      for (const t of tuningsOf(c)) {
        const { code } = emitSpirvExecutable([lowerRegionGpu(region, 'k', t)]);
        expect(validateSpirv(code)!.message, JSON.stringify(t)).toBe('');
      }
    }
  });
});

describe.skipIf(!!unavailable)('tuned GPU kernels on the WebGPU device', () => {
  const device = useWebGpuDevice();

  it.each(runCases.map((c) => [c.name, c] as const))('%s: every candidate computes what the reference does', async (_, c) => {
    const strategy = gpuTuningSpace(regionsOf(c.built)[0]!).strategy;
    expect(strategy).toBe(c.strategy.includes('matmul') ? 'tiled-matmul' : c.strategy === 'tree-reduce' ? 'tree-reduce' : 'per-element');
    const want = interpretModule(c.built.mod, c.built.inputs);
    for (const t of tuningsOf(c)) {
      const got = await runDirectGpu(c.built.mod, c.built.inputs, device(), { arena: true, tuning: gpuOverrides(t) });
      want.forEach((w, i) => {
        expect(got[i]!.shape).toEqual(w.shape);
        expect(offF32(got[i]!, w), `${JSON.stringify(t)} output ${i}`).toBeUndefined();
      });
    }
  });
});
