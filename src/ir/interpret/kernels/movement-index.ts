// Reference kernels: gathers, scatters, one_hot, compress, non_zero.
import { allocData, isBigInt, type DType } from '../../dtype.js';
import { Tensor, stridesOf } from '../../tensor.js';
import { staticSize } from '../../types.js';
import { defineKernel } from '../registry.js';
import { attrInt, attrString, normAxis } from '../../ops/movement-util.js';
import { copyRun, indexList, isTyped, type Elems } from './movement-strided.js';

function need(inputs: readonly (Tensor | null)[], i: number, what: string): Tensor {
  const t = inputs[i];
  if (!t) throw new Error(`missing input ${what}`);
  return t;
}

defineKernel('gather', (inputs, attrs) => {
  const x = need(inputs, 0, 'data');
  const idxT = need(inputs, 1, 'indices');
  const axis = normAxis(attrInt(attrs, 'axis', 0), x.rank, 'gather axis');
  const dim = x.shape[axis]!;
  const idx = indexList(idxT, dim, 'gather');
  const outer = staticSize(x.shape.slice(0, axis));
  const inner = staticSize(x.shape.slice(axis + 1));
  const shape = [...x.shape.slice(0, axis), ...idxT.shape, ...x.shape.slice(axis + 1)];
  const out = allocData(x.dtype, staticSize(shape));
  const n = idx.length;
  let at = 0;
  for (let o = 0; o < outer; o++) {
    const base = o * dim * inner;
    for (let i = 0; i < n; i++) {
      copyRun(out, at, x.data, base + idx[i]! * inner, inner);
      at += inner;
    }
  }
  return [new Tensor(x.dtype, shape, out)];
});

/**
 * Calls `f(outFlat, dataFlat)` for every element of an indices-shaped tensor, where dataFlat is
 * the data position with the `axis` coordinate replaced by the index value.
 */
function forEachElementIndex(
  dataShape: readonly number[], idxShape: readonly number[], axis: number, idx: ArrayLike<number>,
  f: (i: number, j: number) => void,
): void {
  const rank = idxShape.length;
  const n = staticSize(idxShape);
  if (n === 0) return;
  const ds = stridesOf(dataShape);
  const coord = new Array<number>(rank).fill(0);
  let base = 0; // data offset of the current coordinate without the axis term
  for (let i = 0; i < n; i++) {
    f(i, base + idx[i]! * ds[axis]!);
    for (let k = rank - 1; k >= 0; k--) {
      coord[k]!++;
      if (k !== axis) base += ds[k]!;
      if (coord[k]! < idxShape[k]!) break;
      if (k !== axis) base -= ds[k]! * idxShape[k]!;
      coord[k] = 0;
    }
  }
}

function checkElementShapes(x: Tensor, idx: Tensor, axis: number, what: string): void {
  if (idx.rank !== x.rank) throw new Error(`${what} data and indices differ in rank`);
  for (let k = 0; k < x.rank; k++) {
    if (k !== axis && idx.shape[k]! > x.shape[k]!) throw new Error(`${what} indices dim ${k} exceeds the data`);
  }
}

defineKernel('gather_elements', (inputs, attrs) => {
  const x = need(inputs, 0, 'data');
  const idxT = need(inputs, 1, 'indices');
  const axis = normAxis(attrInt(attrs, 'axis', 0), x.rank, 'gather_elements axis');
  checkElementShapes(x, idxT, axis, 'gather_elements');
  const idx = indexList(idxT, x.shape[axis]!, 'gather_elements');
  const out = allocData(x.dtype, idxT.size);
  const o = out as unknown as Elems;
  const s = x.data as unknown as Elems;
  forEachElementIndex(x.shape, idxT.shape, axis, idx, (i, j) => { o[i] = s[j]; });
  return [new Tensor(x.dtype, idxT.shape, out)];
});

/** Combines `upd[j]` into `out[i]` under a scatter reduction, for the storage of `dtype`. */
type Combine = (out: Tensor, i: number, upd: Tensor, j: number) => void;

