// Reference kernels: pad, tile, depth_to_space, space_to_depth, trilu, reverse_sequence, range, eye_like.
import { allocData, isBigInt, type DType } from '../../dtype.js';
import { Tensor, stridesOf } from '../../tensor.js';
import { staticSize } from '../../types.js';
import { defineKernel } from '../registry.js';
import { attrInt, attrString, normAxis, tensorInts } from '../../ops/movement-util.js';
import { padAmounts, rangeCount } from '../../ops/movement-misc.js';
import { copyRun, gatherByAxisMaps, permuteView, viewCopy, type Elems } from './movement-strided.js';

function need(inputs: readonly (Tensor | null)[], i: number, what: string): Tensor {
  const t = inputs[i];
  if (!t) throw new Error(`missing input ${what}`);
  return t;
}

/** Source index along one axis for an output index under a pad mode; -1 means "the constant". */
function padSource(mode: string, i: number, dim: number): number {
  if (i >= 0 && i < dim) return i;
  if (mode === 'constant') return -1;
  if (dim === 0) throw new Error(`pad mode ${mode} needs a non-empty axis`);
  if (mode === 'edge') return i < 0 ? 0 : dim - 1;
  if (mode === 'wrap') return ((i % dim) + dim) % dim;
  // reflect: mirror about the edge elements without repeating them.
  if (dim === 1) return 0;
  const period = 2 * (dim - 1);
  let r = ((i % period) + period) % period;
  if (r >= dim) r = period - r;
  return r;
}

defineKernel('pad', (inputs, attrs) => {
  const x = need(inputs, 0, 'data');
  const pads = tensorInts(need(inputs, 1, 'pads'));
  const axes = inputs[3] ? tensorInts(inputs[3]) : undefined;
  const mode = attrString(attrs, 'mode', 'constant');
  const [begin, end] = padAmounts(x.rank, pads, axes);
  const shape = x.shape.map((d, i) => d + begin[i]! + end[i]!);
  if (shape.some((d) => d < 0)) throw new Error('pad crops an axis below zero');
  const zero = allocData(x.dtype, 1) as unknown as Elems;
  const cv = inputs[2] && inputs[2].size > 0 ? (inputs[2].data as unknown as Elems)[0] : zero[0];
  const st = stridesOf(x.shape);
  // Per axis: source offset (index × stride) of each output index, or -1 for the constant.
  const maps = shape.map((d, k) => {
    const m = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      const src = padSource(mode, i - begin[k]!, x.shape[k]!);
      m[i] = src < 0 ? -1 : src * st[k]!;
    }
    return m;
  });
  return [gatherByAxisMaps(x, shape, maps, cv)];
});

defineKernel('tile', (inputs) => {
  const x = need(inputs, 0, 'data');
  const reps = tensorInts(need(inputs, 1, 'repeats'));
  if (reps.length !== x.rank) throw new Error(`tile has ${reps.length} repeats for rank ${x.rank}`);
  // View [r0, d0, r1, d1, ...] with stride 0 on the repeat dims, then merge pairs.
  const st = stridesOf(x.shape);
  const viewShape: number[] = [];
  const viewStrides: number[] = [];
  x.shape.forEach((d, i) => {
    if (reps[i]! < 0) throw new Error('tile repeats must be non-negative');
    viewShape.push(reps[i]!, d);
    viewStrides.push(0, st[i]!);
  });
  const t = viewCopy(x, 0, viewShape, viewStrides);
  return [t.reshape(x.shape.map((d, i) => d * reps[i]!))];
});

function blockDims(x: Tensor, b: number): [number, number, number, number] {
  if (x.rank !== 4) throw new Error('expects a 4-D NCHW input');
  if (!Number.isInteger(b) || b < 1) throw new Error(`invalid blocksize ${b}`);
  return x.shape as [number, number, number, number];
}

defineKernel('depth_to_space', (inputs, attrs) => {
  const x = need(inputs, 0, 'data');
  const b = attrInt(attrs, 'blocksize', 0);
  const [n, c, h, w] = blockDims(x, b);
  if (c % (b * b) !== 0) throw new Error(`channels ${c} not divisible by blocksize² ${b * b}`);
  const cc = c / (b * b);
  const t = attrString(attrs, 'mode', 'DCR') === 'DCR'
    ? permuteView(x, [n, b, b, cc, h, w], [0, 3, 4, 1, 5, 2])
    : permuteView(x, [n, cc, b, b, h, w], [0, 1, 4, 2, 5, 3]);
  return [t.reshape([n, cc, h * b, w * b])];
});

