// Movement op definitions (shape inference) and reference kernels, on hand-computed values.
import { describe, it, expect } from 'vitest';
import '../../src/ir/ops/index.js';
import '../../src/ir/interpret/kernels/index.js';
import { getOpDef } from '../../src/ir/ops/registry.js';
import { getKernel } from '../../src/ir/interpret/registry.js';
import { Tensor } from '../../src/ir/tensor.js';
import type { Attrs } from '../../src/ir/graph.js';
import type { Dim, TensorType } from '../../src/ir/types.js';

const i64 = (v: (number | bigint)[], shape = [v.length]): Tensor => Tensor.fromBigInts('i64', shape, v.map((x) => BigInt(x)));
const f32 = (shape: number[], v: number[]): Tensor => Tensor.fromNumbers('f32', shape, v);
const iota = (shape: number[]): Tensor => f32(shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i));
const strs = (shape: number[], v: string[]): Tensor => new Tensor('string', shape, v);

function run(op: string, inputs: (Tensor | null)[], attrs: Attrs = {}, outputs = 1): Tensor[] {
  const k = getKernel(op)!;
  const node = { id: 0, op, inputs: [], outputs: Array.from({ length: outputs }, (_, i) => ({ id: i, name: 'o', type: { dtype: 'f32' as const, shape: null } })), attrs, regions: [] };
  return k(inputs, attrs, { node, runRegion: () => [] });
}
const run1 = (op: string, inputs: (Tensor | null)[], attrs: Attrs = {}): Tensor => run(op, inputs, attrs)[0]!;

function infer(op: string, inputs: (TensorType | null)[], consts: (Tensor | undefined)[] = [], attrs: Attrs = {}): TensorType[] {
  return getOpDef(op)!.infer({ inputs, attrs, consts, regions: [] });
}
const T = (shape: Dim[] | null, dtype: TensorType['dtype'] = 'f32'): TensorType => ({ dtype, shape });
const typeOf = (t: Tensor): TensorType => ({ dtype: t.dtype, shape: t.shape });
const isSym = (d: Dim | undefined): boolean => typeof d === 'string';

