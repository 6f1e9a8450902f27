// The vectorized elementwise strategy (regions with exp, erf, sigmoid) against the reference
// interpreter: softmax's shifted exp with a broadcast operand, GELU, sigmoid, row tails, and the
// ends of exp's range (overflow to +inf, underflow to ~0).
import { describe, expect, it } from 'vitest';
import type { GraphBuilder } from '../../../src/ir/builder.js';
import type { Value } from '../../../src/ir/graph.js';
import { partitionGraph } from '../../../src/ir/partition.js';
import { Tensor } from '../../../src/ir/tensor.js';
import { lowerWithStrategy } from '../../../src/codegen/strategies/index.js';
import { buildModule, expectAgreesWithReference, useCpuDevice, type GraphOperand } from '../../support/lowering-harness.js';
import { randomOperand } from '../../support/random.js';

const device = useCpuDevice();
const random = (shape: readonly number[], seed: number, range = 1): Tensor => {
  const t = randomOperand('f32', shape, seed, {});
  (t.data as Float32Array).forEach((x, i, a) => { a[i] = x * range; });
  return t;
};
const scalar = (g: GraphBuilder, x: number): Value => g.constant(Tensor.fromNumbers('f32', [], [x]));

async function check(body: (g: GraphBuilder, v: Value[]) => Value[], operands: readonly GraphOperand[]): Promise<void> {
  const built = buildModule(operands, body);
  const dispatches = partitionGraph(built.mod).filter((s) => s.kind === 'dispatch');
  for (const s of dispatches) if (s.kind === 'dispatch') expect(lowerWithStrategy(s.region, 'k')).toBeDefined();
  await expectAgreesWithReference(built, device());
}

describe('elementwise strategy', () => {
  it('computes a shifted exp with a broadcast operand (softmax numerator)', async () => {
    await check((g, [x, m]) => [g.op1('exp', [g.op1('sub', [x!, m!])])], [{ tensor: random([3, 30, 13], 1, 8) }, { tensor: random([3, 30, 1], 2, 8) }]);
  });
  it('computes GELU and sigmoid', async () => {
    // x >= -2: below, 1 + erf(x/√2) cancels to where erf's 4e-7 error (a few ulps of 1) exceeds atol 1e-7.
    const x = random([32, 37], 3, 6);
    (x.data as Float32Array).forEach((v, i, a) => { a[i] = Math.max(v, -2); });
    await check((g, [v]) => {
      const erf = g.op1('erf', [g.op1('div', [v!, scalar(g, Math.SQRT2)])]);
      return [g.op1('mul', [g.op1('mul', [v!, scalar(g, 0.5)]), g.op1('add', [erf, scalar(g, 1)])])];
    }, [{ tensor: x }]);
    await check((g, [v]) => [g.op1('erf', [v!])], [{ tensor: random([30, 41], 5, 5) }]);
    await check((g, [x]) => [g.op1('sigmoid', [x!])], [{ tensor: random([2, 30, 20], 4, 30) }]);
  });
  it('overflows, underflows and passes NaN like exp', async () => {
    const edges = [-200, -100, -88, -50, -1e-3, 0, 1e-3, 1, 10, 50, 80, 88, 88.7, 89, 100, Infinity, -Infinity, NaN];
    const x = Tensor.fromNumbers('f32', [64, 18], Array.from({ length: 64 * 18 }, (_, i) => edges[i % 18]!));
    const built = buildModule([{ tensor: x }], (g, [v]) => [g.op1('exp', [v!])]);
    const got = (await expectAgreesWithReference(built, device()))[0]!.data as Float32Array;
    expect([got[15], got[14], got[16], got[0]]).toEqual([Infinity, Infinity, 0, 0]);
    expect(Number.isNaN(got[17])).toBe(true);
  });
});
