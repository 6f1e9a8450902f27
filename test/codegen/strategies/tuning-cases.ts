// Small modules whose one dispatch region each CPU strategy takes (and the generic kernel), with
// odd sizes that leave tails in every tiling: the tuning tests lower them under every candidate.
import type { GraphBuilder } from '../../../src/ir/builder.js';
import type { Value } from '../../../src/ir/graph.js';
import { partitionGraph, type DispatchRegion } from '../../../src/ir/partition.js';
import { Tensor } from '../../../src/ir/tensor.js';
import { canLowerNode } from '../../../src/codegen/lower-region.js';
import type { KernelTuning, TuningSpace } from '../../../src/codegen/kernel-tuning.js';
import { packWeights } from '../../../src/codegen/strategies/pack-weights.js';
import { buildModule, type BuiltModule, type GraphOperand } from '../../support/lowering-harness.js';
import { randomOperand } from '../../support/random.js';

export interface TuningCase {
  name: string;
  /** The CPU strategy that lowers the case's main region. */
  strategy: string;
  built: BuiltModule;
}

const random = (shape: readonly number[], seed: number): Tensor => randomOperand('f32', shape, seed, {});
const scalar = (g: GraphBuilder, x: number): Value => g.constant(Tensor.fromNumbers('f32', [], [x]));
const axes = (g: GraphBuilder, ...a: number[]): Value => g.constant(Tensor.fromBigInts('i64', [a.length], a.map(BigInt)));
const input = (shape: readonly number[], seed: number): GraphOperand => ({ tensor: random(shape, seed) });
const weight = (shape: readonly number[], seed: number): GraphOperand => ({ tensor: random(shape, seed), constant: true });

/** A module as the compiler sees it: constant weights pre-packed for the CPU strategies. */
function build(operands: readonly GraphOperand[], body: (g: GraphBuilder, v: Value[]) => Value[]): BuiltModule {
  const built = buildModule(operands, body);
  packWeights(built.mod);
  return built;
}

export function tuningCases(): TuningCase[] {
  return [
    {
      name: 'matmul 37×53×29 with bias and ReLU',
      strategy: 'matmul',
      built: build([input([37, 53], 1), weight([53, 29], 2), weight([29], 3)], (g, [a, w, b]) => [g.op1('max', [g.op1('add', [g.op1('matmul', [a!, w!]), b!]), scalar(g, 0)])]),
    },
    {
      name: 'matmul 70×300×45 (big enough to split)',
      strategy: 'matmul',
      built: build([input([70, 300], 4), input([300, 45], 5)], (g, [a, b]) => [g.op1('matmul', [a!, b!])]),
    },
    {
      name: 'batched matmul with a broadcast batch',
      strategy: 'matmul',
      built: build([input([2, 3, 5, 6], 6), input([3, 6, 9], 7)], (g, [a, b]) => [g.op1('matmul', [a!, b!])]),
    },
    {
      name: 'Q·Kᵀ as dot products, 13×12 by 9',
      strategy: 'matmul-dot',
      built: build([input([2, 13, 12], 8), input([2, 9, 12], 9)], (g, [a, x]) => [g.op1('matmul', [a!, g.op1('transpose', [x!], { perm: [0, 2, 1] })])]),
    },
    {
      name: 'conv 3×3 pad 1 over a row of 11',
      strategy: 'conv',
      built: build([input([1, 5, 9, 11], 10), weight([12, 5, 3, 3], 11), weight([12], 12)], (g, [x, w, b]) => [g.op1('conv', [x!, w!, b!], { pads: [1, 1, 1, 1] })]),
    },
    {
      name: 'conv 7×7 stride 2 pad 3 with batch norm and ReLU',
      strategy: 'conv',
      built: build([input([2, 3, 20, 18], 13), weight([8, 3, 7, 7], 14), weight([8, 1, 1], 15)], (g, [x, w, s]) => [g.op1('max', [g.op1('mul', [g.op1('conv', [x!, w!], { pads: [3, 3, 3, 3], strides: [2, 2] }), s!]), scalar(g, 0)])]),
    },
    {
      name: 'conv 1×1 over 6×5 pixels (a flat row)',
      strategy: 'conv',
      built: build([input([1, 7, 6, 5], 16), weight([9, 7, 1, 1], 17)], (g, [x, w]) => [g.op1('conv', [x!, w!])]),
    },
    {
      name: 'conv 3×3 pad 1, 32 channels over 24×26 (big enough to split)',
      strategy: 'conv',
      built: build([input([1, 16, 24, 26], 18), weight([32, 16, 3, 3], 19)], (g, [x, w]) => [g.op1('conv', [x!, w!], { pads: [1, 1, 1, 1] })]),
    },
    {
      name: 'depthwise 3×3 stride 2 pad 1',
      strategy: 'depthwise',
      built: build([input([1, 40, 31, 29], 20), weight([40, 1, 3, 3], 21)], (g, [x, w]) => [g.op1('conv', [x!, w!], { pads: [1, 1, 1, 1], strides: [2, 2], group: 40 })]),
    },
    {
      name: 'max pool 3×3 stride 2 pad 1 after ReLU',
      strategy: 'max-pool',
      built: build([input([1, 24, 45, 43], 22)], (g, [x]) => [g.op1('max_pool', [g.op1('max', [x!, scalar(g, 0)])], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2] })]),
    },
    {
      name: 'reduce_mean over 1500 rows of 45',
      strategy: 'reduce',
      built: build([input([1500, 45], 23)], (g, [x]) => [g.op1('reduce_mean', [x!, axes(g, -1)], { keepdims: 1 })]),
    },
    {
      name: 'elementwise exp over 333×65',
      strategy: 'elementwise',
      built: build([input([333, 65], 24)], (g, [x]) => [g.op1('exp', [x!])]),
    },
    {
      name: 'generic add and multiply over 150×77',
      strategy: 'generic',
      built: build([input([150, 77], 25), input([77], 26)], (g, [x, y]) => [g.op1('mul', [g.op1('add', [x!, y!]), x!])]),
    },
  ];
}

/**
 * The first element of `got` off `want` by more than f32 sums allow (rtol, and atol of the
 * largest magnitude: long dot products cancel), or undefined.
 */
export function offF32(got: Tensor, want: Tensor, rtol = 1e-4, atol = 1e-5): string | undefined {
  if (got.size !== want.size) return `${got.size} elements, expected ${want.size}`;
  let scale = 0;
  for (let i = 0; i < want.size; i++) scale = Math.max(scale, Math.abs(want.getNumber(i)));
  for (let i = 0; i < want.size; i++) {
    const [a, b] = [got.getNumber(i), want.getNumber(i)];
    if (!(Math.abs(a - b) <= rtol * Math.abs(b) + atol * scale)) return `[${i}] got ${a}, expected ${b}`;
  }
  return undefined;
}

/** Every combination of a space's values (the default included). */
export function combinations(space: TuningSpace): KernelTuning[] {
  let out: Record<string, number | boolean>[] = [{}];
  for (const k of space.knobs) out = out.flatMap((t) => k.values.map((v) => ({ ...t, [k.name]: v })));
  return out as KernelTuning[];
}

/** The case's dispatch regions (its main one first: the one with the most nodes). */
export function regionsOf(built: BuiltModule): DispatchRegion[] {
  const regions = partitionGraph(built.mod, built.mod.graph, { canDispatch: canLowerNode }).flatMap((s) => (s.kind === 'dispatch' ? [s.region] : []));
  return regions.sort((a, b) => b.nodes.length - a.nodes.length);
}
