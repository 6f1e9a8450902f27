// lowerRegion's own knobs: `vectorize: false` drops every loop's SIMD hint (of any strategy's
// kernel), and `workgroups` sizes the generic kernel's row blocks.
import { describe, expect, it } from 'vitest';
import { genericRowSplit, lowerRegion, lowerRegionWith, withoutVectorHints } from '../../src/codegen/lower-region.js';
import type { Kernel, Stmt } from '../../src/codegen/kernel-ir.js';
import { emitWasmExecutable } from '../../src/codegen/wasm/emit-kernel.js';
import { Tensor } from '../../src/ir/tensor.js';
import { initHashing } from '../../src/util/hash.js';
import { buildModule } from '../support/lowering-harness.js';
import { regionsOf, tuningCases } from './strategies/tuning-cases.js';

await initHashing();

function hints(stmts: readonly Stmt[]): number {
  return stmts.reduce((n, s) => n + (s.k === 'for' ? (s.vectorize ? 1 : 0) + hints(s.body) : s.k === 'if' ? hints(s.then) + hints(s.else ?? []) : 0), 0);
}
const count = (k: Kernel): unknown[] => k.workgroupCount.map((e) => (e.k === 'const' ? e.v : e));

const generic = regionsOf(buildModule([Tensor.fromNumbers('f32', [150, 77], Array.from({ length: 150 * 77 }, (_, i) => i % 13))], (g, [x]) => [g.op1('mul', [x!, x!])]))[0]!;

describe('lowerRegion tuning', () => {
  it('vectorize: false leaves no SIMD hint in the kernel, and scalar wasm', () => {
    const hinted = lowerRegion(generic, 'k');
    expect(hints(hinted.body)).toBeGreaterThan(0);
    const scalar = lowerRegion(generic, 'k', { vectorize: false });
    expect(hints(scalar.body)).toBe(0);
    expect(scalar).toEqual(withoutVectorHints(hinted));
    expect(emitWasmExecutable([scalar]).code).not.toEqual(emitWasmExecutable([hinted]).code);
  });

  it('withoutVectorHints reaches loops inside conditionals', () => {
    const loop: Stmt = { k: 'for', v: 'i', start: { k: 'const', t: 'i32', v: 0 }, end: { k: 'const', t: 'i32', v: 4 }, step: 1, body: [], vectorize: true };
    const k: Kernel = { ...lowerRegion(generic, 'k'), body: [{ k: 'if', cond: { k: 'const', t: 'i32', v: 1 }, then: [loop], else: [{ ...loop, body: [loop] }] }] };
    expect(hints(k.body)).toBe(3);
    expect(hints(withoutVectorHints(k).body)).toBe(0);
  });

  it('a fast strategy kernel has no hints to drop: vectorize: false changes nothing', () => {
    for (const c of tuningCases().filter((x) => x.strategy !== 'generic')) {
      const region = regionsOf(c.built)[0]!;
      expect(lowerRegionWith(region, 'k').strategy, c.name).toBe(c.strategy === 'matmul-dot' ? 'matmul' : c.strategy);
      expect(lowerRegion(region, 'k', { vectorize: false }), c.name).toEqual(lowerRegion(region, 'k'));
    }
  });

  it('workgroups sizes the generic row blocks; the default count keeps the default blocks', () => {
    const def = genericRowSplit(generic);
    expect(def).toEqual({ rows: 150, rowsPerGroup: 53, groups: 3 });
    expect(count(lowerRegion(generic, 'k'))).toEqual([3, 1, 1]);
    expect(lowerRegion(generic, 'k', { workgroups: 3 })).toEqual(lowerRegion(generic, 'k'));
    expect(count(lowerRegion(generic, 'k', { workgroups: 1 }))).toEqual([1, 1, 1]);
    expect(count(lowerRegion(generic, 'k', { workgroups: 6 }))).toEqual([6, 1, 1]);
    // Never more blocks than rows.
    expect(count(lowerRegion(generic, 'k', { workgroups: 1024 }))).toEqual([150, 1, 1]);
  });

  it('ignores the GPU knobs', () => {
    expect(lowerRegion(generic, 'k', { workgroupSize: 256, workgroupTile: 8, registerTile: 2, reduceWorkgroupSize: 32 })).toEqual(lowerRegion(generic, 'k'));
  });
});
