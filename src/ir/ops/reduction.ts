// IR op definitions: reductions (reduce_*, arg_max/arg_min), cum_sum and top_k.
import type { Attrs } from '../graph.js';
import type { Tensor } from '../tensor.js';
import type { Dim, TensorType } from '../types.js';
import { freshDim, freshDims } from './movement-util.js';
import { defineOp, type InferArgs } from './registry.js';

/**
 * Normalises reduction axes against `rank`: negative axes count from the end; each axis must be
 * in range and appear once. Returns them sorted ascending.
 */
export function normalizeAxes(axes: readonly number[], rank: number): number[] {
  const out: number[] = [];
  for (const a of axes) {
    const k = a < 0 ? a + rank : a;
    if (!Number.isInteger(k) || k < 0 || k >= rank) {
      throw new Error(`axis ${a} is out of range for rank ${rank}`);
    }
    if (out.includes(k)) throw new Error(`axis ${a} appears twice`);
    out.push(k);
  }
  return out.sort((x, y) => x - y);
}

/** Normalises one axis (arg_max, cum_sum, top_k). */
export function normalizeAxis(axis: number, rank: number): number {
  return normalizeAxes([axis], rank)[0]!;
}

export function axesFromTensor(t: Tensor): number[] {
  const out: number[] = [];
  for (let i = 0; i < t.size; i++) out.push(t.getNumber(i));
  return out;
}

/**
 * What a reduce_* node reduces, given its axes operand (null when omitted): `'noop'` when the
 * node is the identity (empty axes with noop_with_empty_axes), else the sorted axes to reduce.
 */
export function reductionAxes(axes: Tensor | null, rank: number, attrs: Attrs): number[] | 'noop' {
  const list = axes ? axesFromTensor(axes) : [];
  if (list.length === 0) {
    if (attrs['noop_with_empty_axes'] === 1) return 'noop';
    return Array.from({ length: rank }, (_, i) => i);
  }
  return normalizeAxes(list, rank);
}

export function reducedShape<D>(shape: readonly D[], axes: readonly number[], keepdims: boolean, one: D): D[] {
  const out: D[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepdims) out.push(one);
  });
  return out;
}

function keepdimsOf(attrs: Attrs): boolean {
  return (attrs['keepdims'] ?? 1) !== 0;
}

function inferReduce({ inputs, attrs, consts }: InferArgs, dtypeCheck: (t: TensorType) => void): TensorType[] {
  const data = inputs[0];
  if (!data) throw new Error('reduction needs a data input');
  dtypeCheck(data);
  const axesType = inputs[1] ?? null;
  if (axesType && axesType.dtype !== 'i64') throw new Error(`axes must be i64, got ${axesType.dtype}`);
  if (data.shape === null) return [{ dtype: data.dtype, shape: null }];
  const rank = data.shape.length;
  const axesConst = consts[1];
  if (axesType && !axesConst) return [{ dtype: data.dtype, shape: runtimeAxesShape(data.shape, axesType, attrs) }];
  const axes = reductionAxes(axesConst ?? null, rank, attrs);
  if (axes === 'noop') return [{ dtype: data.dtype, shape: data.shape }];
  return [{ dtype: data.dtype, shape: reducedShape<Dim>(data.shape, axes, keepdimsOf(attrs), 1) }];
}

/** Result shape when the axes are known only at run time: the rank may survive, the dims don't. */
function runtimeAxesShape(shape: readonly Dim[], axesType: TensorType, attrs: Attrs): Dim[] | null {
  const n = axesType.shape?.length === 1 ? axesType.shape[0] : undefined;
  // With empty axes the op is either the identity or a full reduction: the rank is unknown.
  if (typeof n !== 'number' || n === 0) return null;
  if (keepdimsOf(attrs)) return shape.map((d) => (d === 1 ? 1 : freshDim('reduce')));
  return freshDims('reduce', shape.length - n);
}

const numeric = (t: TensorType): void => {
  if (t.dtype === 'string' || t.dtype === 'bool') throw new Error(`reduction of ${t.dtype} is not supported`);
};
const orderable = (t: TensorType): void => {
  if (t.dtype === 'string') throw new Error('reduction of string is not supported');
};