function combiner(dtype: DType, reduction: string): Combine {
  if (reduction === 'none') {
    return (out, i, upd, j) => { (out.data as unknown as Elems)[i] = (upd.data as unknown as Elems)[j]; };
  }
  if (dtype === 'string') throw new Error(`scatter reduction ${reduction} on strings`);
  if (isBigInt(dtype)) {
    const f: (a: bigint, b: bigint) => bigint =
      reduction === 'add' ? (a, b) => a + b
        : reduction === 'mul' ? (a, b) => a * b
          : reduction === 'max' ? (a, b) => (a > b ? a : b)
            : (a, b) => (a < b ? a : b);
    // BigInt64Array stores wrap modulo 2^64, like the integer hardware the model expects.
    return (out, i, upd, j) => {
      const o = out.data as BigInt64Array;
      o[i] = f(o[i]!, (upd.data as BigInt64Array)[j]!);
    };
  }
  const int32 = dtype === 'i32' || dtype === 'u32';
  const f: (a: number, b: number) => number =
    reduction === 'add' ? (a, b) => a + b
      : reduction === 'mul' ? (int32 ? (a, b) => Math.imul(a, b) : (a, b) => a * b)
        : reduction === 'max' ? (a, b) => (a > b || Number.isNaN(a) ? a : b)
          : (a, b) => (a < b || Number.isNaN(a) ? a : b);
  if (dtype === 'f16' || dtype === 'bf16' || dtype === 'bool') {
    return (out, i, upd, j) => out.setNumber(i, f(out.getNumber(i), upd.getNumber(j)));
  }
  return (out, i, upd, j) => {
    const o = out.data as Float64Array;
    o[i] = f(o[i]!, (upd.data as Float64Array)[j]!);
  };
}

function copyTensor(t: Tensor): Tensor {
  const data = isTyped(t.data) ? t.data.slice() : [...t.data];
  return new Tensor(t.dtype, t.shape, data);
}

defineKernel('scatter_elements', (inputs, attrs) => {
  const x = need(inputs, 0, 'data');
  const idxT = need(inputs, 1, 'indices');
  const upd = need(inputs, 2, 'updates');
  const axis = normAxis(attrInt(attrs, 'axis', 0), x.rank, 'scatter_elements axis');
  checkElementShapes(x, idxT, axis, 'scatter_elements');
  if (upd.shape.join() !== idxT.shape.join()) throw new Error('scatter_elements updates and indices differ in shape');
  const idx = indexList(idxT, x.shape[axis]!, 'scatter_elements');
  const out = copyTensor(x);
  const combine = combiner(x.dtype, attrString(attrs, 'reduction', 'none'));
  forEachElementIndex(x.shape, idxT.shape, axis, idx, (i, j) => combine(out, j, upd, i));
  return [out];
});

/**
 * Data offsets addressed by gather_nd/scatter_nd index tuples (last dim of indices), per batch.
 * Returns one offset per tuple, in elements of the data tensor.
 */
function tupleOffsets(x: Tensor, idxT: Tensor, batchDims: number, what: string): { offsets: Float64Array; block: number; k: number } {
  const q = idxT.rank;
  if (q < 1) throw new Error(`${what} indices must have rank >= 1`);
  const k = idxT.shape[q - 1]!;
  if (batchDims + k > x.rank) throw new Error(`${what} index depth ${k} exceeds the data rank`);
  for (let i = 0; i < batchDims; i++) {
    if (idxT.shape[i] !== x.shape[i]) throw new Error(`${what} batch dim ${i} differs between data and indices`);
  }
  const ds = stridesOf(x.shape);
  const block = staticSize(x.shape.slice(batchDims + k));
  const batchSize = batchDims === 0 ? x.size : ds[batchDims - 1]!; // elements per batch entry
  const tuples = idxT.size / Math.max(k, 1);
  const perBatch = staticSize(idxT.shape.slice(batchDims, q - 1));
  const raw = idxT.toFloat64();
  const offsets = new Float64Array(k === 0 ? staticSize(idxT.shape.slice(0, q - 1)) : tuples);
  for (let t = 0; t < offsets.length; t++) {
    let off = Math.floor(t / Math.max(perBatch, 1)) * batchSize;
    for (let c = 0; c < k; c++) {
      const dim = x.shape[batchDims + c]!;
      let v = raw[t * k + c]!;
      if (v < 0) v += dim;
      if (!(v >= 0 && v < dim)) throw new Error(`${what} index ${raw[t * k + c]} out of range for dim ${dim}`);
      off += v * ds[batchDims + c]!;
    }
    offsets[t] = off;
  }
  return { offsets, block, k };
}

defineKernel('gather_nd', (inputs, attrs) => {
  const x = need(inputs, 0, 'data');
  const idxT = need(inputs, 1, 'indices');
  const b = attrInt(attrs, 'batch_dims', 0);
  const { offsets, block, k } = tupleOffsets(x, idxT, b, 'gather_nd');
  const shape = [...idxT.shape.slice(0, idxT.rank - 1), ...x.shape.slice(b + k)];
  const out = allocData(x.dtype, staticSize(shape));
  for (let t = 0; t < offsets.length; t++) copyRun(out, t * block, x.data, offsets[t]!, block);
  return [new Tensor(x.dtype, shape, out)];
});

