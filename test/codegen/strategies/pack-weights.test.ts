// Weight packing rewrites constant matmul/conv weights into 8-wide panels read back through
// index remaps: the module computes exactly what it did, the packed constant replaces the
// original one, and only the weights the strategies tile are touched.
import { describe, expect, it } from 'vitest';
import type { IRModule } from '../../../src/ir/graph.js';
import { interpretModule } from '../../../src/ir/interpret/interpreter.js';
import { Tensor } from '../../../src/ir/tensor.js';
import { packWeights, PACK_PANEL } from '../../../src/codegen/strategies/pack-weights.js';
import { initHashing } from '../../../src/util/hash.js';
import { buildModule } from '../../support/lowering-harness.js';
import { randomOperand } from '../../support/random.js';

const random = (shape: readonly number[], seed: number): Tensor => randomOperand('f32', shape, seed, {});
const constantShapes = (mod: IRModule): number[][] => [...mod.constants.values()].map((c) => [...(c.type.shape as number[])]);

describe('weight packing', () => {
  it('packs a matmul B [K, N] into [ceil(N/8), K, 8] and keeps the results bit for bit', async () => {
    await initHashing();
    const built = buildModule([{ tensor: random([5, 7], 1) }, { tensor: random([7, 13], 2), constant: true }], (g, [a, b]) => [g.op1('matmul', [a!, b!])]);
    const before = interpretModule(built.mod, built.inputs);
    expect(packWeights(built.mod)).toBe(1);
    expect(constantShapes(built.mod)).toContainEqual([2, 7, PACK_PANEL]);
    expect(constantShapes(built.mod)).not.toContainEqual([7, 13]);
    expect(built.mod.graph.nodes.map((n) => n.op).filter((op) => op !== 'constant')).toEqual(['transpose', 'reshape', 'slice', 'matmul']);
    const after = interpretModule(built.mod, built.inputs);
    expect(Array.from(after[0]!.data as Float32Array)).toEqual(Array.from(before[0]!.data as Float32Array));
  });

  it('packs a conv W [OC, C, KH, KW] (through a transpose) into [ceil(OC/8), C, KH, KW, 8]', async () => {
    await initHashing();
    const built = buildModule([{ tensor: random([1, 3, 6, 6], 3) }, { tensor: random([3, 16, 3, 2], 4), constant: true }], (g, [x, w]) =>
      [g.op1('conv', [x!, g.op1('transpose', [w!], { perm: [1, 0, 3, 2] })], { pads: [1, 1, 1, 1] })]);
    const before = interpretModule(built.mod, built.inputs);
    expect(packWeights(built.mod)).toBe(1);
    expect(constantShapes(built.mod)).toContainEqual([2, 3, 2, 3, PACK_PANEL]);
    const after = interpretModule(built.mod, built.inputs);
    expect(Array.from(after[0]!.data as Float32Array)).toEqual(Array.from(before[0]!.data as Float32Array));
  });

  it('leaves runtime weights, grouped convs and tiny weights alone', async () => {
    await initHashing();
    const runtime = buildModule([random([4, 5], 5), random([5, 6], 6)], (g, [a, b]) => [g.op1('matmul', [a!, b!])]);
    const grouped = buildModule([{ tensor: random([1, 4, 5, 5], 7) }, { tensor: random([4, 1, 3, 3], 8), constant: true }], (g, [x, w]) => [g.op1('conv', [x!, w!], { group: 4 })]);
    const tiny = buildModule([{ tensor: random([3, 2], 9) }, { tensor: random([2, 4], 10), constant: true }], (g, [a, b]) => [g.op1('matmul', [a!, b!])]);
    for (const m of [runtime, grouped, tiny]) expect(packWeights(m.mod)).toBe(0);
  });
});
