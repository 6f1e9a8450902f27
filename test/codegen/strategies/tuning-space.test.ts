// The CPU tuning space of a region: the strategy lowerRegion picks, the knobs that strategy
// reads (and no others), the default first, candidates pruned to what changes the kernel here,
// and a product small enough for the tuner to try whole.
import { describe, expect, it } from 'vitest';
import type { KernelTuning, TuningSpace } from '../../../src/codegen/kernel-tuning.js';
import { knobValueError } from '../../../src/codegen/kernel-tuning.js';
import { lowerRegion } from '../../../src/codegen/lower-region.js';
import { MATMUL_ROWS } from '../../../src/codegen/strategies/matmul.js';
import { capSpace, cpuTuningSpace, MAX_COMBINATIONS } from '../../../src/codegen/strategies/tuning-space.js';
import { TARGET_WORKGROUPS } from '../../../src/codegen/strategies/work-split.js';
import { emitWasmExecutable } from '../../../src/codegen/wasm/emit-kernel.js';
import { Tensor } from '../../../src/ir/tensor.js';
import { initHashing } from '../../../src/util/hash.js';
import { buildModule } from '../../support/lowering-harness.js';
import { randomOperand } from '../../support/random.js';
import { regionsOf, tuningCases } from './tuning-cases.js';

await initHashing();
const cases = tuningCases();
const byName = (prefix: string) => regionsOf(cases.find((c) => c.name.startsWith(prefix))!.built)[0]!;
const knobs = (s: TuningSpace): Record<string, unknown[]> => Object.fromEntries(s.knobs.map((k) => [k.name, [...k.values]]));
const size = (s: TuningSpace): number => s.knobs.reduce((p, k) => p * k.values.length, 1);

describe('cpuTuningSpace', () => {
  it('names the strategy of every kind of region, within the size the tuner enumerates', () => {
    for (const c of cases) {
      const space = cpuTuningSpace(regionsOf(c.built)[0]!);
      expect(space.strategy, c.name).toBe(c.strategy);
      expect(size(space), c.name).toBeLessThanOrEqual(MAX_COMBINATIONS);
      for (const k of space.knobs) {
        expect(k.values.length, `${c.name} ${k.name}`).toBeGreaterThan(1);
        expect(new Set(k.values).size, `${c.name} ${k.name}`).toBe(k.values.length);
        for (const v of k.values.slice(1)) expect(knobValueError(k.name, v), `${c.name} ${k.name}=${String(v)}`).toBeUndefined();
      }
    }
  });

  it('matmul: register-tile rows up to M, K unrolling and the split, default first', () => {
    const space = cpuTuningSpace(byName('matmul 37×53×29'));
    expect(space.strategy).toBe('matmul');
    expect(knobs(space)).toEqual({ tileRows: [4, 3, 5, 2, 6, 1], unroll: [1, 2, 4] });
    // Big enough to split: the workgroup target is tuned too, and the space is cut to its cap.
    const big = knobs(cpuTuningSpace(byName('matmul 70×300×45')));
    expect(Object.keys(big)).toEqual(['tileRows', 'unroll', 'workgroups']);
    expect(big['workgroups']![0]).toBe(TARGET_WORKGROUPS);
    expect(big['tileRows']![0]).toBe(MATMUL_ROWS);
  });

  it('matmul: no tile taller than the matrix, no unrolling past K', () => {
    const built = buildModule([{ tensor: randomOperand('f32', [3, 2], 1, {}) }, { tensor: randomOperand('f32', [2, 40], 2, {}) }], (g, [a, b]) => [g.op1('matmul', [a!, b!])]);
    const space = cpuTuningSpace(regionsOf(built)[0]!);
    expect(space.strategy).toBe('matmul');
    // M = 3: a tile of 3 is the default's twin (the default's tail covers the 3 rows).
    expect(knobs(space)).toEqual({ tileRows: [4, 2, 1], unroll: [1, 2] });
  });

  it('dot-product matmul (Q·Kᵀ): tile rows and the split', () => {
    const space = cpuTuningSpace(byName('Q·Kᵀ'));
    expect(space.strategy).toBe('matmul-dot');
    expect(knobs(space)).toEqual({ tileRows: [2, 1, 3] });
  });

  it('conv: output pixels of a tile, and the split when the conv is big enough', () => {
    expect(knobs(cpuTuningSpace(byName('conv 3×3 pad 1 over a row of 11')))).toEqual({ tileRows: [4, 3, 5, 2, 6, 1] });
    const big = cpuTuningSpace(byName('conv 3×3 pad 1, 32 channels'));
    expect(big.strategy).toBe('conv');
    expect(knobs(big)).toEqual({ tileRows: [4, 3, 5, 2, 6, 1], workgroups: [48, 24, 96, 12, 192] });
  });

  it('depthwise, max pool, reduce and elementwise: the split only', () => {
    for (const [prefix, strategy] of [['depthwise', 'depthwise'], ['max pool', 'max-pool'], ['reduce_mean', 'reduce'], ['elementwise', 'elementwise']] as const) {
      const space = cpuTuningSpace(byName(prefix));
      expect(space.strategy).toBe(strategy);
      expect(space.knobs.map((k) => k.name)).toEqual(['workgroups']);
      expect(space.knobs[0]!.values[0]).toBe(TARGET_WORKGROUPS);
    }
  });

  it('generic: the row blocks and the SIMD hints, the default block count first', () => {
    const space = cpuTuningSpace(byName('generic'));
    expect(space.strategy).toBe('generic');
    // 150 rows of 77: 53 rows a block, 3 blocks.
    expect(knobs(space)).toEqual({ workgroups: [3, 1, 6, 12], vectorize: [true, false] });
  });

  it('leaves out knobs whose candidates all give the default kernel', () => {
    // 5 rows of 3: one block, nothing to vectorize 4 wide, nothing to split.
    const built = buildModule([Tensor.fromNumbers('f32', [5, 3], Array.from({ length: 15 }, (_, i) => i))], (g, [x]) => [g.op1('neg', [x!])]);
    const space = cpuTuningSpace(regionsOf(built)[0]!);
    expect(space.strategy).toBe('generic');
    for (const k of space.knobs) {
      const wasm = k.values.map((v) => emitWasmExecutable([lowerRegion(regionsOf(built)[0]!, 'k', { [k.name]: v } as KernelTuning)]).code.join(','));
      expect(new Set(wasm).size, k.name).toBe(k.values.length);
    }
  });

  it('every value of a knob gives a kernel of its own', () => {
    for (const c of cases) {
      const region = regionsOf(c.built)[0]!;
      for (const k of cpuTuningSpace(region).knobs) {
        const kernels = k.values.map((v) => JSON.stringify(lowerRegion(region, 'k', { [k.name]: v } as KernelTuning), (_, x) => (typeof x === 'bigint' ? `${x}n` : x)));
        expect(new Set(kernels).size, `${c.name} ${k.name}`).toBe(k.values.length);
      }
    }
  });
});

describe('capSpace', () => {
  it('drops the last values of the longest knob until the product fits', () => {
    const capped = capSpace([{ name: 'tileRows', values: [4, 3, 5, 2, 6, 1] }, { name: 'unroll', values: [1, 2, 4] }, { name: 'workgroups', values: [48, 24, 96, 12, 192] }], 32);
    expect(capped).toEqual([{ name: 'tileRows', values: [4, 3, 5] }, { name: 'unroll', values: [1, 2, 4] }, { name: 'workgroups', values: [48, 24, 96] }]);
    expect(capSpace([{ name: 'unroll', values: [1, 2] }], 1)).toEqual([]);
  });
});
