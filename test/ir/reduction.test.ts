import { describe, it, expect } from 'vitest';
import '../../src/ir/ops/reduction.js';
import '../../src/ir/interpret/kernels/reduction.js';
import { getKernel } from '../../src/ir/interpret/registry.js';
import { getOpDef } from '../../src/ir/ops/registry.js';
import type { Attrs } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';

function run(op: string, inputs: (Tensor | null)[], attrs: Attrs = {}): Tensor[] {
  const k = getKernel(op);
  if (!k) throw new Error(`no kernel ${op}`);
  return k(inputs, attrs, { node: { id: 0, op, inputs: [], outputs: [], attrs, regions: [] }, runRegion: () => [] });
}
const axes = (...a: number[]): Tensor => Tensor.fromBigInts('i64', [a.length], a.map(BigInt));
const x234 = Tensor.fromNumbers('f32', [2, 3, 4], Array.from({ length: 24 }, (_, i) => i));

describe('reduce_* kernels', () => {
  it('sums over middle, outer, inner and all axes', () => {
    const mid = run('reduce_sum', [x234, axes(1)], { keepdims: 1 })[0]!;
    expect(mid.shape).toEqual([2, 1, 4]);
    expect(mid.toNumbers()).toEqual([12, 15, 18, 21, 48, 51, 54, 57]);
    const outerInner = run('reduce_sum', [x234, axes(0, -1)], { keepdims: 0 })[0]!;
    expect(outerInner.shape).toEqual([3]);
    expect(outerInner.toNumbers()).toEqual([6 + 54, 22 + 70, 38 + 86]);
    const all = run('reduce_sum', [x234, null], { keepdims: 0 })[0]!;
    expect(all.shape).toEqual([]);
    expect(all.toNumbers()).toEqual([276]);
  });

  it('treats empty axes as all axes, or as identity with noop_with_empty_axes', () => {
    expect(run('reduce_max', [x234, axes()], { keepdims: 1 })[0]!.shape).toEqual([1, 1, 1]);
    expect(run('reduce_sum', [x234, axes()], { keepdims: 1, noop_with_empty_axes: 1 })[0]).toBe(x234);
  });

  it('computes mean, prod, max and min', () => {
    const t = Tensor.fromNumbers('f32', [2, 3], [1, -2, 3, 4, 5, -6]);
    expect(run('reduce_mean', [t, axes(1)], { keepdims: 0 })[0]!.toNumbers()).toEqual([2 / 3, 1].map(Math.fround));
    expect(run('reduce_prod', [t, axes(0)], { keepdims: 0 })[0]!.toNumbers()).toEqual([4, -10, -18]);
    expect(run('reduce_max', [t, axes(1)], { keepdims: 0 })[0]!.toNumbers()).toEqual([3, 5]);
    expect(run('reduce_min', [t, axes(1)], { keepdims: 0 })[0]!.toNumbers()).toEqual([-2, -6]);
  });

  it('gives the identity for an empty reduction', () => {
    const empty = Tensor.zeros('f32', [2, 0, 3]);
    const sum = run('reduce_sum', [empty, axes(1)], { keepdims: 1 })[0]!;
    expect(sum.shape).toEqual([2, 1, 3]);
    expect(sum.toNumbers()).toEqual([0, 0, 0, 0, 0, 0]);
    expect(run('reduce_prod', [empty, axes(1)], { keepdims: 0 })[0]!.toNumbers()).toEqual([1, 1, 1, 1, 1, 1]);
    expect(run('reduce_max', [empty, axes(1)], { keepdims: 0 })[0]!.toNumbers()[0]).toBe(-Infinity);
    expect(run('reduce_min', [empty, axes(1)], { keepdims: 0 })[0]!.toNumbers()[0]).toBe(Infinity);
    const intMax = run('reduce_max', [Tensor.zeros('i32', [0]), null], { keepdims: 0 })[0]!;
    expect(intMax.toNumbers()).toEqual([-(2 ** 31)]);
    expect(run('reduce_sum', [empty, axes(0)], { keepdims: 0 })[0]!.shape).toEqual([0, 3]);
  });

  it('is exact on i64 and propagates NaN through max', () => {
    const big = Tensor.fromBigInts('i64', [2], [2n ** 62n + 1n, 2n ** 62n]);
    expect(run('reduce_sum', [big, null], { keepdims: 0 })[0]!.data).toEqual(BigInt64Array.from([2n ** 63n + 1n - 2n ** 64n]));
    expect(run('reduce_mean', [big, null], { keepdims: 0 })[0]!.getBigInt(0)).toBe(2n ** 62n);
    const nan = Tensor.fromNumbers('f32', [3], [1, NaN, 2]);
    expect(run('reduce_max', [nan, null], { keepdims: 0 })[0]!.toNumbers()[0]).toBeNaN();
  });

  it('works on f16 and wraps i32 products', () => {
    const h = Tensor.fromNumbers('f16', [2, 2], [0.5, 1.5, 2, 4]);
    expect(run('reduce_sum', [h, axes(0)], { keepdims: 0 })[0]!.toNumbers()).toEqual([2.5, 5.5]);
    const i = Tensor.fromNumbers('i32', [2], [65536, 65537]);
    expect(run('reduce_prod', [i, null], { keepdims: 0 })[0]!.toNumbers()).toEqual([65536]);
  });

  it('infers shapes from constant axes and attributes', () => {
    const def = getOpDef('reduce_sum')!;
    const [t] = def.infer({ inputs: [{ dtype: 'f32', shape: [2, 'n', 4] }, { dtype: 'i64', shape: [1] }], attrs: { keepdims: 0 }, consts: [undefined, axes(-1)], regions: [] });
    expect(t).toEqual({ dtype: 'f32', shape: [2, 'n'] });
    const [u] = def.infer({ inputs: [{ dtype: 'f32', shape: [2, 3] }, null], attrs: { keepdims: 1 }, consts: [], regions: [] });
    expect(u!.shape).toEqual([1, 1]);
    expect(() => def.infer({ inputs: [{ dtype: 'f32', shape: [2] }, { dtype: 'i64', shape: [1] }], attrs: {}, consts: [undefined, axes(3)], regions: [] })).toThrow(/out of range/);
  });

  it('keeps what it can of the shape when axes are known only at run time', () => {
    const def = getOpDef('reduce_max')!;
    const infer = (keepdims: number, axesShape: number[]) => def.infer({
      inputs: [{ dtype: 'f32', shape: [1, 3, 4] }, { dtype: 'i64', shape: axesShape }], attrs: { keepdims }, consts: [], regions: [],
    })[0]!.shape;
    const kept = infer(1, [2])!;
    expect(kept).toHaveLength(3);
    expect(kept[0]).toBe(1);
    expect(typeof kept[1]).toBe('string');
    expect(infer(0, [2])).toHaveLength(1);
    expect(infer(0, [0])).toBeNull();
  });

  it('infers arg_max and top_k types', () => {
    const [a] = getOpDef('arg_min')!.infer({ inputs: [{ dtype: 'f16', shape: [2, 5, 3] }], attrs: { axis: -2, keepdims: 0 }, consts: [], regions: [] });
    expect(a).toEqual({ dtype: 'i64', shape: [2, 3] });
    const topk = getOpDef('top_k')!;
    const [v, i] = topk.infer({ inputs: [{ dtype: 'f32', shape: ['n', 7] }, { dtype: 'i64', shape: [1] }], attrs: { axis: 1 }, consts: [undefined, axes(3)], regions: [] });
    expect(v).toEqual({ dtype: 'f32', shape: ['n', 3] });
    expect(i).toEqual({ dtype: 'i64', shape: ['n', 3] });
    const [w] = topk.infer({ inputs: [{ dtype: 'f32', shape: ['n', 7] }, { dtype: 'i64', shape: [1] }], attrs: {}, consts: [], regions: [] });
    expect(w!.shape![0]).toBe('n');
    expect(typeof w!.shape![1]).toBe('string');
    expect(() => topk.infer({ inputs: [{ dtype: 'f32', shape: [2, 7] }, { dtype: 'i64', shape: [1] }], attrs: {}, consts: [undefined, axes(8)], regions: [] })).toThrow(/out of range/);
  });
});

