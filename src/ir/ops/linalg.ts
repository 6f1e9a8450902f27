// IR op definitions: matmul, convolution, pooling, einsum, det.
//
// Window geometry (pads, output extents) lives here because inference and the reference kernels
// must agree on it exactly; kernels import these helpers.
import type { Attrs } from '../graph.js';
import type { DType } from '../dtype.js';
import { isFloat, isNumeric } from '../dtype.js';
import { broadcastShapes, type Dim, type Shape, type TensorType } from '../types.js';
import { defineOp } from './registry.js';

let freshCounter = 0;
/** A new symbolic dim for an extent inference cannot know. */
function freshDim(hint: string): string {
  return `${hint}?${freshCounter++}`;
}

// ---------------------------------------------------------------- attribute access

export function intsAttr(attrs: Attrs, name: string, dflt: readonly number[]): number[] {
  const v = attrs[name];
  if (v === undefined || v === null) return [...dflt];
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return [...(v as number[])];
  throw new Error(`attribute ${name} must be a list of integers`);
}

export function numAttr(attrs: Attrs, name: string, dflt: number): number {
  const v = attrs[name];
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new Error(`attribute ${name} must be a number`);
}

export function strAttr(attrs: Attrs, name: string, dflt: string): string {
  const v = attrs[name];
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'string') return v;
  throw new Error(`attribute ${name} must be a string`);
}

function need(inputs: readonly (TensorType | null)[], i: number, what: string): TensorType {
  const t = inputs[i];
  if (!t) throw new Error(`missing input ${what}`);
  return t;
}

// ---------------------------------------------------------------- window geometry

export type AutoPad = 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';

export function autoPadAttr(attrs: Attrs): AutoPad {
  const s = strAttr(attrs, 'auto_pad', 'NOTSET');
  if (s === 'NOTSET' || s === 'SAME_UPPER' || s === 'SAME_LOWER' || s === 'VALID') return s;
  throw new Error(`unknown auto_pad ${s}`);
}

/** Sliding-window parameters of conv/pool over `n` spatial dims; pads are [begins..., ends...]. */
export interface Window {
  kernel: number[];
  strides: number[];
  dilations: number[];
  pads: number[];
  autoPad: AutoPad;
  ceilMode: boolean;
}

/** Reads window attributes, filling ONNX defaults for `n` spatial dims. */
export function windowAttrs(attrs: Attrs, kernel: readonly number[]): Window {
  const n = kernel.length;
  const w: Window = {
    kernel: [...kernel],
    strides: intsAttr(attrs, 'strides', new Array(n).fill(1)),
    dilations: intsAttr(attrs, 'dilations', new Array(n).fill(1)),
    pads: intsAttr(attrs, 'pads', new Array(2 * n).fill(0)),
    autoPad: autoPadAttr(attrs),
    ceilMode: numAttr(attrs, 'ceil_mode', 0) !== 0,
  };
  if (w.strides.length === 0) w.strides = new Array(n).fill(1);
  if (w.dilations.length === 0) w.dilations = new Array(n).fill(1);
  if (w.pads.length === 0) w.pads = new Array(2 * n).fill(0);
  if (w.strides.length !== n || w.dilations.length !== n || w.pads.length !== 2 * n) {
    throw new Error(`window attributes do not match ${n} spatial dims`);
  }
  if (w.strides.some((s) => s < 1) || w.dilations.some((d) => d < 1) || w.kernel.some((k) => k < 1)) {
    throw new Error('strides, dilations and kernel extents must be positive');
  }
  return w;
}

/** One spatial dim of a conv/pool window: resolved pads and the output extent. */
export interface WindowDim {
  padBegin: number;
  padEnd: number;
  out: number;
}

export function windowDim(inSize: number, w: Window, i: number): WindowDim {
  const n = w.kernel.length;
  const k = w.kernel[i]!;
  const s = w.strides[i]!;
  const span = (k - 1) * w.dilations[i]! + 1;
  switch (w.autoPad) {
    case 'VALID':
      return { padBegin: 0, padEnd: 0, out: Math.max(0, Math.floor((inSize - span) / s) + 1) };
    case 'SAME_UPPER':
    case 'SAME_LOWER': {
      const out = Math.ceil(inSize / s);
      const total = Math.max(0, (out - 1) * s + span - inSize);
      const small = Math.floor(total / 2);
      return w.autoPad === 'SAME_UPPER'
        ? { padBegin: small, padEnd: total - small, out }
        : { padBegin: total - small, padEnd: small, out };
    }
    case 'NOTSET': {
      const padBegin = w.pads[i]!;
      const padEnd = w.pads[i + n]!;
      const room = inSize + padBegin + padEnd - span;
      let out: number;
      if (w.ceilMode) {
        out = Math.ceil(room / s) + 1;
        // The last window must start inside the input or the leading padding.
        if ((out - 1) * s >= inSize + padBegin) out--;
      } else {
        out = Math.floor(room / s) + 1;
      }
      return { padBegin, padEnd, out: Math.max(0, out) };
    }
  }
}

