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

/** Grid points above which a fit is refused (compile time stays small). */
const MAX_POINTS = 1 << 22;

/**
 * `index` as base + Σ coefs[i]·coord[i], verified on the whole grid; `fixed` pins other variables.
 * Undefined when the index is not linear there (or not a pure i32 expression of the variables).
 */
export function fitLinear(index: Expr, coords: readonly Coordinate[], fixed: ReadonlyMap<string, number> = new Map()): LinearFit | undefined {
  const n = coords.reduce((p, c) => p * c.extent, 1);
  if (n === 0 || n > MAX_POINTS) return undefined;
  const env = new Map<string, Int32Array>();
  for (const [name, v] of fixed) env.set(name, new Int32Array(n).fill(v));
  const values = coords.map(() => new Int32Array(n));
  for (let p = 0; p < n; p++) {
    let rest = p;
    for (let c = coords.length - 1; c >= 0; c--) {
      const e = coords[c]!.extent;
      values[c]![p] = rest % e;
      rest = Math.floor(rest / e);
    }
  }
  coords.forEach((c, i) => env.set(c.name, values[i]!));
  const got = evaluateIndex(index, env, n);
  if (!got) return undefined;
  const base = got[0]!;
  // The unit step along coordinate i sits at linear position Π(extents after i).
  const coefs = coords.map((c, i) => {
    if (c.extent < 2) return 0;
    const at = coords.slice(i + 1).reduce((p, x) => p * x.extent, 1);
    return got[at]! - base;
  });
  for (let p = 0; p < n; p++) {
    let want = base;
    for (let c = 0; c < coords.length; c++) want += coefs[c]! * values[c]![p]!;
    if (got[p] !== want) return undefined;
  }
  return { base, coefs };
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
