// Regions that take the GPU strategies the CPU tuning cases do not reach: tree reductions over
// rows longer than a workgroup, and a tiled matmul with edge tiles and a transcendental epilogue.
import { Tensor } from '../../../src/ir/tensor.js';
import type { GraphBuilder } from '../../../src/ir/builder.js';
import type { Value } from '../../../src/ir/graph.js';
import { buildModule } from '../../support/lowering-harness.js';
import { randomOperand } from '../../support/random.js';
import type { TuningCase } from '../strategies/tuning-cases.js';

const random = (shape: readonly number[], seed: number): Tensor => randomOperand('f32', shape, seed, {});
const axes = (g: GraphBuilder, ...a: number[]): Value => g.constant(Tensor.fromBigInts('i64', [a.length], a.map(BigInt)));

/** `strategy` names the GPU strategy here. */
export function gpuCases(): TuningCase[] {
  return [
    {
      name: 'reduce_sum over rows of 300',
      strategy: 'tree-reduce',
      built: buildModule([random([5, 300], 31)], (g, [x]) => [g.op1('reduce_sum', [x!, axes(g, -1)], { keepdims: 1 })]),
    },
    {
      name: 'reduce_max over rows of 100, then exp',
      strategy: 'tree-reduce',
      built: buildModule([random([7, 100], 32)], (g, [x]) => [g.op1('exp', [g.op1('reduce_max', [x!, axes(g, -1)], { keepdims: 0 })])]),
    },
    {
      name: 'matmul 70×20×65 with tanh',
      strategy: 'tiled-matmul',
      built: buildModule([random([70, 20], 33), random([20, 65], 34)], (g, [a, b]) => [g.op1('tanh', [g.op1('matmul', [a!, b!])])]),
    },
  ];
}