/** Resolves all spatial dims of a static input: explicit pads and output extents. */
export function resolveWindow(inSpatial: readonly number[], w: Window): { pads: number[]; out: number[] } {
  const n = w.kernel.length;
  const pads = new Array<number>(2 * n);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const d = windowDim(inSpatial[i]!, w, i);
    pads[i] = d.padBegin;
    pads[i + n] = d.padEnd;
    out[i] = d.out;
  }
  return { pads, out };
}

function windowOutShape(spatial: Shape, w: Window, hint: string): Dim[] {
  return spatial.map((d, i) => (typeof d === 'number' ? windowDim(d, w, i).out : freshDim(hint)));
}

/** Transposed-convolution parameters; `outputShape` is the requested spatial extent or empty. */
export interface TransposeWindow extends Window {
  outputPadding: number[];
  outputShape: number[];
}

export function transposeWindowAttrs(attrs: Attrs, kernel: readonly number[]): TransposeWindow {
  const n = kernel.length;
  const w = windowAttrs(attrs, kernel);
  let outputPadding = intsAttr(attrs, 'output_padding', new Array(n).fill(0));
  if (outputPadding.length === 0) outputPadding = new Array(n).fill(0);
  let outputShape = intsAttr(attrs, 'output_shape', []);
  // ONNX allows output_shape with the batch and channel dims included.
  if (outputShape.length === n + 2) outputShape = outputShape.slice(2);
  if (outputPadding.length !== n || (outputShape.length !== 0 && outputShape.length !== n)) {
    throw new Error(`output_padding/output_shape do not match ${n} spatial dims`);
  }
  return { ...w, outputPadding, outputShape };
}

/**
 * One spatial dim of a transposed convolution. Output position o receives input i through kernel
 * tap k when o = i*stride + k*dilation - padBegin. A requested extent larger than the natural one
 * shows up as a negative padEnd (zeros appended at the end, as ONNX Runtime does).
 */
export function transposeDim(inSize: number, w: TransposeWindow, i: number): WindowDim {
  const n = w.kernel.length;
  const s = w.strides[i]!;
  const natural = s * (inSize - 1) + w.outputPadding[i]! + (w.kernel[i]! - 1) * w.dilations[i]! + 1;
  let target: number | undefined;
  if (w.outputShape.length > 0) target = w.outputShape[i]!;
  else if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') target = inSize * s;
  if (target === undefined) {
    const padBegin = w.autoPad === 'VALID' ? 0 : w.pads[i]!;
    const padEnd = w.autoPad === 'VALID' ? 0 : w.pads[i + n]!;
    return { padBegin, padEnd, out: natural - padBegin - padEnd };
  }
  const total = natural - target;
  if (total <= 0) return { padBegin: 0, padEnd: total, out: target };
  const small = Math.floor(total / 2);
  return w.autoPad === 'SAME_UPPER'
    ? { padBegin: small, padEnd: total - small, out: target }
    : { padBegin: total - small, padEnd: small, out: target };
}

export function resolveTransposeWindow(inSpatial: readonly number[], w: TransposeWindow): { pads: number[]; out: number[] } {
  const n = w.kernel.length;
  const pads = new Array<number>(2 * n);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const d = transposeDim(inSpatial[i]!, w, i);
    pads[i] = d.padBegin;
    pads[i + n] = d.padEnd;
    out[i] = d.out;
  }
  return { pads, out };
}

// ---------------------------------------------------------------- matmul