defineKernel('space_to_depth', (inputs, attrs) => {
  const x = need(inputs, 0, 'data');
  const b = attrInt(attrs, 'blocksize', 0);
  const [n, c, h, w] = blockDims(x, b);
  if (h % b !== 0 || w % b !== 0) throw new Error(`spatial dims ${h}x${w} not divisible by blocksize ${b}`);
  const t = permuteView(x, [n, c, h / b, b, w / b, b], [0, 3, 5, 1, 2, 4]);
  return [t.reshape([n, c * b * b, h / b, w / b])];
});

defineKernel('trilu', (inputs, attrs) => {
  const x = need(inputs, 0, 'data');
  if (x.rank < 2) throw new Error('trilu needs rank >= 2');
  const k = inputs[1] && inputs[1].size > 0 ? inputs[1].getNumber(0) : 0;
  const upper = attrInt(attrs, 'upper', 1) !== 0;
  const rows = x.shape[x.rank - 2]!;
  const cols = x.shape[x.rank - 1]!;
  const out = allocData(x.dtype, x.size);
  const mats = rows * cols === 0 ? 0 : x.size / (rows * cols);
  for (let m = 0; m < mats; m++) {
    for (let i = 0; i < rows; i++) {
      // Kept columns of row i: j - i >= k (upper) or j - i <= k (lower).
      const lo = upper ? Math.max(0, Math.min(cols, i + k)) : 0;
      const hi = upper ? cols : Math.max(0, Math.min(cols, i + k + 1));
      const row = (m * rows + i) * cols;
      copyRun(out, row + lo, x.data, row + lo, hi - lo);
    }
  }
  return [new Tensor(x.dtype, x.shape, out)];
});

defineKernel('reverse_sequence', (inputs, attrs) => {
  const x = need(inputs, 0, 'data');
  const lens = tensorInts(need(inputs, 1, 'sequence_lens'));
  const ba = normAxis(attrInt(attrs, 'batch_axis', 1), x.rank, 'batch_axis');
  const ta = normAxis(attrInt(attrs, 'time_axis', 0), x.rank, 'time_axis');
  const st = stridesOf(x.shape);
  const nb = x.shape[ba]!;
  const nt = x.shape[ta]!;
  if (lens.length !== nb) throw new Error(`sequence_lens has ${lens.length} entries for batch ${nb}`);
  const out = allocData(x.dtype, x.size);
  const o = out as unknown as Elems;
  const s = x.data as unknown as Elems;
  for (let i = 0; i < x.size; i++) {
    const t = Math.floor(i / st[ta]!) % nt;
    const len = Math.min(Math.max(lens[Math.floor(i / st[ba]!) % nb]!, 0), nt);
    o[i] = t < len ? s[i + (len - 1 - 2 * t) * st[ta]!] : s[i];
  }
  return [new Tensor(x.dtype, x.shape, out)];
});

defineKernel('range', (inputs) => {
  const a = need(inputs, 0, 'start');
  const b = need(inputs, 1, 'limit');
  const c = need(inputs, 2, 'delta');
  const dtype: DType = a.dtype;
  if (isBigInt(dtype)) {
    const s = a.getBigInt(0);
    const l = b.getBigInt(0);
    const d = c.getBigInt(0);
    if (d === 0n) throw new Error('range delta must not be 0');
    const diff = l - s;
    // Ceiling division on bigints, clamped at 0.
    let n = diff / d;
    if (n * d !== diff) n += 1n;
    const count = n > 0n ? Number(n) : 0;
    const out = dtype === 'i64' ? new BigInt64Array(count) : new BigUint64Array(count);
    for (let i = 0; i < count; i++) out[i] = s + BigInt(i) * d;
    return [new Tensor(dtype, [count], out)];
  }
  const s = a.getNumber(0);
  const d = c.getNumber(0);
  const count = rangeCount(s, b.getNumber(0), d);
  const out = Tensor.zeros(dtype, [count]);
  for (let i = 0; i < count; i++) out.setNumber(i, s + i * d);
  return [out];
});

defineKernel('eye_like', (inputs, attrs) => {
  const x = need(inputs, 0, 'data');
  if (x.rank !== 2) throw new Error('eye_like needs a 2-D input');
  const dtype = attrString(attrs, 'dtype', x.dtype) as DType;
  const k = attrInt(attrs, 'k', 0);
  const [rows, cols] = x.shape as [number, number];
  const out = Tensor.zeros(dtype, [rows, cols]);
  for (let i = 0; i < rows; i++) {
    const j = i + k;
    if (j >= 0 && j < cols) out.setNumber(i * cols + j, 1);
  }
  return [out];
});