describe('arg_max / arg_min', () => {
  const t = Tensor.fromNumbers('f32', [2, 3], [2, 5, 5, 7, 1, 1]);
  it('picks the first or last of ties', () => {
    expect(run('arg_max', [t], { axis: 1, keepdims: 0 })[0]!.toNumbers()).toEqual([1, 0]);
    expect(run('arg_max', [t], { axis: 1, keepdims: 0, select_last_index: 1 })[0]!.toNumbers()).toEqual([2, 0]);
    const mn = run('arg_min', [t], { axis: -1, keepdims: 1, select_last_index: 1 })[0]!;
    expect(mn.shape).toEqual([2, 1]);
    expect(mn.toNumbers()).toEqual([0, 2]);
    expect(run('arg_min', [t], { axis: 0 })[0]!.toNumbers()).toEqual([0, 1, 1]);
  });
  it('handles i64 and NaN', () => {
    const b = Tensor.fromBigInts('i64', [3], [2n ** 60n + 1n, 2n ** 60n + 2n, 2n ** 60n]);
    expect(run('arg_max', [b], { axis: 0, keepdims: 0 })[0]!.toNumbers()).toEqual([1]);
    const n = Tensor.fromNumbers('f32', [3], [1, NaN, 3]);
    expect(run('arg_max', [n], { axis: 0, keepdims: 0 })[0]!.toNumbers()).toEqual([1]);
    expect(run('arg_min', [n], { axis: 0, keepdims: 0 })[0]!.toNumbers()).toEqual([1]);
  });
});

