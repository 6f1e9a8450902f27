// Lowering rule: grid_sample over any number of spatial dims, mirroring the reference kernel step
// by step: the unnormalised coordinate is computed in the grid's precision, rounded (nearest),
// clamped or reflected at the borders, split into per-dim taps with weights in f64, and the
// tensor product of the taps is unrolled (1, 2^k or 4^k of them). Taps outside the input (zeros
// padding) and zero-weight taps are skipped, as the reference skips them.
import { attrInt, attrString } from '../../ir/ops/special-util.js';
import { GRID_SAMPLE_MODES, GRID_SAMPLE_PADDING_MODES } from '../../ir/ops/special-vision.js';
import { binary, cast, constant, i32, max, min } from '../expr.js';
import type { Expr, ScalarType } from '../kernel-ir.js';
import type { LowerContext } from './registry.js';
import { defineLowering } from './registry.js';
import {
  andAll, declare, elementF64, f64, fadd, fcmp, fdiv, fmin, fmax, fmul, fromF64, fsel, fsub, funary, hoist, or, required, roundHalfAway, set,
  toI32,
} from './special-util.js';

type Padding = (typeof GRID_SAMPLE_PADDING_MODES)[number];

const CUBIC_ALPHA = -0.75;

/** Reflects `x` (f64) at the borders until it lies within [lo, hi] (constants). */
function reflect(ctx: LowerContext, x: Expr, lo: number, hi: number): Expr {
  const range = hi - lo;
  if (range <= 0) return f64(lo);
  const v = ctx.bind(x, 'f64');
  const below = ctx.bind(fcmp('lt', v, f64(lo)), 'i32');
  // Distance past the nearer border, its whole number of ranges and the remainder.
  const dx = ctx.bind(fsel(below, fsub(f64(lo), v), fsub(v, f64(hi))), 'f64');
  const n = ctx.bind(funary('trunc', fdiv(dx, f64(range))), 'f64');
  const r = ctx.bind(fsub(dx, fmul(n, f64(range))), 'f64');
  const even = fcmp('eq', fsub(n, fmul(f64(2), funary('floor', fmul(n, f64(0.5))))), f64(0));
  const fromBelow = fsel(even, fadd(f64(lo), r), fsub(f64(hi), r));
  const fromAbove = fsel(even, fsub(f64(hi), r), fadd(f64(lo), r));
  const outside = or(below, fcmp('gt', v, f64(hi)));
  return fsel(outside, fsel(below, fromBelow, fromAbove), v);
}

/** Keys cubic convolution weights of the taps at -1, 0, 1, 2 for a fractional offset t. */
function cubicWeights(ctx: LowerContext, t: Expr): Expr[] {
  const a = CUBIC_ALPHA;
  const c = (v: number): Expr => f64(v);
  const t1 = ctx.bind(fadd(t, c(1)), 'f64');
  const u = ctx.bind(fsub(c(1), t), 'f64');
  const u1 = ctx.bind(fsub(c(2), t), 'f64');
  const outer = (s: Expr): Expr => fsub(fmul(fadd(fmul(fsub(fmul(c(a), s), c(5 * a)), s), c(8 * a)), s), c(4 * a));
  const inner = (s: Expr): Expr => fadd(fmul(fmul(fsub(fmul(c(a + 2), s), c(a + 3)), s), s), c(1));
  return [outer(t1), inner(t), inner(u), outer(u1)];
}

interface Tap {
  /** Clamped (always in-bounds) coordinate. */
  index: Expr;
  /** 1 when the tap reads the input, 0 for a zero tap (outside, zeros padding). */
  valid: Expr;
  weight: Expr;
}

/** The element an integer tap (f64) reads along a dim of extent d (see the reference's tapIndex). */
function tapOf(ctx: LowerContext, i: Expr, d: number, padding: Padding, lo: number, hi: number, weight: Expr): Tap {
  const clamp = (e: Expr): Expr => ctx.bind(min(max(e, i32(0)), i32(d - 1)), 'i32');
  if (padding === 'zeros') {
    // Compared in f64 so a NaN coordinate is a zero tap, as in the reference.
    const v = ctx.bind(i, 'f64');
    return { index: clamp(toI32(v)), valid: andAll([fcmp('ge', v, f64(0)), fcmp('lt', v, f64(d))]), weight };
  }
  const j = padding === 'border' ? i : funary('trunc', reflect(ctx, i, lo, hi));
  return { index: clamp(toI32(j)), valid: i32(1), weight };
}

