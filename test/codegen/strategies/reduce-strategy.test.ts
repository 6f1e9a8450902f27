// The trailing-axes reduction strategy against the reference interpreter: sum, mean, max, min
// with and without keepdims, row tails, several trailing axes, fused producers (LayerNorm's
// variance, batch norm + ReLU6 before a global average pool) and epilogues, NaN.
import { describe, expect, it } from 'vitest';
import type { GraphBuilder } from '../../../src/ir/builder.js';
import type { Value } from '../../../src/ir/graph.js';
import { partitionGraph } from '../../../src/ir/partition.js';
import { Tensor } from '../../../src/ir/tensor.js';
import { lowerWithStrategy } from '../../../src/codegen/strategies/index.js';
import { buildModule, expectAgreesWithReference, useCpuDevice, type GraphOperand } from '../../support/lowering-harness.js';
import { randomOperand } from '../../support/random.js';

const device = useCpuDevice();
const random = (shape: readonly number[], seed: number): Tensor => randomOperand('f32', shape, seed, {});
const axes = (g: GraphBuilder, ...a: number[]): Value => g.constant(Tensor.fromBigInts('i64', [a.length], a.map(BigInt)));

async function check(body: (g: GraphBuilder, v: Value[]) => Value[], operands: readonly GraphOperand[]): Promise<Tensor[]> {
  const built = buildModule(operands, body);
  for (const s of partitionGraph(built.mod)) if (s.kind === 'dispatch' && s.region.nodes.some((n) => n.op.startsWith('reduce_'))) expect(lowerWithStrategy(s.region, 'k')).toBeDefined();
  return expectAgreesWithReference(built, device());
}

describe('trailing-axes reduction strategy', () => {
  it.each(['reduce_sum', 'reduce_mean', 'reduce_max', 'reduce_min'])('%s over rows with tails', async (op) => {
    await check((g, [x]) => [g.op1(op, [x!, axes(g, -1)], { keepdims: 1 })], [{ tensor: random([3, 4, 23], 1) }]);
    await check((g, [x]) => [g.op1(op, [x!, axes(g, 2)], { keepdims: 0 })], [{ tensor: random([2, 5, 19], 2) }]);
  });

  it('fuses a producer and an epilogue (LayerNorm variance, reciprocal std)', async () => {
    await check((g, [x, mean]) => {
      const d = g.op1('sub', [x!, mean!]);
      const v = g.op1('reduce_mean', [g.op1('mul', [d, d]), axes(g, -1)], { keepdims: 1 });
      return [g.op1('sqrt', [g.op1('add', [v, g.constant(Tensor.fromNumbers('f32', [], [1e-5]))])])];
    }, [{ tensor: random([1, 7, 30], 3) }, { tensor: random([1, 7, 1], 4) }]);
  });

  it('reduces the trailing axes (a global average pool after batch norm and ReLU6)', async () => {
    await check((g, [x, scale]) => {
      const y = g.op1('min', [g.op1('max', [g.op1('mul', [x!, scale!]), g.constant(Tensor.fromNumbers('f32', [], [0]))]), g.constant(Tensor.fromNumbers('f32', [], [6]))]);
      return [g.op1('reduce_mean', [y, axes(g, 2, 3)], { keepdims: 1 })];
    }, [{ tensor: random([2, 9, 7, 7], 6) }, { tensor: random([9, 1, 1], 7), constant: true }]);
    await check((g, [x]) => [g.op1('reduce_max', [x!, axes(g, -1, -2)], { keepdims: 0 })], [{ tensor: random([3, 5, 6], 8) }]);
  });

  it('lets a NaN through max', async () => {
    const x = random([2, 21], 5);
    (x.data as Float32Array)[6] = NaN;
    const got = await check((g, [v]) => [g.op1('reduce_max', [v!, axes(g, 1)], { keepdims: 0 })], [{ tensor: x }]);
    expect(Number.isNaN((got[0]!.data as Float32Array)[0])).toBe(true);
  });
});
