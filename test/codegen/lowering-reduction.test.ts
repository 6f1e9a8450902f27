// Reduction lowering rules against the reference interpreter: reduce_* over every axes form
// (none, some, negative, all, empty with noop_with_empty_axes, run-time axes), keepdims, empty
// reductions, NaN propagation, integer wrap-around; arg_max/arg_min ties and NaNs; cum_sum in
// every direction with constant and run-time axes. Results must be identical unless noted.
import { describe, expect, it } from 'vitest';
import { isBigInt, type DType } from '../../src/ir/dtype.js';
import type { Attrs } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { buildModule, expectAgreesWithReference, useCpuDevice, type BuiltModule } from '../support/lowering-harness.js';
import { lcg31 } from '../support/random.js';

const device = useCpuDevice();

/** Deterministic values for `dtype`: small ints with repeats (ties), floats with fractions. */
function sample(dtype: DType, shape: number[], seed = 1): Tensor {
  const next = lcg31(seed);
  const vals = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => {
    const u = next();
    return dtype === 'bool' ? (u < 0.5 ? 0 : 1) : dtype[0] === 'f' || dtype === 'bf16' ? Math.round(u * 800 - 400) / 64 : Math.floor(u * 200 - 100);
  });
  if (isBigInt(dtype)) return Tensor.fromBigInts(dtype as 'i64' | 'u64', shape, vals.map((v) => BigInt(dtype === 'u64' ? Math.abs(v) : v) * 3000000000n));
  if (dtype[0] === 'u') return Tensor.fromNumbers(dtype, shape, vals.map((v) => Math.abs(v) * (dtype === 'u32' ? 40000000 : 1)));
  return Tensor.fromNumbers(dtype, shape, vals);
}

const i64s = (values: number[]): Tensor => Tensor.fromBigInts('i64', [values.length], values.map(BigInt));

/** Runs on the CPU code generator and the reference interpreter; the results must agree. */
function agree(built: BuiltModule, rtol = 0): Promise<Tensor[]> {
  return expectAgreesWithReference(built, device(), { match: { rtol } });
}

const KINDS = ['reduce_sum', 'reduce_prod', 'reduce_mean', 'reduce_max', 'reduce_min'];
const AXES: (number[] | null)[] = [null, [0], [1], [-1], [0, 2], [2, 0, 1]];