/** NumPy matmul result shape: 1-D operands are promoted then their unit dim dropped. */
export function matmulShape(a: Shape, b: Shape): Dim[] {
  if (a.length === 0 || b.length === 0) throw new Error('matmul operands must have rank >= 1');
  const a2 = a.length === 1 ? [1, a[0]!] : a;
  const b2 = b.length === 1 ? [b[0]!, 1] : b;
  const k1 = a2[a2.length - 1]!;
  const k2 = b2[b2.length - 2]!;
  if (typeof k1 === 'number' && typeof k2 === 'number' && k1 !== k2) {
    throw new Error(`matmul inner dims differ: ${k1} vs ${k2}`);
  }
  const batch = broadcastShapes([a2.slice(0, -2), b2.slice(0, -2)])!;
  const out: Dim[] = [...batch];
  if (a.length > 1) out.push(a2[a2.length - 2]!);
  if (b.length > 1) out.push(b2[b2.length - 1]!);
  return out;
}

const MATMUL_TYPES: ReadonlySet<DType> = new Set<DType>([
  'f16', 'bf16', 'f32', 'f64', 'i8', 'i16', 'i32', 'i64', 'u8', 'u16', 'u32', 'u64',
]);

defineOp({
  name: 'matmul',
  kind: 'matmul',
  infer({ inputs }) {
    const a = need(inputs, 0, 'A');
    const b = need(inputs, 1, 'B');
    if (a.dtype !== b.dtype) throw new Error(`matmul operand types differ: ${a.dtype} vs ${b.dtype}`);
    if (!MATMUL_TYPES.has(a.dtype)) throw new Error(`matmul does not support ${a.dtype}`);
    if (a.shape === null || b.shape === null) return [{ dtype: a.dtype, shape: null }];
    return [{ dtype: a.dtype, shape: matmulShape(a.shape, b.shape) }];
  },
});

// ---------------------------------------------------------------- conv

function checkSpatialInput(x: TensorType, w: TensorType | null, what: string): void {
  if (x.shape !== null && x.shape.length < 3) throw new Error(`${what} input must have rank >= 3`);
  if (w && x.shape !== null && w.shape !== null && w.shape.length !== x.shape.length) {
    throw new Error(`${what} weight rank ${w.shape.length} differs from input rank ${x.shape.length}`);
  }
}

/** Static kernel extents from the weight's trailing dims, or from the kernel_shape attribute. */
function kernelOf(w: TensorType, attrs: Attrs): number[] | undefined {
  const fromAttr = intsAttr(attrs, 'kernel_shape', []);
  if (fromAttr.length > 0) return fromAttr;
  if (w.shape === null) return undefined;
  const k = w.shape.slice(2);
  return k.every((d): d is number => typeof d === 'number') ? k : undefined;
}

const CONV_TYPES: ReadonlySet<DType> = new Set<DType>(['f16', 'bf16', 'f32', 'f64', 'i32']);

defineOp({
  name: 'conv',
  kind: 'conv',
  infer({ inputs, attrs }) {
    const x = need(inputs, 0, 'X');
    const w = need(inputs, 1, 'W');
    checkSpatialInput(x, w, 'conv');
    if (x.dtype !== w.dtype) throw new Error(`conv operand types differ: ${x.dtype} vs ${w.dtype}`);
    if (!CONV_TYPES.has(x.dtype)) throw new Error(`conv does not support ${x.dtype}`);
    const group = numAttr(attrs, 'group', 1);
    if (x.shape === null) return [{ dtype: x.dtype, shape: null }];
    const rank = x.shape.length;
    const m: Dim = w.shape?.[0] ?? freshDim('conv_m');
    const c = x.shape[1]!;
    const wc = w.shape?.[1];
    if (typeof c === 'number' && typeof wc === 'number' && c !== wc * group) {
      throw new Error(`conv input has ${c} channels, weight expects ${wc} x group ${group}`);
    }
    const kernel = kernelOf(w, attrs);
    if (!kernel) return [{ dtype: x.dtype, shape: [x.shape[0]!, m, ...Array.from({ length: rank - 2 }, () => freshDim('conv'))] }];
    const win = windowAttrs(attrs, kernel);
    return [{ dtype: x.dtype, shape: [x.shape[0]!, m, ...windowOutShape(x.shape.slice(2), win, 'conv')] }];
  },
});

