// Fits an operand's element index to a linear form over loop coordinates, checked at every point
// of the grid the kernel will visit. Static shapes make this exact: a register tile can then step
// through memory by constant strides (folded into load offsets) whatever index remaps (transpose,
// reshape, slice) sit between the operand and its buffer.
import { add, div, i32, max, min, mul, rem, sub } from '../expr.js';
import type { Expr } from '../kernel-ir.js';
import { evaluateIndex, substitute } from './expr-tools.js';

export interface Coordinate {
  name: string;
  extent: number;
}

export interface LinearFit {
  /** Index at the grid's origin. */
  base: number;
  /** Per coordinate, the index step of one unit. */
  coefs: number[];
}

/** Grids up to this many points are checked at every point. */
const FULL_CHECK_POINTS = 1 << 22;
/** Larger grids: every point on the lines through the origin and this many more, spread pseudo-randomly. */
const SAMPLED_POINTS = 1 << 20;

/**
 * `index` as base + Σ coefs[i]·coord[i], verified on the grid; `fixed` pins other variables.
 * Undefined when the index is not linear there (or not a pure i32 expression of the variables).
 * Index remaps make indices piecewise linear with pieces that are whole slabs of the grid, so a
 * large grid is checked on a dense sample (the lines through the origin and a spread of points).
 */
export function fitLinear(index: Expr, coords: readonly Coordinate[], fixed: ReadonlyMap<string, number> = new Map()): LinearFit | undefined {
  const total = coords.reduce((p, c) => p * c.extent, 1);
  if (total === 0) return undefined;
  const points = total <= FULL_CHECK_POINTS ? allPoints(coords, total) : samplePoints(coords);
  const n = points[0]?.length ?? 1;
  const env = new Map<string, Int32Array>();
  for (const [name, v] of fixed) env.set(name, new Int32Array(n).fill(v));
  coords.forEach((c, i) => env.set(c.name, points[i]!));
  const got = evaluateIndex(index, env, n);
  if (!got) return undefined;
  // Point 0 is the origin and point 1 + i the unit step along coordinate i (both in either set).
  const base = got[0]!;
  const coefs = coords.map((c, i) => (c.extent < 2 ? 0 : got[unitPoint(coords, i, total)]! - base));
  for (let p = 0; p < n; p++) {
    let want = base;
    for (let c = 0; c < coords.length; c++) want += coefs[c]! * points[c]![p]!;
    if (got[p] !== want) return undefined;
  }
  return { base, coefs };
}

/** Where the unit step along coordinate i sits in the point list. */
function unitPoint(coords: readonly Coordinate[], i: number, total: number): number {
  if (total <= FULL_CHECK_POINTS) return coords.slice(i + 1).reduce((p, x) => p * x.extent, 1);
  return 1 + i;
}

function allPoints(coords: readonly Coordinate[], n: number): Int32Array[] {
  const values = coords.map(() => new Int32Array(n));
  for (let p = 0; p < n; p++) {
    let rest = p;
    for (let c = coords.length - 1; c >= 0; c--) {
      const e = coords[c]!.extent;
      values[c]![p] = rest % e;
      rest = Math.floor(rest / e);
    }
  }
  return values;
}

function samplePoints(coords: readonly Coordinate[]): Int32Array[] {
  const lines = coords.reduce((p, c) => p + c.extent, 0);
  const n = 1 + coords.length + lines + SAMPLED_POINTS;
  const values = coords.map(() => new Int32Array(n));
  let at = 1;
  coords.forEach((c, i) => { values[i]![at++] = c.extent < 2 ? 0 : 1; });
  coords.forEach((c, i) => { for (let v = 0; v < c.extent; v++) values[i]![at++] = v; });
  let state = 0x9e3779b9;
  const next = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
  for (; at < n; at++) coords.forEach((c, i) => { values[i]![at] = next() % c.extent; });
  return values;
}

/** Rebuilds an i32 expression through the folding builders (constants collapse). */
export function foldIndex(e: Expr): Expr {
  if (e.k !== 'binary' || e.t !== 'i32') return e;
  const a = foldIndex(e.a);
  const b = foldIndex(e.b);
  switch (e.op) {
    case 'add': return add(a, b);
    case 'sub': return sub(a, b);
    case 'mul': return mul(a, b);
    case 'div': return div(a, b);
    case 'rem': return rem(a, b);
    case 'min': return min(a, b);
    case 'max': return max(a, b);
    default: return { ...e, a, b };
  }
}

/** `index` with the named variables set to 0, folded: the base address of a tile's origin. */
export function atOrigin(index: Expr, names: readonly string[]): Expr {
  return foldIndex(substitute(index, new Map(names.map((n) => [n, i32(0)]))));
}

/** Divisors of `k`, largest first. */
export function divisorsDescending(k: number): number[] {
  const out: number[] = [];
  for (let d = k; d >= 1; d--) if (k % d === 0) out.push(d);
  return out;
}
