// Packing remembers packed weights by the content of the weight they came from (its constant
// hash, through any index remaps): packing equal weights again gives the same tensor, hash and
// module, and a weight read through different remaps is never mistaken for another.
import { describe, expect, it } from 'vitest';
import { hashTensor } from '../../../src/ir/constant-hash.js';
import type { IRModule } from '../../../src/ir/graph.js';
import { interpretModule } from '../../../src/ir/interpret/interpreter.js';
import { serializeModule } from '../../../src/ir/serialize.js';
import { Tensor } from '../../../src/ir/tensor.js';
import { encodeValue } from '../../../src/cache/encoding.js';
import { packWeights, PACK_PANEL } from '../../../src/codegen/strategies/pack-weights.js';
import { initHashing } from '../../../src/util/hash.js';
import { buildModule } from '../../support/lowering-harness.js';
import { randomOperand } from '../../support/random.js';

const random = (shape: readonly number[], seed: number): Tensor => randomOperand('f32', shape, seed, {});
const packedConstants = (mod: IRModule): Tensor[] =>
  [...mod.constants.values()].filter((c) => (c.type.shape as number[]).at(-1) === PACK_PANEL).map((c) => c.load());

function matmulModule(weightSeed: number) {
  return buildModule([{ tensor: random([3, 20], 1) }, { tensor: random([20, 12], weightSeed), constant: true }], (g, [a, b]) => [g.op1('matmul', [a!, b!])]);
}

function convModule(perm: number[]) {
  return buildModule([{ tensor: random([1, 4, 6, 6], 3) }, { tensor: random([4, 16, 3, 3], 4), constant: true }], (g, [x, w]) =>
    [g.op1('conv', [x!, g.op1('transpose', [w!], { perm })], { pads: [1, 1, 1, 1] })]);
}

describe('packed weights are remembered by content', () => {
  it('packing an equal weight again reuses the packed tensor and gives the same module', async () => {
    await initHashing();
    const first = matmulModule(2);
    const second = matmulModule(2);
    expect(packWeights(first.mod)).toBe(1);
    expect(packWeights(second.mod)).toBe(1);
    const [a] = packedConstants(first.mod);
    const [b] = packedConstants(second.mod);
    expect(b).toBe(a); // the remembered tensor itself
    expect(mod(second.mod)).toEqual(mod(first.mod));
    // Its pool entry is keyed by its true content hash.
    for (const [hash, entry] of second.mod.constants) expect(hashTensor(entry.load())).toBe(hash);
  });

  it('a different weight, or the same weight through another remap, is packed afresh and right', async () => {
    await initHashing();
    const packed = (built: ReturnType<typeof matmulModule>): Tensor => {
      const expected = interpretModule(built.mod, built.inputs);
      expect(packWeights(built.mod)).toBe(1);
      expect(interpretModule(built.mod, built.inputs)[0]!.data).toEqual(expected[0]!.data);
      return packedConstants(built.mod)[0]!;
    };
    expect(hashTensor(packed(matmulModule(7)))).not.toBe(hashTensor(packed(matmulModule(2))));
    // One constant, two transposes: two different packed weights.
    expect(hashTensor(packed(convModule([1, 0, 2, 3])))).not.toBe(hashTensor(packed(convModule([1, 0, 3, 2]))));
  });
});

const mod = (m: IRModule): Uint8Array => encodeValue(serializeModule(m));
