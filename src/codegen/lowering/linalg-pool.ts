// Lowering rules: max_pool (with its argmax indices as output 1), avg_pool, lp_pool. Each output
// element loops over the in-bounds taps of its window (padding is skipped, never loaded), with
// the reference kernels' conventions: floats sum in f64, the first in-bounds tap wins max ties
// (and a leading NaN), indices are flat offsets into the input (column-major within the plane for
// storage_order = 1), and a window wholly in the padding gives -inf / index -1 / average 0.
import type { Node, Value } from '../../ir/graph.js';
import { intsAttr, numAttr, resolveWindow, windowAttrs } from '../../ir/ops/linalg.js';
import { add, binary, cast, cmp, constant, i32, max, min, mul, select, sub, unary } from '../expr.js';
import type { Expr, ScalarType } from '../kernel-ir.js';
import {
  assign, ceilDivNonNeg, declareVar, forWindow, hoistIndex, product, tapCoord, tapCount, tapRange, type TapRange,
} from './linalg-window.js';
import { defineLowering, type LowerContext } from './registry.js';

interface PoolWindow {
  x: Value;
  t: ScalarType;
  b: Expr;
  c: Expr;
  inSp: number[];
  ranges: TapRange[];
  /** Whether every window of every output position lies inside the input (constant ranges). */
  allInside: boolean;
}

function poolWindow(ctx: LowerContext, node: Node, idx: readonly Expr[]): PoolWindow {
  const x = node.inputs[0];
  if (!x) throw new Error(`${node.op} needs X`);
  const inSp = ctx.shape(x).slice(2);
  const outSp = ctx.shape(node.outputs[0]!).slice(2);
  const win = windowAttrs(node.attrs, intsAttr(node.attrs, 'kernel_shape', []));
  if (win.kernel.length !== inSp.length) throw new Error(`${node.op} kernel_shape does not match the input rank`);
  const { pads } = resolveWindow(inSp, win);
  const [b, c, ...o] = hoistIndex(ctx, idx) as [Expr, Expr, ...Expr[]];
  const ranges = o.map((od, d) => tapRange(ctx, od, {
    stride: win.strides[d]!, padBegin: pads[d]!, dilation: win.dilations[d]!,
    kernel: win.kernel[d]!, extent: inSp[d]!, outExtent: outSp[d]!,
  }));
  const allInside = ranges.every((r) => r.lo.k === 'const' && r.hi.k === 'const');
  return { x, t: ctx.type(x), b, c, inSp, ranges, allInside };
}

/** 1 when some tap of the window is in bounds. */
function nonEmpty(p: PoolWindow): Expr {
  return p.ranges.map((r) => cmp('lt', r.lo, r.hi)).reduce((acc, e) => binary('and', acc, e, 'i32'));
}

const isFloatType = (t: ScalarType): boolean => t === 'f32' || t === 'f64';

function maxValue(ctx: LowerContext, p: PoolWindow): Expr {
  const { t } = p;
  // Start from the first in-bounds tap (clamped so an empty window still loads in range); a
  // strict > then keeps the first of equal maxima and a leading NaN, as the reference does.
  const first = p.ranges.map((r, d) => (p.allInside ? tapCoord(r, r.lo) : min(max(tapCoord(r, r.lo), i32(0)), i32(p.inSp[d]! - 1))));
  const best = declareVar(ctx, 'best', ctx.value(p.x, [p.b, p.c, ...first]), t);
  forWindow(ctx, p.ranges, (_taps, coords) => {
    const v = ctx.bind(ctx.value(p.x, [p.b, p.c, ...coords]), t);
    assign(ctx, best, select(binary('gt', v, best, t), v, best, t));
  });
  if (p.allInside) return best;
  // The reference's -inf converts to 0 in integer storage.
  return select(nonEmpty(p), best, constant(t, isFloatType(t) ? -Infinity : 0), t);
}