defineKernel('scatter_nd', (inputs, attrs) => {
  const x = need(inputs, 0, 'data');
  const idxT = need(inputs, 1, 'indices');
  const upd = need(inputs, 2, 'updates');
  const { offsets, block } = tupleOffsets(x, idxT, 0, 'scatter_nd');
  if (upd.size !== offsets.length * block) throw new Error('scatter_nd updates do not match indices and data');
  const out = copyTensor(x);
  const reduction = attrString(attrs, 'reduction', 'none');
  if (reduction === 'none') {
    for (let t = 0; t < offsets.length; t++) copyRun(out.data, offsets[t]!, upd.data, t * block, block);
  } else {
    const combine = combiner(x.dtype, reduction);
    for (let t = 0; t < offsets.length; t++) {
      const base = offsets[t]!;
      for (let e = 0; e < block; e++) combine(out, base + e, upd, t * block + e);
    }
  }
  return [out];
});

defineKernel('one_hot', (inputs, attrs) => {
  const idxT = need(inputs, 0, 'indices');
  const depthT = need(inputs, 1, 'depth');
  const values = need(inputs, 2, 'values');
  if (depthT.size !== 1) throw new Error('one_hot depth must have one element');
  if (values.size !== 2) throw new Error('one_hot values must be [off, on]');
  const depth = Math.trunc(depthT.getNumber(0));
  if (depth < 1) throw new Error(`one_hot depth ${depth} must be positive`);
  const axis = normAxis(attrInt(attrs, 'axis', -1), idxT.rank + 1, 'one_hot axis');
  const shape = [...idxT.shape];
  shape.splice(axis, 0, depth);
  const outer = staticSize(idxT.shape.slice(0, axis));
  const inner = staticSize(idxT.shape.slice(axis));
  const out = allocData(values.dtype, staticSize(shape));
  const o = out as unknown as Elems;
  const v = values.data as unknown as Elems;
  const off = v[0];
  const on = v[1];
  for (let i = 0; i < o.length; i++) o[i] = off;
  const idx = idxT.toFloat64();
  for (let a = 0; a < outer; a++) {
    for (let i = 0; i < inner; i++) {
      let d = Math.trunc(idx[a * inner + i]!);
      if (d < 0) d += depth;
      if (d >= 0 && d < depth) o[(a * depth + d) * inner + i] = on;
    }
  }
  return [new Tensor(values.dtype, shape, out)];
});

defineKernel('compress', (inputs, attrs) => {
  const x = need(inputs, 0, 'data');
  const cond = need(inputs, 1, 'condition');
  const c = cond.data as Uint8Array;
  const hasAxis = attrs['axis'] !== undefined && attrs['axis'] !== null;
  const axis = hasAxis ? normAxis(attrInt(attrs, 'axis', 0), x.rank, 'compress axis') : 0;
  const dim = hasAxis ? x.shape[axis]! : x.size;
  const inner = hasAxis ? staticSize(x.shape.slice(axis + 1)) : 1;
  const outer = hasAxis ? staticSize(x.shape.slice(0, axis)) : 1;
  const keep: number[] = [];
  for (let i = 0; i < Math.min(dim, c.length); i++) if (c[i]) keep.push(i);
  const shape = hasAxis ? x.shape.map((d, i) => (i === axis ? keep.length : d)) : [keep.length];
  const out = allocData(x.dtype, outer * keep.length * inner);
  let at = 0;
  for (let o = 0; o < outer; o++) {
    for (const k of keep) {
      copyRun(out, at, x.data, (o * dim + k) * inner, inner);
      at += inner;
    }
  }
  return [new Tensor(x.dtype, shape, out)];
});

defineKernel('non_zero', (inputs) => {
  const x = need(inputs, 0, 'data');
  const d = x.data as unknown as Elems;
  const hits: number[] = [];
  for (let i = 0; i < x.size; i++) {
    const v = d[i];
    // Every storage has its own zero: 0, 0n, '' (f16 bit patterns: ±0 are 0x0000/0x8000).
    const nz = x.dtype === 'f16' || x.dtype === 'bf16' ? ((v as number) & 0x7fff) !== 0 : v !== 0 && v !== 0n && v !== '';
    if (nz) hits.push(i);
  }
  const rank = x.rank;
  const st = stridesOf(x.shape);
  const out = new BigInt64Array(rank * hits.length);
  hits.forEach((flat, j) => {
    let r = flat;
    for (let k = 0; k < rank; k++) {
      const c = Math.floor(r / st[k]!);
      r -= c * st[k]!;
      out[k * hits.length + j] = BigInt(c);
    }
  });
  return [new Tensor('i64', [rank, hits.length], out)];
});