defineOp({
  name: 'conv_transpose',
  kind: 'conv',
  infer({ inputs, attrs }) {
    const x = need(inputs, 0, 'X');
    const w = need(inputs, 1, 'W');
    checkSpatialInput(x, w, 'conv_transpose');
    if (x.dtype !== w.dtype) throw new Error(`conv_transpose operand types differ: ${x.dtype} vs ${w.dtype}`);
    if (!CONV_TYPES.has(x.dtype)) throw new Error(`conv_transpose does not support ${x.dtype}`);
    const group = numAttr(attrs, 'group', 1);
    if (x.shape === null) return [{ dtype: x.dtype, shape: null }];
    const rank = x.shape.length;
    const wm = w.shape?.[1];
    const m: Dim = typeof wm === 'number' ? wm * group : freshDim('conv_transpose_m');
    const kernel = kernelOf(w, attrs);
    if (!kernel) {
      return [{ dtype: x.dtype, shape: [x.shape[0]!, m, ...Array.from({ length: rank - 2 }, () => freshDim('conv_transpose'))] }];
    }
    const win = transposeWindowAttrs(attrs, kernel);
    const spatial = x.shape.slice(2).map((d, i) => {
      if (win.outputShape.length > 0) return win.outputShape[i]!;
      return typeof d === 'number' ? transposeDim(d, win, i).out : freshDim('conv_transpose');
    });
    return [{ dtype: x.dtype, shape: [x.shape[0]!, m, ...spatial] }];
  },
});

// ---------------------------------------------------------------- pooling

function inferPool(name: string, inputs: readonly (TensorType | null)[], attrs: Attrs, allowInts: boolean): TensorType {
  const x = need(inputs, 0, 'X');
  checkSpatialInput(x, null, name);
  if (!isNumeric(x.dtype) || (!allowInts && !isFloat(x.dtype))) throw new Error(`${name} does not support ${x.dtype}`);
  const kernel = intsAttr(attrs, 'kernel_shape', []);
  if (kernel.length === 0) throw new Error(`${name} needs kernel_shape`);
  if (x.shape === null) return { dtype: x.dtype, shape: null };
  if (x.shape.length !== kernel.length + 2) throw new Error(`${name} kernel_shape has ${kernel.length} dims, input rank is ${x.shape.length}`);
  const win = windowAttrs(attrs, kernel);
  return { dtype: x.dtype, shape: [x.shape[0]!, x.shape[1]!, ...windowOutShape(x.shape.slice(2), win, name)] };
}

defineOp({
  name: 'max_pool',
  kind: 'pool',
  infer({ inputs, attrs }) {
    const y = inferPool('max_pool', inputs, attrs, true);
    return attrs['with_indices'] ? [y, { dtype: 'i64', shape: y.shape }] : [y];
  },
});

defineOp({ name: 'avg_pool', kind: 'pool', infer: ({ inputs, attrs }) => [inferPool('avg_pool', inputs, attrs, false)] });
defineOp({ name: 'lp_pool', kind: 'pool', infer: ({ inputs, attrs }) => [inferPool('lp_pool', inputs, attrs, false)] });

/** Default MaxUnpool extent of one spatial dim: the inverse of the pooling window. */
export function unpoolDim(inSize: number, w: Window, i: number): number {
  const n = w.kernel.length;
  return (inSize - 1) * w.strides[i]! + w.kernel[i]! - w.pads[i]! - w.pads[i + n]!;
}

defineOp({
  name: 'max_unpool',
  kind: 'pool',
  infer({ inputs, attrs, consts }) {
    const x = need(inputs, 0, 'X');
    const idx = need(inputs, 1, 'I');
    checkSpatialInput(x, null, 'max_unpool');
    if (idx.dtype !== 'i64') throw new Error('max_unpool indices must be i64');
    const outShape = inputs[2] ? consts[2] : undefined;
    if (outShape) return [{ dtype: x.dtype, shape: outShape.toNumbers() }];
    if (x.shape === null) return [{ dtype: x.dtype, shape: null }];
    if (inputs[2]) return [{ dtype: x.dtype, shape: x.shape.map(() => freshDim('max_unpool')) }];
    const win = windowAttrs(attrs, intsAttr(attrs, 'kernel_shape', []));
    const spatial = x.shape.slice(2).map((d, i) => (typeof d === 'number' ? unpoolDim(d, win, i) : freshDim('max_unpool')));
    return [{ dtype: x.dtype, shape: [x.shape[0]!, x.shape[1]!, ...spatial] }];
  },
});

// ---------------------------------------------------------------- einsum

/**
 * A parsed einsum equation. Labels are small integers: letters keep their char code, the dims
 * covered by `...` get labels 0..E-1 (E = the widest ellipsis), right-aligned across operands.
 */
export interface EinsumSpec {
  /** Per operand, the label of each of its dims. */
  operands: number[][];
  output: number[];
}

