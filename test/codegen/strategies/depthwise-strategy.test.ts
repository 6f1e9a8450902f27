// The depthwise conv strategy against the reference interpreter: stride 1 and 2, widths that
// are not a multiple of the vector, images smaller than the window, dilation, bias, batch, and
// MobileNet's fused batch norm + ReLU6 epilogue.
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
const scalar = (g: GraphBuilder, x: number): Value => g.constant(Tensor.fromNumbers('f32', [], [x]));

async function check(body: (g: GraphBuilder, v: Value[]) => Value[], operands: readonly GraphOperand[]): Promise<void> {
  const built = buildModule(operands, body);
  for (const s of partitionGraph(built.mod)) if (s.kind === 'dispatch' && s.region.nodes.some((n) => n.op === 'conv')) expect(lowerWithStrategy(s.region, 'k')).toBeDefined();
  await expectAgreesWithReference(built, device());
}

const depthwise = (attrs: Attrs) => (g: GraphBuilder, [x, w, b]: Value[]): Value[] => [g.op1('conv', b ? [x!, w!, b] : [x!, w!], attrs)];

describe('depthwise conv strategy', () => {
  it.each([
    ['3×3 pad 1', [1, 6, 9, 13], { pads: [1, 1, 1, 1], group: 6 }],
    ['3×3 stride 2 pad 1', [1, 5, 12, 14], { pads: [1, 1, 1, 1], strides: [2, 2], group: 5 }],
    ['3×3 stride 2 on odd sizes', [1, 3, 7, 9], { pads: [1, 1, 1, 1], strides: [2, 2], group: 3 }],
    ['narrow image, no padding', [1, 4, 3, 3], { group: 4 }],
    ['dilation 2, asymmetric pads', [1, 2, 10, 11], { pads: [2, 1, 0, 2], dilations: [2, 2], group: 2 }],
    ['5×5 pad 2', [1, 3, 8, 17], { pads: [2, 2, 2, 2], group: 3 }],
  ])('%s', async (_, xs, attrs) => {
    const c = (xs as number[])[1]!;
    const k = (attrs as { pads?: number[] }).pads?.[0] === 2 && !(attrs as { dilations?: number[] }).dilations ? 5 : 3;
    await check(depthwise(attrs as Attrs), [{ tensor: random(xs as number[], 1) }, { tensor: random([c, 1, k, k], 2), constant: true }]);
  });

  it('adds a bias and runs a batch', async () => {
    await check(depthwise({ pads: [1, 1, 1, 1], group: 4 }), [{ tensor: random([2, 4, 6, 10], 3) }, { tensor: random([4, 1, 3, 3], 4), constant: true }, { tensor: random([4], 5), constant: true }]);
  });

  it('fuses batch norm and ReLU6', async () => {
    await check((g, [x, w, scale, shift]) => {
      const y = g.op1('conv', [x!, w!], { pads: [1, 1, 1, 1], group: 24 });
      const bn = g.op1('add', [g.op1('mul', [y, scale!]), shift!]);
      return [g.op1('min', [g.op1('max', [bn, scalar(g, 0)]), scalar(g, 6)])];
    }, [{ tensor: random([1, 24, 10, 12], 6) }, { tensor: random([24, 1, 3, 3], 7), constant: true }, { tensor: random([24, 1, 1], 8), constant: true }, { tensor: random([24, 1, 1], 9), constant: true }]);
  });
});