function maxIndex(ctx: LowerContext, node: Node, p: PoolWindow): Expr {
  const { t } = p;
  const columnMajor = numAttr(node.attrs, 'storage_order', 0) === 1;
  const best = declareVar(ctx, 'best', constant(t, isFloatType(t) ? -Infinity : 0), t);
  const arg = declareVar(ctx, 'arg', i32(-1), 'i32');
  forWindow(ctx, p.ranges, (_taps, coords) => {
    const v = ctx.bind(ctx.value(p.x, [p.b, p.c, ...coords]), t);
    ctx.when(binary('or', binary('gt', v, best, t), cmp('lt', arg, i32(0)), 'i32'), () => {
      assign(ctx, best, v);
      assign(ctx, arg, planeOffset(coords, p.inSp, columnMajor));
    });
  });
  const channels = ctx.shape(p.x)[1]!;
  const planeBase = mul(add(mul(p.b, i32(channels)), p.c), i32(p.inSp.reduce((a, d) => a * d, 1)));
  return select(cmp('ge', arg, i32(0)), cast(add(planeBase, arg), 'i32', 'i64'), constant('i64', -1), 'i64');
}

/** Offset of `coords` inside one (batch, channel) plane, row- or column-major. */
function planeOffset(coords: readonly Expr[], dims: readonly number[], columnMajor: boolean): Expr {
  let off = i32(0);
  let stride = 1;
  const order = columnMajor ? dims.map((_, i) => i) : dims.map((_, i) => dims.length - 1 - i);
  for (const d of order) {
    off = add(off, mul(coords[d]!, i32(stride)));
    stride *= dims[d]!;
  }
  return off;
}

defineLowering('max_pool', (ctx, node, idx, output) => {
  const p = poolWindow(ctx, node, idx);
  return output === 1 ? maxIndex(ctx, node, p) : maxValue(ctx, p);
});

/** Σ f(x) over the in-bounds taps, in f64. */
function sumWindow(ctx: LowerContext, p: PoolWindow, f: (v: Expr) => Expr): Expr {
  const sum = declareVar(ctx, 'sum', constant('f64', 0), 'f64');
  forWindow(ctx, p.ranges, (_taps, coords) => {
    assign(ctx, sum, binary('add', sum, f(cast(ctx.value(p.x, [p.b, p.c, ...coords]), p.t, 'f64')), 'f64'));
  });
  return sum;
}

/**
 * Taps inside the padded input for count_include_pad (a window may reach past the end padding
 * under ceil_mode; those taps never count).
 */
function paddedTapCount(ctx: LowerContext, node: Node, idx: readonly Expr[], p: PoolWindow): Expr {
  const win = windowAttrs(node.attrs, intsAttr(node.attrs, 'kernel_shape', []));
  const { pads } = resolveWindow(p.inSp, win);
  const n = p.inSp.length;
  const outSp = ctx.shape(node.outputs[0]!).slice(2);
  return product(p.inSp.map((extent, d) => {
    const padded = extent + pads[d]! + pads[d + n]!;
    const s = win.strides[d]!;
    const dil = win.dilations[d]!;
    const k = win.kernel[d]!;
    if ((outSp[d]! - 1) * s + (k - 1) * dil <= padded - 1) return i32(k);
    return ctx.bind(min(i32(k), ceilDivNonNeg(max(i32(0), sub(i32(padded), mul(idx[d + 2]!, i32(s)))), dil)), 'i32');
  }));
}

defineLowering('avg_pool', (ctx, node, idx) => {
  const p = poolWindow(ctx, node, idx);
  const sum = sumWindow(ctx, p, (v) => v);
  const includePad = numAttr(node.attrs, 'count_include_pad', 0) !== 0;
  const count = includePad ? paddedTapCount(ctx, node, idx, p) : product(p.ranges.map(tapCount));
  const mean = binary('div', sum, cast(count, 'i32', 'f64'), 'f64');
  const result = count.k === 'const' && Number(count.v) > 0 ? mean : select(cmp('gt', count, i32(0)), mean, constant('f64', 0), 'f64');
  return cast(result, 'f64', p.t);
});

defineLowering('lp_pool', (ctx, node, idx) => {
  const p = poolWindow(ctx, node, idx);
  const pw = numAttr(node.attrs, 'p', 2);
  const power = (v: Expr): Expr => {
    const a = unary('abs', v, 'f64');
    if (pw === 1) return a;
    if (pw === 2) return binary('mul', v, v, 'f64');
    return binary('pow', a, constant('f64', pw), 'f64');
  };
  const sum = sumWindow(ctx, p, (v) => power(ctx.bind(v, 'f64')));
  const root = pw === 1 ? sum : pw === 2 ? unary('sqrt', sum, 'f64') : binary('pow', sum, constant('f64', 1 / pw), 'f64');
  return cast(root, 'f64', p.t);
});
