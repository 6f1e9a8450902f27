// Tuning knobs change how a kernel is generated, never what it computes: for a region of every
// CPU strategy (odd sizes, tails in every tiling), every candidate of its tuning space and a set
// of extreme knob values compute what the default kernel and the reference interpreter compute;
// and the default values, spelled out, give the very same kernel as no tuning at all.
import { describe, expect, it } from 'vitest';
import type { KernelTuning } from '../../../src/codegen/kernel-tuning.js';
import { genericRowSplit, lowerRegion } from '../../../src/codegen/lower-region.js';
import { CONV_PIXELS } from '../../../src/codegen/strategies/conv.js';
import { DOT_ROWS } from '../../../src/codegen/strategies/matmul-dot.js';
import { MATMUL_ROWS, MATMUL_UNROLL } from '../../../src/codegen/strategies/matmul.js';
import { cpuTuningSpace } from '../../../src/codegen/strategies/tuning-space.js';
import { TARGET_WORKGROUPS } from '../../../src/codegen/strategies/work-split.js';
import { emitWasmExecutable } from '../../../src/codegen/wasm/emit-kernel.js';
import { interpretModule } from '../../../src/ir/interpret/interpreter.js';
import type { DispatchRegion } from '../../../src/ir/partition.js';
import { initHashing } from '../../../src/util/hash.js';
import { useCpuDevice } from '../../support/lowering-harness.js';
import { combinations, offF32, regionsOf, tuningCases } from './tuning-cases.js';
import { runDirect } from '../direct-runner.js';

await initHashing();
const device = useCpuDevice();
const cases = tuningCases();

/** Knob values at the ends of their ranges and odd ones the space never proposes. */
const EXTREMES: readonly KernelTuning[] = [
  { tileRows: 1 }, { tileRows: 7 }, { tileRows: 8 }, { unroll: 3 }, { unroll: 4, tileRows: 8 },
  { workgroups: 1 }, { workgroups: 1024 }, { vectorize: false },
  { workgroups: 7, tileRows: 5, unroll: 2, vectorize: false },
];

/** The default values each strategy reads, spelled out. */
function explicitDefaults(strategy: string, region: DispatchRegion): KernelTuning {
  switch (strategy) {
    case 'matmul': return { tileRows: MATMUL_ROWS, unroll: MATMUL_UNROLL, workgroups: TARGET_WORKGROUPS, vectorize: true };
    case 'matmul-dot': return { tileRows: DOT_ROWS, workgroups: TARGET_WORKGROUPS };
    case 'conv': return { tileRows: CONV_PIXELS, workgroups: TARGET_WORKGROUPS };
    case 'generic': return { workgroups: genericRowSplit(region).groups, vectorize: true };
    default: return { workgroups: TARGET_WORKGROUPS, vectorize: true };
  }
}

function wasmOf(region: DispatchRegion, tuning: KernelTuning): Uint8Array {
  return emitWasmExecutable([lowerRegion(region, 'k', tuning)]).code;
}

describe('tuned CPU kernels', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s: the default values spelled out give the default kernel', (_, c) => {
    const region = regionsOf(c.built)[0]!;
    const space = cpuTuningSpace(region);
    expect(space.strategy).toBe(c.strategy);
    const base = lowerRegion(region, 'k');
    const fromSpace = Object.fromEntries(space.knobs.map((k) => [k.name, k.values[0]!])) as KernelTuning;
    for (const t of [fromSpace, explicitDefaults(c.strategy, region)]) {
      expect(lowerRegion(region, 'k', t)).toEqual(base);
      expect(wasmOf(region, t)).toEqual(wasmOf(region, {}));
    }
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s: every candidate and extreme value computes the same', async (_, c) => {
    const region = regionsOf(c.built)[0]!;
    const space = cpuTuningSpace(region);
    const want = interpretModule(c.built.mod, c.built.inputs);
    const base = await runDirect(c.built.mod, c.built.inputs, device(), {});
    const tunings = [...combinations(space), ...EXTREMES];
    expect(tunings.length).toBeGreaterThan(EXTREMES.length);
    for (const t of tunings) {
      const got = await runDirect(c.built.mod, c.built.inputs, device(), t);
      const label = JSON.stringify(t);
      want.forEach((w, i) => {
        expect(got[i]!.shape).toEqual(w.shape);
        expect(offF32(got[i]!, w), `${label} against the reference`).toBeUndefined();
        // Against the default kernel: the same sums, up to the order tiles add them in.
        expect(offF32(got[i]!, base[i]!, 1e-5, 1e-6), `${label} against the default kernel`).toBeUndefined();
      });
    }
  });
});
