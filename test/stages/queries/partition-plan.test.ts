// planPartition: equal regions share one entry, however many dispatches use them; regions
// that only the canonical text confuses (-0 and 0, NaN and null in attributes) stay apart.
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeValue } from '../../../src/cache/encoding.js';
import { ModuleBuilder } from '../../../src/ir/builder.js';
import type { Attrs, IRModule } from '../../../src/ir/graph.js';
import type { DispatchRegion } from '../../../src/ir/partition.js';
import { canonicalRegionText, regionKey, sameRegion } from '../../../src/ir/region-key.js';
import { serializeRegion } from '../../../src/ir/serialize.js';
import { Tensor } from '../../../src/ir/tensor.js';
import { materializePlan, planPartition } from '../../../src/stages/queries/partition.js';
import { initHashing } from '../../../src/util/hash.js';

beforeAll(() => initHashing());

/** x → exp(x) with each of `attrs` in turn, every result a graph output (one dispatch each). */
function expsOf(attrs: Attrs[]): IRModule {
  const mb = new ModuleBuilder();
  const g = mb.graph();
  const x = g.input('x', { dtype: 'f32', shape: [4] });
  const outs = attrs.map((a) => g.op1('exp', [x], a));
  return mb.finish(g.finish(outs), ['x'], outs.map((_, i) => `y${i}`), {});
}

function dispatchRegions(ir: IRModule): DispatchRegion[] {
  const plan = planPartition(ir, new Set());
  const planned = materializePlan(ir, plan);
  return planned.steps.flatMap((s) => (s.kind === 'dispatch' ? [s.region] : []));
}

describe('planPartition', () => {
  it('plans equal regions once', () => {
    const ir = expsOf([{ k: 1 }, { k: 1 }, { k: 2 }, { k: 1 }]);
    const plan = planPartition(ir, new Set());
    expect(plan.dispatches).toBe(4);
    expect(plan.regions).toHaveLength(2);
    const uses = plan.main.steps.map((s) => (s.kind === 'dispatch' ? s.region : -1));
    expect(uses).toEqual([0, 0, 1, 0]);
  });

  it('keeps apart regions whose canonical text is equal but whose bodies are not', () => {
    const ir = expsOf([{ k: 0 }, { k: -0 }, { k: NaN }, { k: null }, { k: [0, NaN] }, { k: [-0, null] }, { k: 0 }]);
    const regions = dispatchRegions(ir);
    expect(canonicalRegionText(regions[0]!)).toBe(canonicalRegionText(regions[1]!));
    expect(canonicalRegionText(regions[2]!)).toBe(canonicalRegionText(regions[3]!));
    expect(canonicalRegionText(regions[4]!)).toBe(canonicalRegionText(regions[5]!));
    const plan = planPartition(ir, new Set());
    expect(plan.regions).toHaveLength(6);
    expect(plan.main.steps.map((s) => (s.kind === 'dispatch' ? s.region : -1))).toEqual([0, 1, 2, 3, 4, 5, 0]);
    // Same key (the text's hash), different bodies, as serializing them would tell.
    expect(plan.regions[1]!.key).toBe(plan.regions[0]!.key);
    expect(encodeValue(plan.regions[1]!.body)).not.toEqual(encodeValue(plan.regions[0]!.body));
  });

  it('gives each region the key and body that regionKey and serializeRegion give', () => {
    const ir = expsOf([{ k: 1 }, { k: 'a' }]);
    const plan = planPartition(ir, new Set());
    dispatchRegions(ir).forEach((r, i) => {
      expect(plan.regions[i]!.key).toBe(regionKey(r));
      expect(encodeValue(plan.regions[i]!.body)).toEqual(encodeValue(serializeRegion(r)));
    });
  });
});

describe('sameRegion', () => {
  it('compares tensor attributes and inlined constants by their bytes', () => {
    const withValue = (v: number) => expsOf([{ t: Tensor.fromNumbers('f32', [1], [v]) }]);
    const [a] = dispatchRegions(withValue(1));
    const [b] = dispatchRegions(withValue(1));
    const [c] = dispatchRegions(withValue(2));
    expect(sameRegion(a!, b!)).toBe(true);
    expect(sameRegion(a!, c!)).toBe(false);
    const inlined = (v: number) => {
      const mb = new ModuleBuilder();
      const g = mb.graph();
      const x = g.input('x', { dtype: 'f32', shape: [4] });
      const y = g.op1('mul', [x, g.constant(Tensor.fromNumbers('f32', [1], [v]))]);
      return dispatchRegions(mb.finish(g.finish([y]), ['x'], ['y'], {}))[0]!;
    };
    expect(sameRegion(inlined(2), inlined(2))).toBe(true);
    expect(sameRegion(inlined(2), inlined(3))).toBe(false);
  });

  it('compares how values are wired, not only which ops run', () => {
    const wired = (twice: boolean) => {
      const mb = new ModuleBuilder();
      const g = mb.graph();
      const x = g.input('x', { dtype: 'f32', shape: [4] });
      const e = g.op1('exp', [x]);
      const y = g.op1('mul', [e, twice ? e : x]);
      return dispatchRegions(mb.finish(g.finish([y]), ['x'], ['y'], {}))[0]!;
    };
    expect(sameRegion(wired(true), wired(true))).toBe(true);
    expect(sameRegion(wired(true), wired(false))).toBe(false);
    expect(canonicalRegionText(wired(true))).not.toBe(canonicalRegionText(wired(false)));
  });
});