describe('movement shape inference', () => {
  it('reshape resolves 0 and -1, cancelling shared symbols', () => {
    const s = i64([0, -1]);
    expect(infer('reshape', [T(['N', 3, 4]), typeOf(s)], [undefined, s])[0]!.shape).toEqual(['N', 12]);
    const s2 = i64([-1, 4]);
    const r2 = infer('reshape', [T(['N', 3, 4]), typeOf(s2)], [undefined, s2])[0]!.shape!;
    expect(isSym(r2[0]) && r2[0] !== 'N' && r2[1] === 4).toBe(true);
    const s3 = i64([2, -1]);
    expect(infer('reshape', [T([4, 3]), typeOf(s3)], [undefined, s3])[0]!.shape).toEqual([2, 6]);
    expect(() => infer('reshape', [T([4, 3]), typeOf(i64([5, -1]))], [undefined, i64([5, -1])])).toThrow(/divide/);
    // A run-time shape of known length gives the rank.
    const shape = infer('reshape', [T([4, 3]), T([3], 'i64')])[0]!.shape!;
    expect(shape.length).toBe(3);
    expect(shape.every(isSym)).toBe(true);
  });

  it('slice keeps symbolic dims sliced whole and computes static ones', () => {
    const starts = i64([0, 1]);
    const ends = i64([9223372036854775807n, -1]);
    const out = infer('slice', [T(['N', 10]), typeOf(starts), typeOf(ends)], [undefined, starts, ends])[0]!.shape;
    expect(out).toEqual(['N', 8]);
    const steps = i64([-2]);
    const axes = i64([1]);
    const out2 = infer('slice', [T(['N', 10]), T([1], 'i64'), T([1], 'i64'), typeOf(axes), typeOf(steps)],
      [undefined, i64([-1]), i64([-9223372036854775808n]), axes, steps])[0]!.shape;
    expect(out2).toEqual(['N', 5]);
  });

  it('concat adds static extents and keeps symbolic others', () => {
    expect(infer('concat', [T(['N', 2]), T(['N', 3]), T([5, 1])], [], { axis: 1 })[0]!.shape).toEqual([5, 6]);
    expect(isSym(infer('concat', [T(['N', 2]), T(['M', 2])], [], { axis: 0 })[0]!.shape![0])).toBe(true);
    expect(() => infer('concat', [T([2, 2]), T([3, 2])], [], { axis: 1 })).toThrow();
  });

  it('expand, squeeze, unsqueeze, transpose, gather, gather_nd, pad, tile, resize', () => {
    const s = i64([2, 1, 4]);
    expect(infer('expand', [T([3, 1]), typeOf(s)], [undefined, s])[0]!.shape).toEqual([2, 3, 4]);
    expect(infer('squeeze', [T([1, 'N', 1])], [])[0]!.shape).toBeNull();
    expect(infer('squeeze', [T([1, 'N', 1]), T([1], 'i64')], [undefined, i64([-1])])[0]!.shape).toEqual([1, 'N']);
    expect(infer('unsqueeze', [T(['N', 3]), T([2], 'i64')], [undefined, i64([0, -1])])[0]!.shape).toEqual([1, 'N', 3, 1]);
    expect(infer('transpose', [T(['N', 3, 5])], [], { perm: [2, 0, 1] })[0]!.shape).toEqual([5, 'N', 3]);
    expect(infer('transpose', [T(['N', 3, 5])])[0]!.shape).toEqual([5, 3, 'N']);
    expect(infer('gather', [T(['N', 3, 5]), T([2, 7], 'i64')], [], { axis: -2 })[0]!.shape).toEqual(['N', 2, 7, 5]);
    expect(infer('gather_nd', [T([2, 3, 4, 5]), T([2, 6, 2], 'i64')], [], { batch_dims: 1 })[0]!.shape).toEqual([2, 6, 5]);
    const pads = i64([0, 1, 0, 2]);
    expect(infer('pad', [T(['N', 3]), typeOf(pads)], [undefined, pads])[0]!.shape).toEqual(['N', 6]);
    const reps = i64([1, 3]);
    expect(infer('tile', [T(['N', 3]), typeOf(reps)], [undefined, reps])[0]!.shape).toEqual(['N', 9]);
    const sc = f32([4], [1, 1, 2, 0.5]);
    expect(infer('resize', [T(['N', 3, 4, 6]), null, typeOf(sc), null], [undefined, undefined, sc, undefined], { mode: 'linear' })[0]!.shape)
      .toEqual(['N', 3, 8, 3]);
    const sizes = i64([5, 5]);
    expect(infer('resize', [T(['N', 3, 4, 8]), null, null, typeOf(sizes)], [undefined, undefined, undefined, sizes], { axes: [2, 3], keep_aspect_ratio_policy: 'not_larger' })[0]!.shape)
      .toEqual(['N', 3, 3, 5]);
  });

  it('split sizes, range and one_hot from constants', () => {
    const parts = infer('split', [T(['N', 7])], [], { axis: 1, num_outputs: 3 });
    expect(parts.map((p) => p.shape)).toEqual([['N', 3], ['N', 3], ['N', 1]]);
    const r = infer('range', [T([], 'i64'), T([], 'i64'), T([], 'i64')], [i64([10], []), i64([-3], []), i64([-4], [])]);
    expect(r[0]).toEqual({ dtype: 'i64', shape: [4] });
    const depth = i64([5], []);
    expect(infer('one_hot', [T([2, 3], 'i64'), typeOf(depth), T([2])], [undefined, depth], { axis: 0 })[0]!.shape).toEqual([5, 2, 3]);
    expect(infer('non_zero', [T([2, 3])])[0]!.shape![0]).toBe(2);
  });
});

