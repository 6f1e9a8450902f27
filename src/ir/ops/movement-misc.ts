// IR op definitions: padding, tiling, block rearrangements, triangles and creation ops.
//
//   pad               (data, pads: i64[2n], constant_value?, axes?: i64[n]) {mode: constant|reflect|edge|wrap}
//   tile              (data, repeats: i64[rank])
//   depth_to_space    (data NCHW) {blocksize, mode: DCR|CRD}
//   space_to_depth    (data NCHW) {blocksize}
//   trilu             (data, k?: i64 scalar) {upper: 0|1}
//   reverse_sequence  (data, sequence_lens: i64[batch]) {batch_axis, time_axis}
//   range             (start, limit, delta: scalars) — host: shape arithmetic
//   eye_like          (data) {dtype?, k}
import { defineOp } from './registry.js';
import { attrInt, attrString, constInts, freshDim, freshDims, need, normAxis } from './movement-util.js';
import { ALL_DTYPES, type DType } from '../dtype.js';
import type { Dim } from '../types.js';

const PAD_MODES = new Set(['constant', 'reflect', 'edge', 'wrap']);

/** Per-axis [begin, end] pad amounts for a rank, from ONNX pads (all begins, then all ends) and optional axes. */
export function padAmounts(rank: number, pads: readonly number[], axes: readonly number[] | undefined): [number[], number[]] {
  const ax = axes ? axes.map((a) => normAxis(a, rank, 'pad axis')) : Array.from({ length: rank }, (_, i) => i);
  if (pads.length !== 2 * ax.length) throw new Error(`pad has ${pads.length} pads for ${ax.length} axes`);
  const begin = new Array<number>(rank).fill(0);
  const end = new Array<number>(rank).fill(0);
  ax.forEach((a, i) => {
    begin[a] = pads[i]!;
    end[a] = pads[i + ax.length]!;
  });
  return [begin, end];
}

defineOp({
  name: 'pad',
  kind: 'movement',
  infer({ inputs, attrs, consts }) {
    const x = need(inputs, 0, 'data');
    need(inputs, 1, 'pads');
    if (!PAD_MODES.has(attrString(attrs, 'mode', 'constant'))) throw new Error(`unknown pad mode ${attrString(attrs, 'mode', '')}`);
    if (!x.shape) return [{ dtype: x.dtype, shape: null }];
    const pads = constInts(consts[1]);
    const axes = inputs[3] ? constInts(consts[3]) : undefined;
    if (!pads || (inputs[3] && !axes)) return [{ dtype: x.dtype, shape: freshDims('pad', x.shape.length) }];
    const [begin, end] = padAmounts(x.shape.length, pads, axes);
    return [{
      dtype: x.dtype,
      shape: x.shape.map((d, i) => {
        const extra = begin[i]! + end[i]!;
        if (extra === 0) return d;
        if (typeof d !== 'number') return freshDim('pad');
        if (d + extra < 0) throw new Error(`pad crops axis ${i} below zero`);
        return d + extra;
      }),
    }];
  },
});

defineOp({
  name: 'tile',
  kind: 'movement',
  infer({ inputs, consts }) {
    const x = need(inputs, 0, 'data');
    need(inputs, 1, 'repeats');
    if (!x.shape) return [{ dtype: x.dtype, shape: null }];
    const reps = constInts(consts[1]);
    if (!reps) return [{ dtype: x.dtype, shape: freshDims('tile', x.shape.length) }];
    if (reps.length !== x.shape.length) throw new Error(`tile has ${reps.length} repeats for rank ${x.shape.length}`);
    return [{
      dtype: x.dtype,
      shape: x.shape.map((d, i) => {
        const r = reps[i]!;
        if (r < 0) throw new Error('tile repeats must be non-negative');
        if (r === 1) return d;
        if (r === 0) return 0;
        return typeof d === 'number' ? d * r : freshDim('tile');
      }),
    }];
  },
});

function blockShape(
  x: { shape: readonly Dim[] | null },
  b: number,
  f: (n: Dim, c: Dim, h: Dim, w: Dim) => Dim[],
): Dim[] | null {
  if (!x.shape) return null;
  if (x.shape.length !== 4) throw new Error('expects a 4-D NCHW input');
  if (!Number.isInteger(b) || b < 1) throw new Error(`invalid blocksize ${b}`);
  const [n, c, h, w] = x.shape as [Dim, Dim, Dim, Dim];
  return f(n, c, h, w);
}

