// Shape helpers shared by the movement op definitions and their reference kernels.
import type { Attrs } from '../graph.js';
import type { Tensor } from '../tensor.js';
import type { Dim, Shape, TensorType } from '../types.js';

let freshCounter = 0;

/** A new symbolic dim for an extent inference cannot know (data-dependent or non-constant operand). */
export function freshDim(hint: string): string {
  return `${hint}?${freshCounter++}`;
}

/** `n` fresh symbolic dims. */
export function freshDims(hint: string, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(freshDim(hint));
  return out;
}

/** Resolves a possibly negative axis against `rank`; throws when out of range. */
export function normAxis(axis: number, rank: number, what = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new Error(`${what} ${axis} out of range for rank ${rank}`);
  return a;
}

/** The elements of an integer tensor as JS numbers (i64 extremes become ±9.22e18, fine for clamping). */
export function tensorInts(t: Tensor): number[] {
  const out = new Array<number>(t.size);
  for (let i = 0; i < out.length; i++) out[i] = t.getNumber(i);
  return out;
}

/** A constant operand as numbers, or undefined when it is not constant. */
export function constInts(t: Tensor | undefined): number[] | undefined {
  return t ? tensorInts(t) : undefined;
}

export function attrInt(attrs: Attrs, name: string, dflt: number): number {
  const v = attrs[name];
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new Error(`attribute ${name} must be an integer`);
}

export function attrFloat(attrs: Attrs, name: string, dflt: number): number {
  const v = attrs[name];
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'number') return v;
  throw new Error(`attribute ${name} must be a number`);
}

export function attrString(attrs: Attrs, name: string, dflt: string): string {
  const v = attrs[name];
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'string') return v;
  throw new Error(`attribute ${name} must be a string`);
}

export function attrInts(attrs: Attrs, name: string): number[] | undefined {
  const v = attrs[name];
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
  throw new Error(`attribute ${name} must be a list of integers`);
}

/** The input's type, throwing when a required input is missing. */
export function need(inputs: readonly (TensorType | null)[], i: number, what: string): TensorType {
  const t = inputs[i];
  if (!t) throw new Error(`missing input ${what}`);
  return t;
}

/** Product of dims when all are static, else undefined. */
export function staticProduct(dims: readonly Dim[]): number | undefined {
  let n = 1;
  for (const d of dims) {
    if (typeof d !== 'number') return undefined;
    n *= d;
  }
  return n;
}

/** Sum of two dims; a fresh symbol when either is symbolic. */
export function addDims(a: Dim, b: Dim, hint: string): Dim {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (a === 0) return b;
  if (b === 0) return a;
  return freshDim(hint);
}

/** Product of two dims; a fresh symbol when either is symbolic (and neither is 0 or 1). */
export function mulDims(a: Dim, b: Dim, hint: string): Dim {
  if (typeof a === 'number' && typeof b === 'number') return a * b;
  if (a === 1) return b;
  if (b === 1) return a;
  if (a === 0 || b === 0) return 0;
  return freshDim(hint);
}

/** One sliced axis in ONNX Slice semantics: first index, step and element count. */
export interface SliceRange {
  start: number;
  step: number;
  count: number;
}

/**
 * Normalises ONNX Slice bounds for an axis of extent `dim`: negative starts/ends count from the
 * end, then clamp to [0, dim] (positive step) or [-1, dim-1] (negative step).
 */
export function sliceRange(dim: number, start: number, end: number, step: number): SliceRange {
  if (step === 0) throw new Error('slice step must not be 0');
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  if (step > 0) {
    s = Math.min(Math.max(s, 0), dim);
    e = Math.min(Math.max(e, 0), dim);
  } else {
    s = Math.min(Math.max(s, 0), dim - 1);
    e = Math.min(Math.max(e, -1), dim - 1);
  }
  const count = Math.max(0, Math.ceil((e - s) / step));
  return { start: s, step, count };
}

/** Ends at or beyond this mean "to the end" for symbolic dims (ONNX models use INT64_MAX or INT32_MAX). */
export const SLICE_TO_END = 2 ** 31 - 1;

/**
 * The per-axis slice of a data tensor from the operands (axes default to 0..n-1, steps to 1).
 * Returns, for every axis of `shape`, the range (untouched axes keep the whole extent).
 */
export function sliceRanges(
  shape: readonly number[],
  starts: readonly number[],
  ends: readonly number[],
  axes: readonly number[] | undefined,
  steps: readonly number[] | undefined,
): SliceRange[] {
  const rank = shape.length;
  if (starts.length !== ends.length) throw new Error('slice starts and ends differ in length');
  const ranges: SliceRange[] = shape.map((d) => ({ start: 0, step: 1, count: d }));
  const seen = new Set<number>();
  for (let i = 0; i < starts.length; i++) {
    const a = normAxis(axes ? axes[i]! : i, rank, 'slice axis');
    if (seen.has(a)) throw new Error(`slice axis ${a} repeated`);
    seen.add(a);
    ranges[a] = sliceRange(shape[a]!, starts[i]!, ends[i]!, steps ? steps[i]! : 1);
  }
  return ranges;
}

/** Output shape of reshape: resolves 0 (copy, unless allowzero) and -1 (inferred) against the input. */
export function reshapeShape(input: Shape, target: readonly number[], allowzero: boolean): Dim[] {
  const out: Dim[] = [];
  let inferAt = -1;
  for (let i = 0; i < target.length; i++) {
    const t = target[i]!;
    if (t === -1) {
      if (inferAt >= 0) throw new Error('reshape shape has more than one -1');
      inferAt = i;
      out.push(-1);
    } else if (t === 0 && !allowzero) {
      if (i >= input.length) throw new Error(`reshape shape copies dim ${i} the input does not have`);
      out.push(input[i]!);
    } else if (t < 0 || !Number.isInteger(t)) {
      throw new Error(`invalid reshape dim ${t}`);
    } else {
      out.push(t);
    }
  }
  if (inferAt >= 0 && allowzero && target.includes(0)) throw new Error('reshape with allowzero cannot mix 0 and -1');
  if (inferAt >= 0) {
    out[inferAt] = inferredDim(input, out, inferAt);
  } else {
    const a = staticProduct(input);
    const b = staticProduct(out);
    if (a !== undefined && b !== undefined && a !== b) {
      throw new Error(`cannot reshape [${input.join(',')}] (${a} elements) to [${out.join(',')}] (${b})`);
    }
  }
  return out;
}

/** The extent of a reshape's -1: input size over the other output dims, cancelling shared symbols. */
function inferredDim(input: Shape, out: readonly Dim[], at: number): Dim {
  let num = 1;
  let den = 1;
  const syms = new Map<string, number>();
  for (const d of input) {
    if (typeof d === 'number') num *= d;
    else syms.set(d, (syms.get(d) ?? 0) + 1);
  }
  for (let i = 0; i < out.length; i++) {
    if (i === at) continue;
    const d = out[i]!;
    if (typeof d === 'number') den *= d;
    else syms.set(d, (syms.get(d) ?? 0) - 1);
  }
  const leftover = [...syms.values()].some((c) => c !== 0);
  if (leftover) return freshDim('reshape');
  if (den === 0) {
    if (num === 0) throw new Error('reshape -1 is ambiguous with a zero-sized dim');
    throw new Error('reshape -1 with a zero dim in the shape');
  }
  if (num % den !== 0) throw new Error(`cannot reshape [${input.join(',')}]: ${num} elements do not divide by ${den}`);
  return num / den;
}
