import { describe, expect, it } from 'vitest';
import type { GraphBuilder } from '../../src/ir/builder.js';
import type { DType } from '../../src/ir/dtype.js';
import type { Attrs, Value } from '../../src/ir/graph.js';
import { partitionGraph } from '../../src/ir/partition.js';
import { Tensor } from '../../src/ir/tensor.js';
import { buildModule, expectAgreesWithReference, useCpuDevice, type BuiltModule } from '../support/lowering-harness.js';
import { lcg31 } from '../support/random.js';
import { getLowering, type LowerContext } from '../../src/codegen/lowering/registry.js';
import '../../src/codegen/lower-region.js';

const device = useCpuDevice();

/** Deterministic pseudo-random numbers in [-5, 5) (integers for integer dtypes). */
function sample(dtype: DType, shape: number[], seed = 1): Tensor {
  const next = lcg31(seed);
  const vals = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => {
    const u = next();
    return dtype === 'bool' ? (u < 0.5 ? 0 : 1) : dtype.startsWith('f') || dtype === 'bf16' ? u * 10 - 5 : Math.floor(u * 10 - 5);
  });
  if (dtype === 'i64' || dtype === 'u64') return Tensor.fromBigInts(dtype, shape, vals.map((v) => BigInt(dtype === 'u64' ? Math.abs(v) : v)));
  if (dtype.startsWith('u')) return Tensor.fromNumbers(dtype, shape, vals.map(Math.abs));
  return Tensor.fromNumbers(dtype, shape, vals);
}

const ints = (dtype: 'i32' | 'i64', shape: number[], values: number[]): Tensor =>
  dtype === 'i64' ? Tensor.fromBigInts('i64', shape, values.map(BigInt)) : Tensor.fromNumbers('i32', shape, values);

/** Runs on the CPU code generator and the reference interpreter; every value must come from a kernel. */
function agree(built: BuiltModule): Promise<Tensor[]> {
  return expectAgreesWithReference(built, device(), { kernelsOnly: true });
}

const c64 = (g: GraphBuilder, values: number[]): Value => g.constant(ints('i64', [values.length], values));
const op = (g: GraphBuilder, name: string, inputs: (Value | null)[], attrs: Attrs = {}): Value => g.op1(name, inputs, attrs);

