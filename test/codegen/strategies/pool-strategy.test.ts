// The max-pool strategy against the reference interpreter: stride 1 and 2, padding, widths that
// are not a multiple of the vector, dilation, batch, and a fused batch norm + ReLU producer.
import { describe, expect, it } from 'vitest';
import type { GraphBuilder } from '../../../src/ir/builder.js';
import type { Attrs, Value } from '../../../src/ir/graph.js';
import { partitionGraph } from '../../../src/ir/partition.js';
import { Tensor } from '../../../src/ir/tensor.js';
import { lowerWithStrategy } from '../../../src/codegen/strategies/index.js';
import { buildModule, expectAgreesWithReference, useCpuDevice, type GraphOperand } from '../../support/lowering-harness.js';
import { randomOperand } from '../../support/random.js';

const device = useCpuDevice();
const random = (shape: readonly number[], seed: number): Tensor => randomOperand('f32', shape, seed, {});

async function check(body: (g: GraphBuilder, v: Value[]) => Value[], operands: readonly GraphOperand[]): Promise<void> {
  const built = buildModule(operands, body);
  for (const s of partitionGraph(built.mod)) if (s.kind === 'dispatch' && s.region.nodes.some((n) => n.op === 'max_pool')) expect(lowerWithStrategy(s.region, 'k')).toBeDefined();
  await expectAgreesWithReference(built, device(), { match: { rtol: 0 } });
}

const pool = (attrs: Attrs) => (g: GraphBuilder, [x]: Value[]): Value[] => [g.op1('max_pool', [x!], attrs)];

describe('max-pool strategy', () => {
  it.each([
    ['3×3 stride 2 pad 1', [1, 3, 16, 18], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }],
    ['3×3 stride 2 pad 1, odd sizes', [1, 2, 11, 13], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }],
    ['2×2 stride 2', [2, 3, 8, 12], { kernel_shape: [2, 2], strides: [2, 2] }],
    ['3×3 stride 1 pad 1', [1, 2, 7, 10], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }],
    ['dilated', [1, 2, 9, 14], { kernel_shape: [2, 3], dilations: [2, 2], pads: [1, 0, 1, 2] }],
  ])('%s', async (_, xs, attrs) => {
    await check(pool(attrs as Attrs), [{ tensor: random(xs as number[], 1) }]);
  });

  it('fuses batch norm and ReLU before the pool', async () => {
    await check((g, [x, scale, shift]) => {
      const y = g.op1('max', [g.op1('add', [g.op1('mul', [x!, scale!]), shift!]), g.constant(Tensor.fromNumbers('f32', [], [0]))]);
      return [g.op1('max_pool', [y], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] })];
    }, [{ tensor: random([1, 20, 14, 14], 2) }, { tensor: random([20, 1, 1], 3), constant: true }, { tensor: random([20, 1, 1], 4), constant: true }]);
  });
});
