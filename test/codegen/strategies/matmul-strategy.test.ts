// The register-tiled matmul strategy against the reference interpreter: odd sizes (row and
// column tails), K chunks, batch and broadcast batch, operands through transposes, epilogues.
import { describe, expect, it } from 'vitest';
import type { GraphBuilder } from '../../../src/ir/builder.js';
import type { Value } from '../../../src/ir/graph.js';
import { partitionGraph } from '../../../src/ir/partition.js';
import { Tensor } from '../../../src/ir/tensor.js';
import { lowerWithStrategy } from '../../../src/codegen/strategies/index.js';
import { buildModule, expectAgreesWithReference, useCpuDevice, type BuiltModule, type GraphOperand } from '../../support/lowering-harness.js';
import { randomOperand } from '../../support/random.js';

const device = useCpuDevice();
const random = (shape: readonly number[], seed: number): Tensor => randomOperand('f32', shape, seed, {});

/** Every dispatch of the module is lowered by a fast strategy. */
function expectFast(built: BuiltModule): void {
  const dispatches = partitionGraph(built.mod).filter((s) => s.kind === 'dispatch');
  expect(dispatches.length).toBeGreaterThan(0);
  for (const s of dispatches) if (s.kind === 'dispatch') expect(lowerWithStrategy(s.region, 'k')).toBeDefined();
}

async function check(body: (g: GraphBuilder, v: Value[]) => Value[], operands: readonly GraphOperand[]): Promise<void> {
  const built = buildModule(operands, body);
  expectFast(built);
  await expectAgreesWithReference(built, device());
}

describe('matmul strategy', () => {
  it.each([[1, 1, 1], [3, 5, 7], [4, 8, 16], [9, 17, 13], [13, 24, 40], [33, 7, 65]])('multiplies %i×%i by %i-wide', async (m, k, n) => {
    await check((g, [a, b]) => [g.op1('matmul', [a!, b!])], [{ tensor: random([m, k], m) }, { tensor: random([k, n], n) }]);
  });
  it('runs batches with broadcasting', async () => {
    await check((g, [a, b]) => [g.op1('matmul', [a!, b!])], [{ tensor: random([2, 3, 5, 6], 1) }, { tensor: random([3, 6, 9], 2) }]);
  });
  it.each([[5, 12, 7], [3, 13, 9], [1, 3, 2], [8, 32, 16]])('forms dot products when B is read across its rows (%i×%i by %i-wide)', async (m, k, n) => {
    // B = Xᵀ: contiguous along K, strided along N, as attention's Q·Kᵀ.
    await check((g, [a, x]) => [g.op1('matmul', [a!, g.op1('transpose', [x!], { perm: [0, 2, 1] })])], [{ tensor: random([2, m, k], m) }, { tensor: random([2, n, k], n) }]);
  });
  it('reads operands through transposes and fuses bias and activation', async () => {
    await check((g, [a, w, bias]) => {
      const y = g.op1('matmul', [g.op1('transpose', [a!], { perm: [1, 0] }), g.op1('transpose', [w!], { perm: [1, 0] })]);
      return [g.op1('max', [g.op1('add', [y, bias!]), g.constant(Tensor.fromNumbers('f32', [], [0]))])];
    }, [{ tensor: random([11, 6], 3) }, { tensor: random([10, 11], 4), constant: true }, { tensor: random([10], 5), constant: true }]);
  });
});
