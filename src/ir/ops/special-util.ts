// Helpers shared by the special op definitions (and their kernels): attribute access, fresh dims.
import type { DType } from '../dtype.js';
import { ALL_DTYPES } from '../dtype.js';
import type { Attrs } from '../graph.js';
import type { Tensor } from '../tensor.js';
import type { Dim, TensorType } from '../types.js';

let freshCounter = 0;

/** A new symbolic dim for an extent known only at run time (data-dependent, non-constant operand). */
export function freshDim(hint: string): string {
  return `${hint}?s${freshCounter++}`;
}

/** The input's type, throwing when a required input is missing. */
export function need(inputs: readonly (TensorType | null)[], i: number, what: string): TensorType {
  const t = inputs[i];
  if (!t) throw new Error(`missing input ${what}`);
  return t;
}

export function attrInt(attrs: Attrs, name: string, dflt: number): number {
  const v = attrs[name];
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new Error(`attribute ${name} must be an integer`);
}

/** An optional numeric attribute: null when absent (e.g. `seed`, `axis` of unique). */
export function attrOptNumber(attrs: Attrs, name: string): number | null {
  const v = attrs[name];
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') return v;
  throw new Error(`attribute ${name} must be a number`);
}

export function attrFloat(attrs: Attrs, name: string, dflt: number): number {
  return attrOptNumber(attrs, name) ?? dflt;
}

export function attrString<T extends string>(attrs: Attrs, name: string, allowed: readonly T[], dflt: T): T {
  const v = attrs[name];
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
  throw new Error(`attribute ${name} must be one of ${allowed.join(', ')}, got ${String(v)}`);
}

export function attrInts(attrs: Attrs, name: string): number[] | undefined {
  const v = attrs[name];
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
  throw new Error(`attribute ${name} must be a list of integers`);
}

export function attrDType(attrs: Attrs, name: string, dflt: DType): DType {
  const v = attrs[name];
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'string' && (ALL_DTYPES as readonly string[]).includes(v)) return v as DType;
  throw new Error(`attribute ${name} must be a dtype name, got ${String(v)}`);
}

/** Resolves a possibly negative axis against `rank`; throws when out of range. */
export function normAxis(axis: number, rank: number, what = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new Error(`${what} ${axis} out of range for rank ${rank}`);
  return a;
}

/** The value of a scalar (or one-element) constant operand, else undefined. */
export function constScalar(t: Tensor | undefined): number | undefined {
  if (!t || t.size !== 1) return undefined;
  return t.getNumber(0);
}

/** A static dim as a number, else undefined. */
export function staticDim(d: Dim | undefined): number | undefined {
  return typeof d === 'number' ? d : undefined;
}

export function requireFloat(t: TensorType, what: string): void {
  if (t.dtype !== 'f16' && t.dtype !== 'bf16' && t.dtype !== 'f32' && t.dtype !== 'f64') {
    throw new Error(`${what} must be a float tensor, got ${t.dtype}`);
  }
}

export function requireRank(t: TensorType, rank: number, what: string): void {
  if (t.shape && t.shape.length !== rank) throw new Error(`${what} must have rank ${rank}, got ${t.shape.length}`);
}