/**
 * reduce_sum, reduce_prod, reduce_mean, reduce_max, reduce_min.
 * Inputs: data, optional axes (i64 1-D). Attrs: keepdims (default 1), noop_with_empty_axes (default 0).
 * Omitted or empty axes reduce every axis unless noop_with_empty_axes is 1 (then identity).
 * Empty reductions give the identity: 0 (sum), 1 (prod), NaN (mean), -inf / +inf (max / min;
 * the dtype's lowest / highest value for integers).
 */
for (const name of ['reduce_sum', 'reduce_prod', 'reduce_mean'] as const) {
  defineOp({ name, kind: 'reduction', infer: (args) => inferReduce(args, numeric) });
}
for (const name of ['reduce_max', 'reduce_min'] as const) {
  defineOp({ name, kind: 'reduction', infer: (args) => inferReduce(args, orderable) });
}

/**
 * arg_max, arg_min: index (i64) of the extreme value along `axis`.
 * Attrs: axis (default 0), keepdims (default 1), select_last_index (default 0: first of ties).
 */
for (const name of ['arg_max', 'arg_min'] as const) {
  defineOp({
    name,
    kind: 'reduction',
    infer: ({ inputs, attrs }) => {
      const data = inputs[0];
      if (!data) throw new Error(`${name} needs a data input`);
      if (data.dtype === 'string') throw new Error(`${name} of string is not supported`);
      if (data.shape === null) return [{ dtype: 'i64', shape: null }];
      const axis = normalizeAxis(Number(attrs['axis'] ?? 0), data.shape.length);
      return [{ dtype: 'i64', shape: reducedShape<Dim>(data.shape, [axis], keepdimsOf(attrs), 1) }];
    },
  });
}

/**
 * cum_sum: inclusive (or exclusive) prefix sums along an axis, optionally from the end.
 * Inputs: data, axis (i32/i64 scalar or 1-element tensor). Attrs: exclusive, reverse (default 0).
 */
defineOp({
  name: 'cum_sum',
  kind: 'reduction',
  infer: ({ inputs }) => {
    const data = inputs[0];
    const axis = inputs[1];
    if (!data || !axis) throw new Error('cum_sum needs data and axis inputs');
    numeric(data);
    if (axis.dtype !== 'i32' && axis.dtype !== 'i64') throw new Error(`axis must be i32 or i64, got ${axis.dtype}`);
    return [{ dtype: data.dtype, shape: data.shape }];
  },
});

/**
 * top_k: the k largest (or smallest) elements along `axis`, and their i64 indices.
 * Inputs: data, k (i64, 1 element). Attrs: axis (default -1), largest (default 1), sorted (default 1).
 * Ties keep the lower index first. Outputs: values, indices.
 */
defineOp({
  name: 'top_k',
  kind: 'special',
  infer: ({ inputs, attrs, consts }) => {
    const data = inputs[0];
    const k = inputs[1];
    if (!data || !k) throw new Error('top_k needs data and k inputs');
    orderable(data);
    if (k.dtype !== 'i64') throw new Error(`k must be i64, got ${k.dtype}`);
    if (data.shape === null) return [{ dtype: data.dtype, shape: null }, { dtype: 'i64', shape: null }];
    const axis = normalizeAxis(Number(attrs['axis'] ?? -1), data.shape.length);
    const kConst = consts[1];
    if (!kConst) {
      const shape = data.shape.map((d, i) => (i === axis ? freshDim('top_k') : d));
      return [{ dtype: data.dtype, shape }, { dtype: 'i64', shape }];
    }
    const kv = kConst.getNumber(0);
    const extent = data.shape[axis]!;
    if (kv < 0 || (typeof extent === 'number' && kv > extent)) {
      throw new Error(`k = ${kv} is out of range for axis extent ${extent}`);
    }
    const shape = data.shape.map((d, i) => (i === axis ? kv : d));
    return [{ dtype: data.dtype, shape }, { dtype: 'i64', shape }];
  },
});
