// IR op definitions: movement ops (layout changes that copy elements without arithmetic).
//
//   transpose        (data) {perm?: number[]; default reverses the axes}
//   reshape          (data, shape: i64[n]) {allowzero?: 0|1}   ONNX Reshape semantics (0 copies, -1 infers)
//   expand           (data, shape: i64[n])                     ONNX Expand (two-way broadcast)
//   squeeze          (data, axes?: i64[n])                     no axes: drop every extent-1 dim
//   unsqueeze        (data, axes: i64[n])                      axes index the output rank
//   concat           (...inputs) {axis}
//   slice            (data, starts, ends, axes?, steps?)       all i64[n]; ONNX Slice semantics
//   split            (data, split?: i64[k]) {axis, num_outputs} k outputs; equal parts (last smaller) without split
import { defineOp } from './registry.js';
import {
  addDims, attrInt, attrInts, constInts, freshDim, freshDims, need, normAxis, reshapeShape,
  SLICE_TO_END, sliceRange,
} from './movement-util.js';
import type { Dim, Shape, TensorType } from '../types.js';
import { broadcastShapes, rankFromShapeOperand } from '../types.js';
import './movement-index.js';
import './movement-misc.js';
import './movement-resize.js';

/** Length of a 1-D operand (shape/axes tensors) when its type says, else undefined. */
function operandLength(t: TensorType | null): number | undefined {
  if (!t || !t.shape || t.shape.length !== 1) return undefined;
  const n = t.shape[0];
  return typeof n === 'number' ? rankFromShapeOperand(n, 'shape operand') : undefined;
}

/** The default and explicit permutation of transpose, validated. */
export function transposePerm(perm: readonly number[] | undefined, rank: number): number[] {
  if (!perm) return Array.from({ length: rank }, (_, i) => rank - 1 - i);
  if (perm.length !== rank) throw new Error(`transpose perm has ${perm.length} entries for rank ${rank}`);
  const p = perm.map((a) => normAxis(a, rank, 'perm entry'));
  if (new Set(p).size !== rank) throw new Error(`transpose perm [${perm.join(',')}] is not a permutation`);
  return p;
}

defineOp({
  name: 'transpose',
  kind: 'movement',
  infer({ inputs, attrs }) {
    const x = need(inputs, 0, 'data');
    if (!x.shape) return [{ dtype: x.dtype, shape: null }];
    const p = transposePerm(attrInts(attrs, 'perm'), x.shape.length);
    return [{ dtype: x.dtype, shape: p.map((a) => x.shape![a]!) }];
  },
});

defineOp({
  name: 'reshape',
  kind: 'movement',
  infer({ inputs, attrs, consts }) {
    const x = need(inputs, 0, 'data');
    const target = constInts(consts[1]);
    if (target) {
      const allowzero = attrInt(attrs, 'allowzero', 0) !== 0;
      if (x.shape) return [{ dtype: x.dtype, shape: reshapeShape(x.shape, target, allowzero) }];
      // Rank known from the constant; dims known where they are positive.
      return [{ dtype: x.dtype, shape: target.map((d) => (d > 0 || (d === 0 && allowzero) ? d : freshDim('reshape'))) }];
    }
    const n = operandLength(need(inputs, 1, 'shape'));
    return [{ dtype: x.dtype, shape: n === undefined ? null : freshDims('reshape', n) }];
  },
});

defineOp({
  name: 'expand',
  kind: 'movement',
  infer({ inputs, consts }) {
    const x = need(inputs, 0, 'data');
    const target = constInts(consts[1]);
    if (target) {
      if (!x.shape) return [{ dtype: x.dtype, shape: null }];
      return [{ dtype: x.dtype, shape: broadcastShapes([x.shape, target])! }];
    }
    const n = operandLength(need(inputs, 1, 'shape'));
    if (n === undefined || !x.shape) return [{ dtype: x.dtype, shape: null }];
    // Where the data dim is not 1 the result keeps it; elsewhere the shape operand decides.
    const rank = Math.max(n, x.shape.length);
    const out: Dim[] = [];
    for (let i = 0; i < rank; i++) {
      const k = i - (rank - x.shape.length);
      const d = k >= 0 ? x.shape[k]! : 1;
      out.push(d !== 1 ? d : freshDim('expand'));
    }
    return [{ dtype: x.dtype, shape: out }];
  },
});

