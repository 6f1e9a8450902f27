// IR op definitions: indexed movement (gathers, scatters, data-dependent selections).
//
//   gather            (data, indices) {axis}                  ONNX Gather; negative indices count from the end
//   gather_elements   (data, indices) {axis}
//   gather_nd         (data, indices) {batch_dims}
//   scatter_elements  (data, indices, updates) {axis, reduction: none|add|mul|max|min}
//   scatter_nd        (data, indices, updates) {reduction: none|add|mul|max|min}
//   one_hot           (indices, depth, values: [off, on]) {axis}
//   compress          (data, condition) {axis?}   special: data-dependent extent
//   non_zero          (data) → i64[rank, n]       special: data-dependent extent
import { defineOp } from './registry.js';
import { attrInt, attrString, freshDim, need, normAxis } from './movement-util.js';
import type { Dim } from '../types.js';

const REDUCTIONS = new Set(['none', 'add', 'mul', 'max', 'min']);

function checkIndices(dtype: string, what: string): void {
  if (dtype !== 'i32' && dtype !== 'i64') throw new Error(`${what} indices must be i32 or i64, not ${dtype}`);
}

defineOp({
  name: 'gather',
  kind: 'movement',
  infer({ inputs, attrs }) {
    const x = need(inputs, 0, 'data');
    const idx = need(inputs, 1, 'indices');
    checkIndices(idx.dtype, 'gather');
    if (!x.shape || !idx.shape) return [{ dtype: x.dtype, shape: null }];
    const axis = normAxis(attrInt(attrs, 'axis', 0), x.shape.length, 'gather axis');
    return [{ dtype: x.dtype, shape: [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)] }];
  },
});

defineOp({
  name: 'gather_elements',
  kind: 'movement',
  infer({ inputs, attrs }) {
    const x = need(inputs, 0, 'data');
    const idx = need(inputs, 1, 'indices');
    checkIndices(idx.dtype, 'gather_elements');
    if (x.shape && idx.shape) {
      if (x.shape.length !== idx.shape.length) throw new Error('gather_elements data and indices differ in rank');
      normAxis(attrInt(attrs, 'axis', 0), x.shape.length, 'gather_elements axis');
    }
    return [{ dtype: x.dtype, shape: idx.shape }];
  },
});

defineOp({
  name: 'gather_nd',
  kind: 'movement',
  infer({ inputs, attrs }) {
    const x = need(inputs, 0, 'data');
    const idx = need(inputs, 1, 'indices');
    checkIndices(idx.dtype, 'gather_nd');
    const b = attrInt(attrs, 'batch_dims', 0);
    if (!x.shape || !idx.shape) return [{ dtype: x.dtype, shape: null }];
    const q = idx.shape.length;
    if (q < 1) throw new Error('gather_nd indices must have rank >= 1');
    const k = idx.shape[q - 1]!;
    if (typeof k !== 'number') return [{ dtype: x.dtype, shape: null }];
    if (b < 0 || b >= q || b + k > x.shape.length) throw new Error(`gather_nd: batch_dims ${b} and index depth ${k} do not fit rank ${x.shape.length}`);
    return [{ dtype: x.dtype, shape: [...idx.shape.slice(0, q - 1), ...x.shape.slice(b + k)] }];
  },
});

defineOp({
  name: 'scatter_elements',
  kind: 'movement',
  infer({ inputs, attrs }) {
    const x = need(inputs, 0, 'data');
    const idx = need(inputs, 1, 'indices');
    const upd = need(inputs, 2, 'updates');
    checkIndices(idx.dtype, 'scatter_elements');
    if (upd.dtype !== x.dtype) throw new Error(`scatter_elements updates are ${upd.dtype}, data is ${x.dtype}`);
    if (!REDUCTIONS.has(attrString(attrs, 'reduction', 'none'))) throw new Error('unknown scatter reduction');
    if (x.shape) normAxis(attrInt(attrs, 'axis', 0), x.shape.length, 'scatter_elements axis');
    return [{ dtype: x.dtype, shape: x.shape }];
  },
});

defineOp({
  name: 'scatter_nd',
  kind: 'movement',
  infer({ inputs, attrs }) {
    const x = need(inputs, 0, 'data');
    const idx = need(inputs, 1, 'indices');
    const upd = need(inputs, 2, 'updates');
    checkIndices(idx.dtype, 'scatter_nd');
    if (upd.dtype !== x.dtype) throw new Error(`scatter_nd updates are ${upd.dtype}, data is ${x.dtype}`);
    if (!REDUCTIONS.has(attrString(attrs, 'reduction', 'none'))) throw new Error('unknown scatter reduction');
    return [{ dtype: x.dtype, shape: x.shape }];
  },
});

defineOp({
  name: 'one_hot',
  kind: 'movement',
  infer({ inputs, attrs, consts }) {
    const idx = need(inputs, 0, 'indices');
    need(inputs, 1, 'depth');
    const values = need(inputs, 2, 'values');
    if (!idx.shape) return [{ dtype: values.dtype, shape: null }];
    const axis = normAxis(attrInt(attrs, 'axis', -1), idx.shape.length + 1, 'one_hot axis');
    const depthT = consts[1];
    let depth: Dim = freshDim('one_hot');
    if (depthT) {
      if (depthT.size !== 1) throw new Error('one_hot depth must have one element');
      depth = Math.trunc(depthT.getNumber(0));
      if (depth < 1) throw new Error(`one_hot depth ${depth} must be positive`);
    }
    const out: Dim[] = [...idx.shape];
    out.splice(axis, 0, depth);
    return [{ dtype: values.dtype, shape: out }];
  },
});

defineOp({
  name: 'compress',
  kind: 'special',
  infer({ inputs, attrs, consts }) {
    const x = need(inputs, 0, 'data');
    const cond = need(inputs, 1, 'condition');
    if (cond.dtype !== 'bool') throw new Error('compress condition must be bool');
    const hasAxis = attrs['axis'] !== undefined && attrs['axis'] !== null;
    const c = consts[1];
    const count = (limit: Dim): Dim => {
      if (!c || typeof limit !== 'number') return freshDim('compress');
      let n = 0;
      for (let i = 0; i < Math.min(limit, c.size); i++) if (c.getNumber(i)) n++;
      return n;
    };
    if (!hasAxis) {
      const size = x.shape?.every((d) => typeof d === 'number') ? (x.shape as number[]).reduce((a, b) => a * b, 1) : 'unknown';
      return [{ dtype: x.dtype, shape: [count(size)] }];
    }
    if (!x.shape) return [{ dtype: x.dtype, shape: null }];
    const axis = normAxis(attrInt(attrs, 'axis', 0), x.shape.length, 'compress axis');
    return [{ dtype: x.dtype, shape: x.shape.map((d, i) => (i === axis ? count(d) : d)) }];
  },
});

defineOp({
  name: 'non_zero',
  kind: 'special',
  infer({ inputs }) {
    const x = need(inputs, 0, 'data');
    return [{ dtype: 'i64', shape: [x.shape ? x.shape.length : freshDim('non_zero'), freshDim('non_zero')] }];
  },
});