describe('reduction lowering: reduce_*', () => {
  for (const op of KINDS) {
    it(`${op} over every axes form, with and without keepdims`, async () => {
      const dtypes: DType[] = ['f32', 'f64', 'f16', 'i8', 'u8', 'i32', 'u32', 'i64', 'u64'];
      if (op === 'reduce_max' || op === 'reduce_min') dtypes.push('bool');
      for (const d of dtypes) {
        const x = sample(d, [3, 4, 5], 2);
        for (const axes of AXES) {
          for (const keepdims of [0, 1]) {
            // Products of 60 elements overflow f16 and lose f32 bits: compare those loosely.
            const rtol = op === 'reduce_prod' && (d === 'f16' || d === 'f32') ? 1e-6 : 0;
            await agree(buildModule([x], (g, [v]) => [g.op1(op, axes ? [v!, g.constant(i64s(axes))] : [v!], { keepdims })]), rtol);
          }
        }
      }
    });
  }

  it('treats empty axes as all axes, or as the identity with noop_with_empty_axes', async () => {
    const x = sample('f32', [2, 3]);
    for (const noop of [0, 1]) {
      await agree(buildModule([x], (g, [v]) => [g.op1('reduce_sum', [v!, g.constant(i64s([]))], { noop_with_empty_axes: noop })]));
    }
  });

  it('gives the identity for empty reductions (mean: NaN for floats, 0 for ints)', async () => {
    for (const op of KINDS) {
      for (const d of ['f32', 'i32', 'u8', 'i64'] as const) {
        const x = Tensor.zeros(d, [3, 0, 2]);
        await agree(buildModule([x], (g, [v]) => [g.op1(op, [v!, g.constant(i64s([1]))], { keepdims: 0 })]));
      }
    }
  });

  it('propagates NaN through max, min, sum', async () => {
    const x = Tensor.fromNumbers('f32', [3, 4], [1, NaN, 3, -0, NaN, 2, 0, -1, 0, -0, 5, Infinity]);
    for (const op of KINDS) for (const axes of [[0], [1]]) await agree(buildModule([x], (g, [v]) => [g.op1(op, [v!, g.constant(i64s(axes))])]));
  });

  it('reads axes at run time (a graph input), with and without keepdims', async () => {
    const x = sample('f32', [3, 4, 5]);
    for (const axes of [[1], [-1], [0, 2], [2, 1, 0]]) {
      for (const keepdims of [0, 1]) {
        for (const op of ['reduce_sum', 'reduce_mean', 'reduce_max']) {
          // The graph must know the result shape: build with constant axes, then make them an input.
          const { mod } = buildModule([x], (g, [v]) => [g.op1(op, [v!, g.constant(i64s(axes))], { keepdims })]);
          const node = mod.graph.nodes.find((n) => n.op === op)!;
          const axesInput = { id: 10_000, name: 'axes', type: { dtype: 'i64' as const, shape: [axes.length] } };
          node.inputs[1] = axesInput;
          mod.graph.inputs.push(axesInput);
          mod.graph.nodes = mod.graph.nodes.filter((n) => n.op !== 'constant');
          await agree({ mod, inputs: [x, i64s(axes)] });
        }
      }
    }
  });

  it('sums f32 in f64 like the reference (one rounding at the end)', async () => {
    const x = Tensor.fromNumbers('f32', [4], [1e8, 1, -1e8, 1]);
    const [got] = await agree(buildModule([x], (g, [v]) => [g.op1('reduce_sum', [v!], { keepdims: 0 })]));
    expect(got!.getNumber(0)).toBe(2);
  });

  it('wraps integer sums like the dtype', async () => {
    const x = Tensor.fromNumbers('u8', [4], [200, 100, 255, 3]);
    const [got] = await agree(buildModule([x], (g, [v]) => [g.op1('reduce_sum', [v!], { keepdims: 0 })]));
    expect(got!.getNumber(0)).toBe((200 + 100 + 255 + 3) % 256);
  });

  it('fuses an elementwise producer and consumer (softmax)', async () => {
    const x = sample('f32', [4, 7]);
    await agree(buildModule([x], (g, [v]) => {
      const axes = g.constant(i64s([1]));
      const e = g.op1('exp', [g.op1('sub', [v!, g.op1('reduce_max', [v!, axes])])]);
      return [g.op1('div', [e, g.op1('reduce_sum', [e, axes])])];
    }), 1e-6);
  });
});

describe('reduction lowering: arg_max, arg_min', () => {
  it('picks first or last ties along every axis, keepdims or not', async () => {
    for (const d of ['f32', 'i32', 'u8', 'i64', 'u64', 'f16'] as const) {
      const x = sample(d, [3, 4, 5], 3);
      for (const op of ['arg_max', 'arg_min']) {
        for (const axis of [0, 1, 2, -1]) {
          for (const keepdims of [0, 1]) {
            for (const last of [0, 1]) await agree(buildModule([x], (g, [v]) => [g.op1(op, [v!], { axis, keepdims, select_last_index: last })]));
          }
        }
      }
    }
  });

  it('treats NaN as the extreme, first or last', async () => {
    const x = Tensor.fromNumbers('f32', [2, 5], [1, NaN, 3, NaN, 3, 2, 2, -0, 0, 1]);
    for (const op of ['arg_max', 'arg_min']) {
      for (const last of [0, 1]) await agree(buildModule([x], (g, [v]) => [g.op1(op, [v!], { axis: 1, select_last_index: last })]));
    }
  });
});

describe('reduction lowering: cum_sum', () => {
  it('scans forward, reverse, exclusive along every axis', async () => {
    for (const d of ['f32', 'f64', 'i32', 'u8', 'i64', 'f16'] as const) {
      const x = sample(d, [3, 4, 2], 5);
      for (const axis of [0, 1, -1]) {
        for (const exclusive of [0, 1]) {
          for (const reverse of [0, 1]) {
            const ax = Tensor.fromNumbers('i32', [], [axis]);
            await agree(buildModule([x], (g, [v]) => [g.op1('cum_sum', [v!, g.constant(ax)], { exclusive, reverse })]));
          }
        }
      }
    }
  });

  it('reads its axis at run time', async () => {
    const x = sample('f32', [3, 4, 2], 6);
    for (const axis of [0, 1, 2, -2]) {
      for (const attrs of [{}, { exclusive: 1 }, { reverse: 1 }, { exclusive: 1, reverse: 1 }] as Attrs[]) {
        await agree(buildModule([x, Tensor.fromBigInts('i64', [1], [BigInt(axis)])], (g, [v, a]) => [g.op1('cum_sum', [v!, a!], attrs)]));
      }
    }
  });
});