defineOp({
  name: 'depth_to_space',
  kind: 'movement',
  infer({ inputs, attrs }) {
    const x = need(inputs, 0, 'data');
    const b = attrInt(attrs, 'blocksize', 0);
    const mode = attrString(attrs, 'mode', 'DCR');
    if (mode !== 'DCR' && mode !== 'CRD') throw new Error(`unknown depth_to_space mode ${mode}`);
    const shape = blockShape(x, b, (n, c, h, w) => {
      if (typeof c === 'number' && c % (b * b) !== 0) throw new Error(`channels ${c} not divisible by blocksize² ${b * b}`);
      return [
        n,
        typeof c === 'number' ? c / (b * b) : freshDim('d2s'),
        typeof h === 'number' ? h * b : freshDim('d2s'),
        typeof w === 'number' ? w * b : freshDim('d2s'),
      ];
    });
    return [{ dtype: x.dtype, shape }];
  },
});

defineOp({
  name: 'space_to_depth',
  kind: 'movement',
  infer({ inputs, attrs }) {
    const x = need(inputs, 0, 'data');
    const b = attrInt(attrs, 'blocksize', 0);
    const shape = blockShape(x, b, (n, c, h, w) => {
      for (const d of [h, w]) {
        if (typeof d === 'number' && d % b !== 0) throw new Error(`spatial dim ${d} not divisible by blocksize ${b}`);
      }
      return [
        n,
        typeof c === 'number' ? c * b * b : freshDim('s2d'),
        typeof h === 'number' ? h / b : freshDim('s2d'),
        typeof w === 'number' ? w / b : freshDim('s2d'),
      ];
    });
    return [{ dtype: x.dtype, shape }];
  },
});

defineOp({
  name: 'trilu',
  kind: 'movement',
  infer({ inputs }) {
    const x = need(inputs, 0, 'data');
    if (x.shape && x.shape.length < 2) throw new Error('trilu needs rank >= 2');
    return [{ dtype: x.dtype, shape: x.shape }];
  },
});

defineOp({
  name: 'reverse_sequence',
  kind: 'movement',
  infer({ inputs, attrs }) {
    const x = need(inputs, 0, 'data');
    need(inputs, 1, 'sequence_lens');
    if (x.shape) {
      const b = normAxis(attrInt(attrs, 'batch_axis', 1), x.shape.length, 'batch_axis');
      const t = normAxis(attrInt(attrs, 'time_axis', 0), x.shape.length, 'time_axis');
      if (b === t) throw new Error('batch_axis and time_axis must differ');
    }
    return [{ dtype: x.dtype, shape: x.shape }];
  },
});

/** Number of elements of range(start, limit, delta). */
export function rangeCount(start: number, limit: number, delta: number): number {
  if (delta === 0) throw new Error('range delta must not be 0');
  return Math.max(0, Math.ceil((limit - start) / delta));
}

defineOp({
  name: 'range',
  kind: 'host',
  infer({ inputs, consts }) {
    const s = need(inputs, 0, 'start');
    need(inputs, 1, 'limit');
    need(inputs, 2, 'delta');
    const [a, b, c] = [consts[0], consts[1], consts[2]];
    if (a && b && c) {
      return [{ dtype: s.dtype, shape: [rangeCount(a.getNumber(0), b.getNumber(0), c.getNumber(0))] }];
    }
    return [{ dtype: s.dtype, shape: [freshDim('range')] }];
  },
});

defineOp({
  name: 'eye_like',
  kind: 'movement',
  infer({ inputs, attrs }) {
    const x = need(inputs, 0, 'data');
    const dt = attrString(attrs, 'dtype', x.dtype);
    if (!ALL_DTYPES.includes(dt as DType) || dt === 'string') throw new Error(`eye_like dtype ${dt} invalid`);
    if (x.shape && x.shape.length !== 2) throw new Error('eye_like needs a 2-D input');
    return [{ dtype: dt as DType, shape: x.shape }];
  },
});