export function parseEinsum(equation: string, ranks: readonly number[]): EinsumSpec {
  const eq = equation.replace(/\s+/g, '');
  const arrow = eq.indexOf('->');
  const lhs = arrow >= 0 ? eq.slice(0, arrow) : eq;
  const terms = lhs.split(',');
  if (terms.length !== ranks.length) throw new Error(`einsum equation has ${terms.length} operands, got ${ranks.length}`);
  const letters = (t: string): number[] => {
    const out: number[] = [];
    for (const ch of t.replace('...', '')) {
      if (!/[a-zA-Z]/.test(ch)) throw new Error(`einsum label '${ch}' is not a letter`);
      out.push(ch.charCodeAt(0));
    }
    return out;
  };
  let ellipsisRank = 0;
  const parsed = terms.map((t, i) => {
    const hasEllipsis = t.includes('...');
    const named = letters(t);
    const e = hasEllipsis ? ranks[i]! - named.length : 0;
    if (e < 0 || (!hasEllipsis && named.length !== ranks[i])) {
      throw new Error(`einsum term '${t}' does not match operand rank ${ranks[i]}`);
    }
    ellipsisRank = Math.max(ellipsisRank, e);
    return { t, e, hasEllipsis };
  });
  const expand = (t: string, e: number): number[] => {
    const at = t.indexOf('...');
    if (at < 0) return letters(t);
    const ell = Array.from({ length: e }, (_, j) => ellipsisRank - e + j);
    return [...letters(t.slice(0, at)), ...ell, ...letters(t.slice(at + 3))];
  };
  const operands = parsed.map(({ t, e }) => expand(t, e));
  let output: number[];
  if (arrow >= 0) {
    output = expand(eq.slice(arrow + 2), ellipsisRank);
    for (const l of output) {
      if (l >= 65 && !operands.some((o) => o.includes(l))) throw new Error(`einsum output label '${String.fromCharCode(l)}' not in inputs`);
    }
  } else {
    const count = new Map<number, number>();
    for (const o of operands) for (const l of o) if (l >= 65) count.set(l, (count.get(l) ?? 0) + 1);
    const once = [...count].filter(([, c]) => c === 1).map(([l]) => l).sort((a, b) => a - b);
    output = [...Array.from({ length: ellipsisRank }, (_, j) => j), ...once];
  }
  return { operands, output };
}

/** Extent of every label, broadcasting size-1 ellipsis dims; throws on a static mismatch. */
export function einsumLabelSizes(spec: EinsumSpec, shapes: readonly Shape[]): Map<number, Dim> {
  const sizes = new Map<number, Dim>();
  spec.operands.forEach((labels, i) => {
    labels.forEach((l, j) => {
      const d = shapes[i]![j]!;
      const prev = sizes.get(l);
      if (prev === undefined || prev === 1) sizes.set(l, d);
      else if (d !== 1 && typeof d === 'number' && typeof prev === 'number' && d !== prev) {
        throw new Error(`einsum label extents differ: ${prev} vs ${d}`);
      }
    });
  });
  return sizes;
}

defineOp({
  name: 'einsum',
  kind: 'special',
  infer({ inputs, attrs }) {
    if (inputs.length === 0) throw new Error('einsum needs operands');
    const ts = inputs.map((t, i) => need(inputs, i, `operand ${i}`));
    const dtype = ts[0]!.dtype;
    if (!isNumeric(dtype) || ts.some((t) => t.dtype !== dtype)) throw new Error('einsum operands must share a numeric type');
    if (ts.some((t) => t.shape === null)) return [{ dtype, shape: null }];
    const shapes = ts.map((t) => t.shape!);
    const spec = parseEinsum(strAttr(attrs, 'equation', ''), shapes.map((s) => s.length));
    const sizes = einsumLabelSizes(spec, shapes);
    return [{ dtype, shape: spec.output.map((l) => sizes.get(l) ?? 1) }];
  },
});

// ---------------------------------------------------------------- det

defineOp({
  name: 'det',
  kind: 'special',
  infer({ inputs }) {
    const x = need(inputs, 0, 'X');
    if (!isFloat(x.dtype)) throw new Error(`det does not support ${x.dtype}`);
    if (x.shape === null) return [{ dtype: x.dtype, shape: null }];
    const r = x.shape.length;
    if (r < 2) throw new Error('det input must have rank >= 2');
    const m = x.shape[r - 2]!;
    const n = x.shape[r - 1]!;
    if (typeof m === 'number' && typeof n === 'number' && m !== n) throw new Error(`det needs square matrices, got ${m}x${n}`);
    return [{ dtype: x.dtype, shape: x.shape.slice(0, -2) }];
  },
});
