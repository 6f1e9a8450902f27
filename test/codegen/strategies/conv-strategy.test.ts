// The implicit-GEMM conv strategy against the reference interpreter: pre-packed weights, odd
// channel counts (panel tails), rows that are not a multiple of the tile, strides, dilations,
// asymmetric padding, batch, bias and fused epilogues (batch norm, clip, residual add).
import { describe, expect, it } from 'vitest';
import type { GraphBuilder } from '../../../src/ir/builder.js';
import type { Attrs, Value } from '../../../src/ir/graph.js';
import { partitionGraph } from '../../../src/ir/partition.js';
import { Tensor } from '../../../src/ir/tensor.js';
import { lowerWithStrategy } from '../../../src/codegen/strategies/index.js';
import { packWeights } from '../../../src/codegen/strategies/pack-weights.js';
import { buildModule, expectAgreesWithReference, useCpuDevice, type GraphOperand } from '../../support/lowering-harness.js';
import { randomOperand } from '../../support/random.js';

const device = useCpuDevice();
const random = (shape: readonly number[], seed: number): Tensor => randomOperand('f32', shape, seed, {});
const scalar = (g: GraphBuilder, x: number): Value => g.constant(Tensor.fromNumbers('f32', [], [x]));

async function check(body: (g: GraphBuilder, v: Value[]) => Value[], operands: readonly GraphOperand[]): Promise<void> {
  const built = buildModule(operands, body);
  expect(packWeights(built.mod)).toBeGreaterThan(0);
  for (const s of partitionGraph(built.mod)) if (s.kind === 'dispatch' && s.region.nodes.some((n) => n.op === 'conv')) expect(lowerWithStrategy(s.region, 'k')).toBeDefined();
  await expectAgreesWithReference(built, device());
}

const conv = (attrs: Attrs) => (g: GraphBuilder, [x, w, b]: Value[]): Value[] => [g.op1('conv', b ? [x!, w!, b] : [x!, w!], attrs)];

describe('conv strategy', () => {
  it.each([
    ['3×3 pad 1', [1, 5, 9, 11], [12, 5, 3, 3], { pads: [1, 1, 1, 1] }],
    ['3×3 stride 2 pad 1', [1, 3, 14, 13], [16, 3, 3, 3], { pads: [1, 1, 1, 1], strides: [2, 2] }],
    ['7×7 stride 2 pad 3', [1, 3, 20, 18], [8, 3, 7, 7], { pads: [3, 3, 3, 3], strides: [2, 2] }],
    ['1×1', [1, 7, 6, 5], [9, 7, 1, 1], {}],
    ['1×1 stride 2', [1, 6, 9, 9], [10, 6, 1, 1], { strides: [2, 2] }],
    ['dilated, asymmetric pads', [1, 4, 10, 12], [5, 4, 3, 2], { pads: [2, 0, 1, 3], dilations: [2, 1] }],
    ['no padding, tiny image', [1, 2, 3, 3], [4, 2, 3, 3], {}],
    ['wide kernel over a narrow image', [1, 2, 4, 3], [3, 2, 3, 5], { pads: [1, 2, 1, 2] }],
    ['3×3 pad 1, a wide row (border columns, looped tiles)', [1, 3, 5, 43], [9, 3, 3, 3], { pads: [1, 1, 1, 1] }],
    ['7×7 stride 2 pad 3, a wide row', [1, 3, 9, 75], [8, 3, 7, 7], { pads: [3, 3, 3, 3], strides: [2, 2] }],
    ['1×1 stride 2, a wide row', [1, 5, 4, 70], [6, 5, 1, 1], { strides: [2, 2] }],
  ])('%s', async (_, xs, ws, attrs) => {
    await check(conv(attrs as Attrs), [{ tensor: random(xs as number[], 1) }, { tensor: random(ws as number[], 2), constant: true }]);
  });

  it('adds a bias and runs a batch', async () => {
    await check(conv({ pads: [1, 1, 1, 1] }), [{ tensor: random([3, 4, 7, 6], 3) }, { tensor: random([10, 4, 3, 3], 4), constant: true }, { tensor: random([10], 5), constant: true }]);
  });

  it('fuses batch norm, ReLU6 and a residual add', async () => {
    await check((g, [x, w, scale, shift, res]) => {
      const y = g.op1('conv', [x!, w!], { pads: [1, 1, 1, 1] });
      const bn = g.op1('add', [g.op1('mul', [y, scale!]), shift!]);
      const clip = g.op1('min', [g.op1('max', [bn, scalar(g, 0)]), scalar(g, 6)]);
      return [g.op1('add', [clip, res!])];
    }, [
      { tensor: random([1, 6, 8, 9], 6) }, { tensor: random([20, 6, 3, 3], 7), constant: true },
      { tensor: random([20, 1, 1], 8), constant: true }, { tensor: random([20, 1, 1], 9), constant: true },
      { tensor: random([1, 20, 8, 9], 10) },
    ]);
  });
});