describe('movement lowering: index remaps', () => {
  it('transposes with and without perm, fused behind an elementwise producer', async () => {
    await agree(buildModule([sample('f32', [2, 3, 4])], (g, [x]) => [op(g, 'transpose', [op(g, 'neg', [x!])], { perm: [1, 2, 0] })]));
    await agree(buildModule([sample('i64', [2, 3, 4])], (g, [x]) => [op(g, 'transpose', [x!])]));
  });

  it('reshapes, squeezes and unsqueezes through merged and split dims', async () => {
    await agree(buildModule([sample('f32', [2, 3, 4, 5])], (g, [x]) => [op(g, 'reshape', [op(g, 'abs', [x!]), c64(g, [6, 2, 10])])]));
    await agree(buildModule([sample('f32', [1, 3, 1, 4])], (g, [x]) => [op(g, 'squeeze', [op(g, 'neg', [x!]), c64(g, [0, 2])])]));
    await agree(buildModule([sample('i32', [3, 4])], (g, [x]) => [op(g, 'unsqueeze', [op(g, 'neg', [x!]), c64(g, [0, 2, -1])])]));
  });

  it('expands with broadcasting and new leading dims', async () => {
    await agree(buildModule([sample('f32', [3, 1])], (g, [x]) => [op(g, 'expand', [x!, c64(g, [2, 1, 3, 4])])]));
  });

  it('concatenates three inputs along the middle axis (one of them computed in the kernel)', async () => {
    const [out] = await agree(buildModule([sample('f32', [2, 1, 3]), sample('f32', [2, 4, 3], 2), sample('f32', [2, 2, 3], 3)], (g, [a, b, c]) => [
      op(g, 'concat', [a!, op(g, 'neg', [b!]), c!], { axis: 1 }),
    ]));
    expect(out!.shape).toEqual([2, 7, 3]);
  });

  it('concatenates along the last axis, with an empty input, and bools', async () => {
    await agree(buildModule([sample('bool', [2, 3]), sample('bool', [2, 0], 2), sample('bool', [2, 2], 3)], (g, [a, b, c]) => [
      op(g, 'concat', [a!, b!, c!], { axis: -1 }),
    ]));
  });

  it('slices with a negative step (hand-checked values)', async () => {
    const x = Tensor.fromNumbers('f32', [2, 5], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const [out] = await agree(buildModule([x], (g, [v]) => [
      op(g, 'slice', [v!, c64(g, [-1]), c64(g, [-1e18]), c64(g, [1]), c64(g, [-2])]),
    ]));
    expect(out!.shape).toEqual([2, 3]);
    expect([...(out!.data as Float32Array)]).toEqual([4, 2, 0, 9, 7, 5]);
  });

  it('slices several axes with clamped bounds and steps', async () => {
    await agree(buildModule([sample('i64', [4, 6, 5])], (g, [x]) => [
      op(g, 'slice', [x!, c64(g, [1, 100, -4]), c64(g, [-1, -100, 5]), c64(g, [0, 1, 2]), c64(g, [1, -3, 2])]),
    ]));
  });

  it('splits unevenly into three outputs', async () => {
    const b = buildModule([sample('f32', [2, 7])], (g, [x]) => g.op('split', [x!, c64(g, [2, 4, 1])], { axis: 1 }));
    const outs = await agree(b);
    expect(outs.map((t) => t.shape)).toEqual([[2, 2], [2, 4], [2, 1]]);
    await agree(buildModule([sample('f32', [5, 2])], (g, [x]) => g.op('split', [x!], { axis: 0, num_outputs: 3 })));
  });

  it('tiles', async () => {
    await agree(buildModule([sample('f16', [2, 3])], (g, [x]) => [op(g, 'tile', [x!, c64(g, [2, 1])]), op(g, 'tile', [op(g, 'neg', [x!]), c64(g, [3, 2])])]));
  });
});

describe('movement lowering: fused chains', () => {
  it('fuses remaps into remaps and into elementwise consumers', async () => {
    const b = buildModule([sample('f32', [4, 6]), sample('f32', [3, 4], 2), ints('i64', [5], [3, -1, 0, 2, 2])], (g, [x, y, i]) => {
      const cat = op(g, 'concat', [op(g, 'slice', [x!, c64(g, [1]), c64(g, [4]), c64(g, [0])]), op(g, 'pad', [y!, c64(g, [0, 1, 0, 1])], { mode: 'edge' })], { axis: 0 });
      const picked = op(g, 'gather', [op(g, 'transpose', [cat]), i!], { axis: 1 });
      return [op(g, 'neg', [op(g, 'concat', [picked, op(g, 'tile', [picked, c64(g, [1, 2])])], { axis: 1 })])];
    });
    // Two kernels: the gather (read twice, so it gets a buffer) and the rest.
    expect(partitionGraph(b.mod).filter((s) => s.kind === 'dispatch')).toHaveLength(2);
    await agree(b);
  });

  it('fuses a scatter (a loop per element) into its consumer', async () => {
    const b = buildModule([sample('f32', [4, 3]), ints('i64', [2, 3], [1, 3, 0, 1, 1, 2]), sample('f32', [2, 3], 3)], (g, [d, i, u]) => [
      op(g, 'abs', [op(g, 'scatter_elements', [op(g, 'neg', [d!]), i!, op(g, 'exp', [u!])], { axis: 0, reduction: 'add' })]),
    ]);
    expect(partitionGraph(b.mod).filter((s) => s.kind === 'dispatch')).toHaveLength(1);
    await agree(b);
  });
});

describe('movement lowering: gathers', () => {
  it('gathers with negative indices read at run time (hand-checked values)', async () => {
    const x = Tensor.fromNumbers('f32', [3, 2], [1, 2, 3, 4, 5, 6]);
    const idx = ints('i64', [2, 2], [-1, 0, 1, -3]);
    const [out] = await agree(buildModule([x, idx], (g, [d, i]) => [op(g, 'gather', [d!, i!], { axis: 0 })]));
    expect(out!.shape).toEqual([2, 2, 2]);
    expect([...(out!.data as Float32Array)]).toEqual([5, 6, 1, 2, 3, 4, 1, 2]);
  });

  it('gathers along an inner axis with i32 indices and a scalar index', async () => {
    await agree(buildModule([sample('i64', [2, 5, 3]), ints('i32', [4], [4, -5, 2, -1])], (g, [d, i]) => [op(g, 'gather', [d!, i!], { axis: 1 })]));
    await agree(buildModule([sample('f32', [2, 5, 3]), ints('i64', [], [-2])], (g, [d, i]) => [op(g, 'gather', [d!, i!], { axis: 1 })]));
  });

  it('gathers elements', async () => {
    await agree(buildModule([sample('f32', [3, 4]), ints('i64', [2, 4], [0, -1, 2, 1, 2, 0, -3, 1])], (g, [d, i]) => [
      op(g, 'gather_elements', [d!, i!], { axis: 0 }),
    ]));
  });

  it('gathers index tuples with batch_dims', async () => {
    await agree(buildModule([sample('f32', [2, 3, 4]), ints('i64', [2, 2, 1], [0, 2, -1, 1])], (g, [d, i]) => [
      op(g, 'gather_nd', [d!, i!], { batch_dims: 1 }),
    ]));
    await agree(buildModule([sample('i32', [3, 4]), ints('i64', [2, 2], [0, 1, 2, -1])], (g, [d, i]) => [op(g, 'gather_nd', [d!, i!])]));
  });

  it('one_hot with float and negative indices', async () => {
    const idx = Tensor.fromNumbers('f32', [2, 2], [1.7, -1, 3, 7]);
    const [out] = await agree(buildModule([idx], (g, [i]) => [
      op(g, 'one_hot', [i!, g.constant(ints('i64', [], [4])), g.constant(Tensor.fromNumbers('f32', [2], [-2, 5]))], { axis: 1 }),
    ]));
    expect(out!.shape).toEqual([2, 4, 2]);
  });
});

describe('movement lowering: scatters', () => {
  it('scatter_elements: the last of duplicate writes wins', async () => {
    const data = Tensor.fromNumbers('f32', [1, 5], [1, 2, 3, 4, 5]);
    const idx = ints('i64', [1, 3], [1, -2, 1]);
    const upd = Tensor.fromNumbers('f32', [1, 3], [10, 20, 30]);
    const [out] = await agree(buildModule([data, idx, upd], (g, [d, i, u]) => [op(g, 'scatter_elements', [d!, i!, u!], { axis: 1 })]));
    expect([...(out!.data as Float32Array)]).toEqual([1, 30, 3, 20, 5]);
  });

  it('scatter_elements reductions on a smaller indices tensor', async () => {
    for (const reduction of ['add', 'mul', 'max', 'min']) {
      await agree(buildModule([sample('f32', [4, 3]), ints('i64', [2, 2], [0, 3, 0, 1]), sample('f32', [2, 2], 5)], (g, [d, i, u]) => [
        op(g, 'scatter_elements', [d!, i!, u!], { axis: 0, reduction }),
      ]));
    }
    await agree(buildModule([sample('i64', [3, 4]), ints('i32', [3, 2], [1, 1, 3, 0, 2, 2]), sample('i64', [3, 2], 5)], (g, [d, i, u]) => [
      op(g, 'scatter_elements', [d!, i!, u!], { axis: 1, reduction: 'add' }),
    ]));
  });

  it('scatter_nd with slices and reductions', async () => {
    for (const reduction of ['none', 'add', 'mul', 'max']) {
      await agree(buildModule([sample('f32', [4, 2, 3]), ints('i64', [3, 1], [2, 0, 2]), sample('f32', [3, 2, 3], 4)], (g, [d, i, u]) => [
        op(g, 'scatter_nd', [d!, i!, u!], { reduction }),
      ]));
    }
    await agree(buildModule([sample('i32', [3, 3]), ints('i64', [2, 2], [0, 1, -1, 2]), sample('i32', [2], 4)], (g, [d, i, u]) => [
      op(g, 'scatter_nd', [d!, i!, u!]),
    ]));
  });
});

describe('movement lowering: pad and friends', () => {
  it('pads in reflect mode (hand-checked values)', async () => {
    const x = Tensor.fromNumbers('f32', [3], [1, 2, 3]);
    const [out] = await agree(buildModule([x], (g, [v]) => [op(g, 'pad', [v!, c64(g, [5, 4])], { mode: 'reflect' })]));
    expect([...(out!.data as Float32Array)]).toEqual([2, 1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3]);
  });

  it('pads in every mode, with negative pads and a run-time constant value', async () => {
    for (const mode of ['constant', 'reflect', 'edge', 'wrap']) {
      await agree(buildModule([sample('f32', [3, 4]), Tensor.fromNumbers('f32', [], [7.5])], (g, [x, cv]) => [
        op(g, 'pad', [x!, c64(g, [2, -1, 3, 5]), cv!], { mode }),
      ]));
      await agree(buildModule([sample('i64', [2, 3, 2])], (g, [x]) => [op(g, 'pad', [x!, c64(g, [1, 4]), null, c64(g, [-1])], { mode })]));
    }
  });

  it('depth_to_space (DCR, CRD) and space_to_depth', async () => {
    for (const mode of ['DCR', 'CRD']) {
      await agree(buildModule([sample('f32', [2, 8, 2, 3])], (g, [x]) => [op(g, 'depth_to_space', [x!], { blocksize: 2, mode })]));
    }
    await agree(buildModule([sample('f32', [2, 3, 4, 6])], (g, [x]) => [op(g, 'space_to_depth', [x!], { blocksize: 2 })]));
  });

  it('trilu upper and lower with k', async () => {
    for (const upper of [0, 1]) {
      for (const k of [-1, 0, 2]) {
        await agree(buildModule([sample('f32', [2, 3, 5])], (g, [x]) => [op(g, 'trilu', [x!, g.constant(ints('i64', [], [k]))], { upper })]));
      }
    }
    await agree(buildModule([sample('i32', [4, 4])], (g, [x]) => [op(g, 'trilu', [x!])]));
    // k read at run time, far outside the matrix too.
    for (const k of [-2, 1, 5_000_000_000]) {
      await agree(buildModule([sample('f32', [3, 4]), ints('i64', [], [k])], (g, [x, kk]) => [op(g, 'trilu', [x!, kk!], { upper: 0 })]));
    }
  });

  it('reverse_sequence on both axis layouts', async () => {
    await agree(buildModule([sample('f32', [4, 3, 2]), ints('i64', [3], [4, 0, 2])], (g, [x, l]) => [
      op(g, 'reverse_sequence', [x!, l!], { batch_axis: 1, time_axis: 0 }),
    ]));
    await agree(buildModule([sample('f32', [3, 4]), ints('i64', [3], [1, 3, 4])], (g, [x, l]) => [
      op(g, 'reverse_sequence', [x!, l!], { batch_axis: 0, time_axis: 1 }),
    ]));
  });

  it('eye_like on and off the diagonal', async () => {
    await agree(buildModule([sample('f32', [3, 5])], (g, [x]) => [op(g, 'eye_like', [x!], { k: 2, dtype: 'i64' }), op(g, 'eye_like', [x!], { k: -1 })]));
  });

  it('range with run-time operands is refused with a clear error', () => {
    const b = buildModule([ints('i64', [], [0])], (g, [s]) => [g.op1('range', [s!, s!, s!])]);
    const node = b.mod.graph.nodes.find((n) => n.op === 'range')!;
    expect(() => getLowering('range')!({} as LowerContext, node, [], 0)).toThrow(/compile-time constants/);
  });
});

describe('movement lowering: resize', () => {
  const scales = (g: GraphBuilder, v: number[]): Value => g.constant(Tensor.fromNumbers('f32', [v.length], v));
  const sizes = (g: GraphBuilder, v: number[]): Value => c64(g, v);

  it('nearest under every nearest_mode and coordinate transform', async () => {
    for (const nearest of ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil']) {
      for (const ct of ['half_pixel', 'asymmetric', 'align_corners', 'pytorch_half_pixel', 'tf_half_pixel_for_nn', 'half_pixel_symmetric']) {
        await agree(buildModule([sample('f32', [1, 2, 3, 4])], (g, [x]) => [
          op(g, 'resize', [x!, null, scales(g, [1, 1, 2.5, 0.75]), null], { mode: 'nearest', coordinate_transformation_mode: ct, nearest_mode: nearest }),
        ]));
      }
    }
    await agree(buildModule([sample('i64', [2, 3])], (g, [x]) => [op(g, 'resize', [x!, null, null, sizes(g, [5, 7])], { mode: 'nearest' })]));
  });

  it('linear and cubic, with exclude_outside, antialias and sizes', async () => {
    for (const mode of ['linear', 'cubic']) {
      for (const ct of ['half_pixel', 'align_corners', 'asymmetric', 'pytorch_half_pixel']) {
        await agree(buildModule([sample('f32', [1, 1, 4, 5])], (g, [x]) => [
          op(g, 'resize', [x!, null, scales(g, [1, 1, 1.75, 0.6])], { mode, coordinate_transformation_mode: ct }),
        ]));
      }
      await agree(buildModule([sample('f32', [1, 1, 4, 4])], (g, [x]) => [
        op(g, 'resize', [x!, null, null, sizes(g, [3, 6])], { mode, exclude_outside: 1, axes: [2, 3], cubic_coeff_a: -0.5 }),
      ]));
      await agree(buildModule([sample('f32', [1, 1, 8, 7])], (g, [x]) => [
        op(g, 'resize', [x!, null, scales(g, [1, 1, 0.5, 0.6])], { mode, antialias: 1 }),
      ]));
    }
    await agree(buildModule([sample('f16', [2, 3, 4])], (g, [x]) => [op(g, 'resize', [x!, null, scales(g, [1, 2, 1.5])], { mode: 'linear' })]));
  });

  it('tf_crop_and_resize fills extrapolated points', async () => {
    for (const mode of ['nearest', 'linear']) {
      await agree(buildModule([sample('f32', [1, 1, 4, 4])], (g, [x]) => [
        op(g, 'resize', [x!, g.constant(Tensor.fromNumbers('f32', [4], [-0.2, 0.3, 0.9, 1.4])), null, sizes(g, [3, 5])], {
          mode, coordinate_transformation_mode: 'tf_crop_and_resize', axes: [2, 3], extrapolation_value: 9,
        }),
      ]));
    }
  });
});