describe('cum_sum', () => {
  const x = Tensor.fromNumbers('f32', [2, 3], [1, 2, 3, 4, 5, 6]);
  const ax = (a: number): Tensor => Tensor.fromNumbers('i32', [], [a]);
  it('scans inclusive, exclusive, reversed', () => {
    expect(run('cum_sum', [x, ax(1)])[0]!.toNumbers()).toEqual([1, 3, 6, 4, 9, 15]);
    expect(run('cum_sum', [x, ax(0)])[0]!.toNumbers()).toEqual([1, 2, 3, 5, 7, 9]);
    expect(run('cum_sum', [x, ax(-1)], { exclusive: 1 })[0]!.toNumbers()).toEqual([0, 1, 3, 0, 4, 9]);
    expect(run('cum_sum', [x, ax(1)], { reverse: 1 })[0]!.toNumbers()).toEqual([6, 5, 3, 15, 11, 6]);
    expect(run('cum_sum', [x, ax(1)], { reverse: 1, exclusive: 1 })[0]!.toNumbers()).toEqual([5, 3, 0, 11, 6, 0]);
  });
  it('is exact on i64', () => {
    const b = Tensor.fromBigInts('i64', [2], [2n ** 60n, 1n]);
    expect(run('cum_sum', [b, ax(0)])[0]!.getBigInt(1)).toBe(2n ** 60n + 1n);
  });
});

describe('top_k', () => {
  const k = (n: number): Tensor => Tensor.fromBigInts('i64', [1], [BigInt(n)]);
  it('returns largest / smallest with stable ties along an axis', () => {
    const x = Tensor.fromNumbers('f32', [2, 4], [1, 3, 3, 2, 9, 8, 7, 9]);
    const [v, i] = run('top_k', [x, k(2)], { axis: -1, largest: 1, sorted: 1 });
    expect(v!.shape).toEqual([2, 2]);
    expect(v!.toNumbers()).toEqual([3, 3, 9, 9]);
    expect(i!.toNumbers()).toEqual([1, 2, 0, 3]);
    const [sv, si] = run('top_k', [x, k(3)], { axis: 1, largest: 0 });
    expect(sv!.toNumbers()).toEqual([1, 2, 3, 7, 8, 9]);
    expect(si!.toNumbers()).toEqual([0, 3, 1, 2, 1, 0]);
  });
  it('selects the same with a small k on a long line as a full sort would', () => {
    const n = 200;
    const vals = Array.from({ length: n }, (_, j) => (j * 37) % 23);
    const x = Tensor.fromNumbers('f32', [n], vals);
    const [v, i] = run('top_k', [x, k(5)], { axis: 0 });
    const expected = vals.map((val, j) => [val, j] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, 5);
    expect(v!.toNumbers()).toEqual(expected.map((e) => e[0]));
    expect(i!.toNumbers()).toEqual(expected.map((e) => e[1]));
    const [sv] = run('top_k', [Tensor.fromNumbers('f32', [20], [...Array(19).fill(1), NaN]), k(2)], { axis: 0 });
    expect(sv!.toNumbers()[0]).toBeNaN();
  });
  it('works along a non-last axis', () => {
    const x = Tensor.fromNumbers('i32', [3, 2], [1, 6, 5, 2, 3, 4]);
    const [v, i] = run('top_k', [x, k(1)], { axis: 0 });
    expect(v!.shape).toEqual([1, 2]);
    expect(v!.toNumbers()).toEqual([5, 6]);
    expect(i!.toNumbers()).toEqual([1, 0]);
  });
});