defineLowering('grid_sample', (ctx, node, idx) => {
  const x = required(node, 0, 'X');
  const grid = required(node, 1, 'grid');
  const mode = attrString(node.attrs, 'mode', GRID_SAMPLE_MODES, 'bilinear');
  const padding = attrString(node.attrs, 'padding_mode', GRID_SAMPLE_PADDING_MODES, 'zeros');
  const alignCorners = attrInt(node.attrs, 'align_corners', 0) !== 0;
  const dims = ctx.shape(x).slice(2);
  const k = dims.length;
  const [n, ch, ...point] = hoist(ctx, idx) as [Expr, Expr, ...Expr[]];
  // The coordinate arithmetic runs in the grid's precision, as in the reference.
  const gt: ScalarType = ctx.type(grid);
  const g = (v: number): Expr => constant(gt, v);
  const gop = (op: 'add' | 'sub' | 'mul' | 'div', a: Expr, b: Expr): Expr => binary(op, a, b, gt);

  const taps: Tap[][] = [];
  for (let i = 0; i < k; i++) {
    const d = dims[i]!;
    const gv = ctx.bind(ctx.value(grid, [n, ...point, i32(k - 1 - i)]), gt);
    const lo = alignCorners ? 0 : -0.5;
    const hi = alignCorners ? d - 1 : d - 0.5;
    const unnorm = alignCorners
      ? gop('mul', gop('div', gop('add', gv, g(1)), g(2)), g(d - 1))
      : gop('div', gop('sub', gop('mul', gop('add', gv, g(1)), g(d)), g(1)), g(2));
    let c = ctx.bind(cast(unnorm, gt, 'f64'), 'f64');
    if (mode === 'nearest') c = ctx.bind(k === 3 ? roundHalfAway(ctx, c) : funary('round_even', c), 'f64');
    if (padding === 'border' && mode !== 'bicubic') {
      // Only points outside [lo, hi] move (NaN compares false and stays).
      const outside = or(fcmp('lt', c, f64(lo)), fcmp('gt', c, f64(hi)));
      c = ctx.bind(fsel(outside, fmin(fmax(c, f64(0)), f64(d - 1)), c), 'f64');
    } else if (padding === 'reflection') {
      c = ctx.bind(reflect(ctx, c, lo, hi), 'f64');
    }
    if (mode === 'nearest') {
      taps.push([tapOf(ctx, funary('trunc', c), d, padding, lo, hi, f64(1))]);
      continue;
    }
    const c0 = ctx.bind(funary('floor', c), 'f64');
    const t = ctx.bind(fsub(c, c0), 'f64');
    const weights = mode === 'bilinear' ? [fsub(f64(1), t), t] : cubicWeights(ctx, t);
    const first = mode === 'bilinear' ? 0 : -1;
    taps.push(weights.map((w, j) => tapOf(ctx, fadd(c0, f64(first + j)), d, padding, lo, hi, ctx.bind(w, 'f64'))));
  }

  const acc = declare(ctx, 'gsacc', f64(0), 'f64');
  const combine = (dim: number, chosen: Tap[]): void => {
    if (dim === k) {
      // Multiplied from the last dim to the first, as the reference does.
      const weight = ctx.bind(chosen.map((tp) => tp.weight).reduceRight((a, b) => fmul(a, b)), 'f64');
      const cond = andAll([...chosen.map((tp) => tp.valid), fcmp('ne', weight, f64(0))]);
      ctx.when(cond, () => {
        set(ctx, acc, fadd(acc, fmul(weight, elementF64(ctx, x, [n, ch, ...chosen.map((tp) => tp.index)]))));
      });
      return;
    }
    for (const tp of taps[dim]!) combine(dim + 1, [...chosen, tp]);
  };
  combine(0, []);
  return fromF64(ctx, acc, node.outputs[0]!.type.dtype);
});