defineOp({
  name: 'squeeze',
  kind: 'movement',
  infer({ inputs, consts }) {
    const x = need(inputs, 0, 'data');
    if (!x.shape) return [{ dtype: x.dtype, shape: null }];
    const rank = x.shape.length;
    if (!inputs[1]) {
      // Without axes every extent-1 dim goes; a symbolic dim might be 1, so the result is unknown then.
      if (x.shape.some((d) => typeof d !== 'number')) return [{ dtype: x.dtype, shape: null }];
      return [{ dtype: x.dtype, shape: x.shape.filter((d) => d !== 1) }];
    }
    const axes = constInts(consts[1]);
    if (!axes) {
      const n = operandLength(inputs[1]);
      return [{ dtype: x.dtype, shape: n === undefined ? null : freshDims('squeeze', rank - n) }];
    }
    const drop = new Set(axes.map((a) => normAxis(a, rank, 'squeeze axis')));
    for (const a of drop) {
      const d = x.shape[a]!;
      if (typeof d === 'number' && d !== 1) throw new Error(`cannot squeeze axis ${a} of extent ${d}`);
    }
    return [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !drop.has(i)) }];
  },
});

/** Output shape of unsqueeze: `axes` index the output and must be distinct. */
export function unsqueezeShape(shape: Shape, axes: readonly number[]): Dim[] {
  const rank = shape.length + axes.length;
  const ins = new Set(axes.map((a) => normAxis(a, rank, 'unsqueeze axis')));
  if (ins.size !== axes.length) throw new Error('unsqueeze axes repeat');
  const out: Dim[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(ins.has(i) ? 1 : shape[k++]!);
  return out;
}

defineOp({
  name: 'unsqueeze',
  kind: 'movement',
  infer({ inputs, consts }) {
    const x = need(inputs, 0, 'data');
    need(inputs, 1, 'axes');
    const axes = constInts(consts[1]);
    if (!x.shape) return [{ dtype: x.dtype, shape: null }];
    if (!axes) {
      const n = operandLength(inputs[1]!);
      return [{ dtype: x.dtype, shape: n === undefined ? null : freshDims('unsqueeze', x.shape.length + n) }];
    }
    return [{ dtype: x.dtype, shape: unsqueezeShape(x.shape, axes) }];
  },
});

defineOp({
  name: 'concat',
  kind: 'movement',
  infer({ inputs, attrs }) {
    if (inputs.length === 0) throw new Error('concat needs at least one input');
    const ts = inputs.map((t, i) => need(inputs, i, `#${i}`));
    const dtype = ts[0]!.dtype;
    for (const t of ts) if (t.dtype !== dtype) throw new Error(`concat mixes ${dtype} and ${t.dtype}`);
    const known = ts.find((t) => t.shape !== null);
    if (!known) return [{ dtype, shape: null }];
    const rank = known.shape!.length;
    const axis = normAxis(attrInt(attrs, 'axis', 0), rank, 'concat axis');
    if (ts.some((t) => t.shape === null)) {
      return [{ dtype, shape: known.shape!.map((d, i) => (i === axis ? freshDim('concat') : d)) }];
    }
    const out: Dim[] = [...known.shape!];
    out[axis] = 0;
    for (const t of ts) {
      if (t.shape!.length !== rank) throw new Error(`concat mixes ranks ${rank} and ${t.shape!.length}`);
      t.shape!.forEach((d, i) => {
        if (i === axis) return;
        const o = out[i]!;
        if (typeof o === 'number' && typeof d === 'number' && o !== d) {
          throw new Error(`concat inputs differ in dim ${i}: ${o} vs ${d}`);
        }
        if (typeof o !== 'number' && typeof d === 'number') out[i] = d;
      });
      out[axis] = addDims(out[axis]!, t.shape![axis]!, 'concat');
    }
    return [{ dtype, shape: out }];
  },
});

defineOp({
  name: 'slice',
  kind: 'movement',
  infer({ inputs, consts }) {
    const x = need(inputs, 0, 'data');
    need(inputs, 1, 'starts');
    need(inputs, 2, 'ends');
    if (!x.shape) return [{ dtype: x.dtype, shape: null }];
    const rank = x.shape.length;
    const starts = constInts(consts[1]);
    const ends = constInts(consts[2]);
    const steps = inputs[4] ? constInts(consts[4]) : undefined;
    const n = starts?.length ?? ends?.length ?? operandLength(inputs[1]);
    let axes: number[] | undefined;
    if (inputs[3]) axes = constInts(consts[3]);
    else if (n !== undefined) axes = Array.from({ length: n }, (_, i) => i);
    // Which axes are sliced is unknown: every dim may change.
    if (!axes) return [{ dtype: x.dtype, shape: freshDims('slice', rank) }];
    const out: Dim[] = [...x.shape];
    const constSteps = !inputs[4] || steps !== undefined;
    axes.forEach((axis, i) => {
      const a = normAxis(axis, rank, 'slice axis');
      const d = x.shape![a]!;
      const st = steps ? steps[i]! : 1;
      if (!starts || !ends || !constSteps) {
        out[a] = freshDim('slice');
      } else if (typeof d === 'number') {
        out[a] = sliceRange(d, starts[i]!, ends[i]!, st).count;
      } else if (starts[i] === 0 && st === 1 && ends[i]! >= SLICE_TO_END) {
        out[a] = d; // the whole axis
      } else if (st === -1 && (starts[i] === -1 || starts[i]! >= SLICE_TO_END) && ends[i]! <= -SLICE_TO_END) {
        out[a] = d; // the whole axis, reversed
      } else {
        out[a] = freshDim('slice');
      }
    });
    return [{ dtype: x.dtype, shape: out }];
  },
});

/** Sizes of split's parts along an axis of extent `dim` without explicit sizes: equal, the last smaller. */
export function equalSplitSizes(dim: number, parts: number): number[] {
  const chunk = Math.ceil(dim / parts);
  const out: number[] = [];
  let left = dim;
  for (let i = 0; i < parts; i++) {
    const n = Math.max(0, Math.min(chunk, left));
    out.push(n);
    left -= n;
  }
  return out;
}

defineOp({
  name: 'split',
  kind: 'movement',
  infer({ inputs, attrs, consts }) {
    const x = need(inputs, 0, 'data');
    const sizes = inputs[1] ? constInts(consts[1]) : undefined;
    const parts = inputs[1] ? (sizes?.length ?? operandLength(inputs[1])) : attrInt(attrs, 'num_outputs', 0);
    if (!parts || parts < 1) throw new Error('split needs num_outputs or a split operand of known length');
    if (!x.shape) return Array.from({ length: parts }, () => ({ dtype: x.dtype, shape: null }));
    const axis = normAxis(attrInt(attrs, 'axis', 0), x.shape.length, 'split axis');
    const d = x.shape[axis]!;
    let dims: Dim[];
    if (sizes) {
      if (typeof d === 'number' && sizes.reduce((a, b) => a + b, 0) !== d) {
        throw new Error(`split sizes [${sizes.join(',')}] do not add up to ${d}`);
      }
      dims = sizes;
    } else if (typeof d === 'number' && !inputs[1]) {
      dims = equalSplitSizes(d, parts);
    } else {
      dims = freshDims('split', parts);
    }
    return dims.map((n) => ({ dtype: x.dtype, shape: x.shape!.map((e, i) => (i === axis ? n : e)) }));
  },
});