describe('movement kernels', () => {
  it('transpose and slice on strings and bigints', () => {
    const s = strs([2, 3], ['a', 'b', 'c', 'd', 'e', 'f']);
    expect(run1('transpose', [s]).data).toEqual(['a', 'd', 'b', 'e', 'c', 'f']);
    const big = i64([2n ** 62n + 1n, -(2n ** 62n) - 3n, 5n, 7n], [2, 2]);
    expect([...(run1('transpose', [big]).data as BigInt64Array)]).toEqual([2n ** 62n + 1n, 5n, -(2n ** 62n) - 3n, 7n]);
    const sl = run1('slice', [s, i64([1, -1]), i64([-9223372036854775808n, -9223372036854775808n]), i64([0, 1]), i64([-1, -2])]);
    expect(sl.shape).toEqual([2, 2]);
    expect(sl.data).toEqual(['f', 'd', 'c', 'a']);
  });

  it('slice clamps out-of-range bounds and returns empty tensors', () => {
    const x = iota([5]);
    expect([...(run1('slice', [x, i64([-100]), i64([100])]).data as Float32Array)]).toEqual([0, 1, 2, 3, 4]);
    expect(run1('slice', [x, i64([10]), i64([20])]).shape).toEqual([0]);
    expect([...(run1('slice', [x, i64([100]), i64([-100]), null, i64([-2])]).data as Float32Array)]).toEqual([4, 2, 0]);
  });

  it('gather strings and gather_elements with negative indices', () => {
    const s = strs([4, 2], ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    const g = run1('gather', [s, i64([3, 0, -1])]);
    expect(g.shape).toEqual([3, 2]);
    expect(g.data).toEqual(['g', 'h', 'a', 'b', 'g', 'h']);
    const ge = run1('gather_elements', [iota([2, 3]), i64([-1, 0, 1, 2], [2, 2])], { axis: 1 });
    expect([...(ge.data as Float32Array)]).toEqual([2, 0, 4, 5]);
    expect(() => run1('gather', [iota([3]), i64([3])])).toThrow(/out of range/);
  });

  it('scatter reductions are exact on i64', () => {
    const big = 2n ** 60n;
    const data = i64([big, 1n, 2n]);
    const out = run1('scatter_elements', [data, i64([0, 0, 2]), i64([1n, 2n, big])], { axis: 0, reduction: 'add' });
    expect([...(out.data as BigInt64Array)]).toEqual([big + 3n, 1n, big + 2n]);
    const nd = run1('scatter_nd', [data, i64([1, 1], [2, 1]), i64([3n, 5n])], { reduction: 'mul' });
    expect([...(nd.data as BigInt64Array)]).toEqual([big, 15n, 2n]);
    // The input stays untouched (kernels are also the constant folder).
    expect([...(data.data as BigInt64Array)]).toEqual([big, 1n, 2n]);
  });

  it('scatter on f16 and i32 multiplies without losing bits', () => {
    const h = Tensor.fromNumbers('f16', [2], [1.5, 2]);
    const out = run1('scatter_elements', [h, i64([1]), Tensor.fromNumbers('f16', [1], [0.25])], { reduction: 'add' });
    expect(out.toNumbers()).toEqual([1.5, 2.25]);
    const i = Tensor.fromNumbers('i32', [1], [123456789]);
    const m = run1('scatter_elements', [i, i64([0]), Tensor.fromNumbers('i32', [1], [987654321])], { reduction: 'mul' });
    expect(m.getNumber(0)).toBe(Math.imul(123456789, 987654321));
  });

  it('pad modes', () => {
    const x = f32([4], [1, 2, 3, 4]);
    const p = (mode: string, pads: number[]) => [...(run1('pad', [x, i64(pads)], { mode }).data as Float32Array)];
    expect(p('constant', [2, 1])).toEqual([0, 0, 1, 2, 3, 4, 0]);
    expect(p('reflect', [3, 3])).toEqual([4, 3, 2, 1, 2, 3, 4, 3, 2, 1]);
    expect(p('edge', [2, 1])).toEqual([1, 1, 1, 2, 3, 4, 4]);
    expect(p('wrap', [5, 2])).toEqual([4, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2]);
    expect(p('constant', [-1, -2])).toEqual([2]);
    const s = run1('pad', [strs([1], ['q']), i64([1, 1]), strs([], ['z'])]);
    expect(s.data).toEqual(['z', 'q', 'z']);
  });

  it('split into uneven parts', () => {
    const parts = run('split', [iota([7])], { axis: 0, num_outputs: 3 }, 3);
    expect(parts.map((t) => [...(t.data as Float32Array)])).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    const sized = run('split', [iota([2, 3]), i64([1, 2])], { axis: 1, num_outputs: 2 }, 2);
    expect(sized.map((t) => t.shape)).toEqual([[2, 1], [2, 2]]);
  });

  it('depth_to_space DCR and CRD, space_to_depth round trip', () => {
    const x = iota([1, 4, 1, 1]);
    expect([...(run1('depth_to_space', [x], { blocksize: 2, mode: 'DCR' }).data as Float32Array)]).toEqual([0, 1, 2, 3]);
    const y = iota([1, 8, 1, 1]);
    const dcr = run1('depth_to_space', [y], { blocksize: 2, mode: 'DCR' });
    expect([...(dcr.data as Float32Array)]).toEqual([0, 2, 4, 6, 1, 3, 5, 7]);
    const crd = run1('depth_to_space', [y], { blocksize: 2, mode: 'CRD' });
    expect([...(crd.data as Float32Array)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const z = iota([2, 3, 4, 6]);
    const back = run1('depth_to_space', [run1('space_to_depth', [z], { blocksize: 2 })], { blocksize: 2, mode: 'DCR' });
    expect([...(back.data as Float32Array)]).toEqual([...(z.data as Float32Array)]);
  });

  it('trilu, eye_like, range, one_hot, non_zero, compress, reverse_sequence', () => {
    const m = iota([3, 3]);
    expect([...(run1('trilu', [m, i64([1], [])], { upper: 1 }).data as Float32Array)]).toEqual([0, 1, 2, 0, 0, 5, 0, 0, 0]);
    expect([...(run1('trilu', [m], { upper: 0 }).data as Float32Array)]).toEqual([0, 0, 0, 3, 4, 0, 6, 7, 8]);
    expect(run1('eye_like', [iota([2, 3])], { dtype: 'i32', k: 1 }).toNumbers()).toEqual([0, 1, 0, 0, 0, 1]);
    const r = run1('range', [i64([2n ** 60n], []), i64([2n ** 60n + 7n], []), i64([3], [])]);
    expect([...(r.data as BigInt64Array)]).toEqual([2n ** 60n, 2n ** 60n + 3n, 2n ** 60n + 6n]);
    expect(run1('range', [f32([], [0]), f32([], [1]), f32([], [0.25])]).toNumbers()).toEqual([0, 0.25, 0.5, 0.75]);
    const oh = run1('one_hot', [i64([1, -1, 5]), i64([3], []), strs([2], ['n', 'y'])], { axis: -1 });
    expect(oh.data).toEqual(['n', 'y', 'n', 'n', 'n', 'y', 'n', 'n', 'n']);
    const nz = run1('non_zero', [strs([2, 2], ['', 'a', 'b', ''])]);
    expect(nz.shape).toEqual([2, 2]);
    expect([...(nz.data as BigInt64Array)]).toEqual([0n, 1n, 1n, 0n]);
    const c = run1('compress', [iota([2, 3]), Tensor.fromNumbers('bool', [2], [0, 1])], { axis: 1 });
    expect(c.shape).toEqual([2, 1]);
    expect(c.toNumbers()).toEqual([1, 4]);
    const rs = run1('reverse_sequence', [iota([3, 2]), i64([3, 2])], { batch_axis: 1, time_axis: 0 });
    expect(rs.toNumbers()).toEqual([4, 3, 2, 1, 0, 5]);
  });

  it('resize nearest keeps i64 values exact; linear on a known grid', () => {
    const big = i64([2n ** 62n + 1n, 3n], [1, 2]);
    const up = run1('resize', [big, null, f32([2], [1, 2]), null], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' });
    expect([...(up.data as BigInt64Array)]).toEqual([2n ** 62n + 1n, 2n ** 62n + 1n, 3n, 3n]);
    const lin = run1('resize', [f32([1, 2], [0, 1]), null, null, i64([1, 4])], { mode: 'linear', coordinate_transformation_mode: 'align_corners' });
    expect(lin.toNumbers().map((v) => Math.round(v * 1e6) / 1e6)).toEqual([0, 0.333333, 0.666667, 1]);
    const crop = run1('resize', [f32([1, 2], [0, 1]), f32([4], [0, -1, 1, 2]), null, i64([1, 4])],
      { mode: 'linear', coordinate_transformation_mode: 'tf_crop_and_resize', extrapolation_value: 7 });
    expect(crop.toNumbers()).toEqual([7, 0, 1, 7]);
  });

  it('expand and tile share storage logic for every dtype', () => {
    const b = Tensor.fromNumbers('bool', [2, 1], [1, 0]);
    expect(run1('expand', [b, i64([2, 3])]).toNumbers()).toEqual([1, 1, 1, 0, 0, 0]);
    const t = run1('tile', [strs([2], ['a', 'b']), i64([3])]);
    expect(t.data).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
    expect(run1('tile', [iota([2]), i64([0])]).shape).toEqual([0]);
  });
});
