// Shared pieces of the linalg lowering rules: accumulators, tap loops and the range of window
// taps that land inside the input (so padded taps are skipped instead of loaded).
import { add, constant, div, i32, local, max, min, mul, sub } from '../expr.js';
import type { Expr, ScalarType } from '../kernel-ir.js';
import type { LowerContext } from './registry.js';

export type LocalRef = Extract<Expr, { k: 'var' }>;

/**
 * The type a reduction accumulates in: f32 (also f16/bf16) sums in f64, as the reference kernels
 * do; integers keep their own type and wrap like the reference's C-style arithmetic.
 */
export function accumulatorType(t: ScalarType): ScalarType {
  return t === 'f32' ? 'f64' : t;
}

/** Declares a mutable local initialised to `init` (before the loops that update it). */
export function declareVar(ctx: LowerContext, prefix: string, init: Expr, t: ScalarType): LocalRef {
  const name = ctx.fresh(prefix);
  ctx.emit({ k: 'var', name, value: init });
  return local(name, t) as LocalRef;
}

export function assign(ctx: LowerContext, v: LocalRef, value: Expr): void {
  ctx.emit({ k: 'assign', name: v.name, value });
}

export const zeroOf = (t: ScalarType): Expr => constant(t, 0);

/**
 * Binds each output index component to a local before the loops: the caller's components are
 * expressions (delinearized row numbers) that would otherwise be recomputed at every tap.
 */
export function hoistIndex(ctx: LowerContext, idx: readonly Expr[]): Expr[] {
  return idx.map((e) => ctx.bind(e, 'i32'));
}

/** `for (k = lo; k < hi; k++) body(k)`, without a loop when the range is one constant tap. */
export function forTaps(ctx: LowerContext, lo: Expr, hi: Expr, body: (k: Expr) => void): void {
  if (lo.k === 'const' && hi.k === 'const' && Number(hi.v) - Number(lo.v) === 1) {
    body(lo);
    return;
  }
  ctx.loop(lo, hi, body);
}

/** ⌈a / d⌉ for a >= 0 and a constant d >= 1. */
export function ceilDivNonNeg(a: Expr, d: number): Expr {
  return d === 1 ? a : div(add(a, i32(d - 1)), i32(d));
}

/** One spatial dim of a sliding window at one output position. */
export interface TapRange {
  /** Input coordinate of tap 0 (may be negative: leading padding). */
  start: Expr;
  /** Taps k in [lo, hi) have coordinate start + k*dilation inside [0, extent). */
  lo: Expr;
  hi: Expr;
  dilation: number;
}

/** Geometry of one window dim: output position `o` reads input coordinate o*stride - pad + k*dilation. */
export interface WindowDimSpec {
  stride: number;
  padBegin: number;
  dilation: number;
  kernel: number;
  /** Input extent. */
  extent: number;
  /** Output extent (positions o in [0, outExtent)). */
  outExtent: number;
}

/**
 * The in-bounds taps of one window dim at output position `o`. Bounds that hold for every output
 * position (no leading padding; the last window ends inside the input) are compile-time constants,
 * so unpadded windows loop over constant ranges.
 */
export function tapRange(ctx: LowerContext, o: Expr, g: WindowDimSpec): TapRange {
  const start = ctx.bind(sub(mul(o, i32(g.stride)), i32(g.padBegin)), 'i32');
  const lo = g.padBegin <= 0 ? i32(0) : ctx.bind(ceilDivNonNeg(max(i32(0), sub(i32(0), start)), g.dilation), 'i32');
  const lastEnd = (g.outExtent - 1) * g.stride - g.padBegin + (g.kernel - 1) * g.dilation;
  const hi = lastEnd <= g.extent - 1
    ? i32(g.kernel)
    : ctx.bind(min(i32(g.kernel), ceilDivNonNeg(max(i32(0), sub(i32(g.extent), start)), g.dilation)), 'i32');
  return { start, lo, hi, dilation: g.dilation };
}

/** Input coordinate of tap `k`. */
export function tapCoord(r: TapRange, k: Expr): Expr {
  return add(r.start, mul(k, i32(r.dilation)));
}

/** Number of in-bounds taps of a range (0 when the window lies wholly in the padding). */
export function tapCount(r: TapRange): Expr {
  return max(i32(0), sub(r.hi, r.lo));
}

/**
 * Nested loops over the in-bounds taps of every window dim (dim 0 outermost, as the reference's
 * row-major tap order); `body` gets each tap's index and input coordinate per dim.
 */
export function forWindow(ctx: LowerContext, ranges: readonly TapRange[], body: (taps: Expr[], coords: Expr[]) => void): void {
  const walk = (d: number, taps: Expr[], coords: Expr[]): void => {
    if (d === ranges.length) {
      body(taps, coords);
      return;
    }
    const r = ranges[d]!;
    forTaps(ctx, r.lo, r.hi, (k) => walk(d + 1, [...taps, k], [...coords, ctx.bind(tapCoord(r, k), 'i32')]));
  };
  walk(0, [], []);
}

/** Product of i32 exprs (constant-folded). */
export function product(xs: readonly Expr[]): Expr {
  return xs.reduce<Expr>((acc, x) => mul(acc, x), i32(1));
}
