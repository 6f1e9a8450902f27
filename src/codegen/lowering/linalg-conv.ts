// Lowering rules: conv and conv_transpose (1-D/2-D/3-D, groups, strides, dilations, pads,
// optional bias). One output element = bias + a sum over the group's input channels and the
// kernel taps, accumulated like the reference kernel (f64 for floats, wrapping i32 for ints).
// Padded taps are never loaded: tap loops run over the in-bounds range only.
import { numAttr, resolveTransposeWindow, resolveWindow, transposeWindowAttrs, windowAttrs } from '../../ir/ops/linalg.js';
import type { Node, Value } from '../../ir/graph.js';
import { add, binary, cast, cmp, div, i32, max, min, mul, rem, sub } from '../expr.js';
import type { Expr, ScalarType } from '../kernel-ir.js';
import {
  accumulatorType, assign, ceilDivNonNeg, declareVar, forTaps, forWindow, hoistIndex, tapRange, zeroOf, type LocalRef, type TapRange,
} from './linalg-window.js';
import { defineLowering, type LowerContext } from './registry.js';

interface ConvOperands {
  x: Value;
  w: Value;
  bias: Value | null;
  t: ScalarType;
  at: ScalarType;
  group: number;
}

function convOperands(ctx: LowerContext, node: Node): ConvOperands {
  const [x, w, bias] = node.inputs;
  if (!x || !w) throw new Error(`${node.op} needs X and W`);
  const t = ctx.type(node.outputs[0]!);
  return { x, w, bias: bias ?? null, t, at: accumulatorType(t), group: numAttr(node.attrs, 'group', 1) };
}

/** acc = bias[oc] (or 0), as the reference starts each output row from the bias. */
function initAccumulator(ctx: LowerContext, op: ConvOperands, oc: Expr): LocalRef {
  const init = op.bias ? cast(ctx.value(op.bias, [oc]), op.t, op.at) : zeroOf(op.at);
  return declareVar(ctx, 'acc', init, op.at);
}

function addProduct(ctx: LowerContext, op: ConvOperands, acc: LocalRef, xv: Expr, wv: Expr): void {
  const prod = binary('mul', cast(xv, op.t, op.at), cast(wv, op.t, op.at), op.at);
  assign(ctx, acc, binary('add', acc, prod, op.at));
}

defineLowering('conv', (ctx, node, outIdx) => {
  const op = convOperands(ctx, node);
  const xs = ctx.shape(op.x);
  const ws = ctx.shape(op.w);
  const inSp = xs.slice(2);
  const kernel = ws.slice(2);
  const outSp = ctx.shape(node.outputs[0]!).slice(2);
  const win = windowAttrs(node.attrs, kernel);
  const { pads } = resolveWindow(inSp, win);
  const cg = ws[1]!;
  const mg = ws[0]! / op.group;
  const [b, oc, ...o] = hoistIndex(ctx, outIdx) as [Expr, Expr, ...Expr[]];

  const cBase = op.group === 1 ? i32(0) : ctx.bind(mul(div(oc, i32(mg)), i32(cg)), 'i32');
  const ranges = o.map((od, d) => tapRange(ctx, od, {
    stride: win.strides[d]!, padBegin: pads[d]!, dilation: win.dilations[d]!,
    kernel: kernel[d]!, extent: inSp[d]!, outExtent: outSp[d]!,
  }));
  const acc = initAccumulator(ctx, op, oc);
  forTaps(ctx, i32(0), i32(cg), (ci) => {
    const c = ctx.bind(add(cBase, ci), 'i32');
    forWindow(ctx, ranges, (taps, coords) => {
      addProduct(ctx, op, acc, ctx.value(op.x, [b, c, ...coords]), ctx.value(op.w, [oc, ci, ...taps]));
    });
  });
  return cast(acc, op.at, op.t);
});

/**
 * One spatial dim of a transposed conv at output position `o`: output o receives input i through
 * tap k when o + padBegin = i*stride + k*dilation. Taps in [lo, hi) give 0 <= i*stride <= (in-1)*stride;
 * with stride > 1 only taps where stride divides the offset contribute.
 */
interface TransposeTapRange extends TapRange {
  stride: number;
}

function transposeTapRange(ctx: LowerContext, o: Expr, stride: number, padBegin: number, dilation: number, kernel: number, extent: number): TransposeTapRange {
  // `start` is o + padBegin here; the input offset of tap k is start - k*dilation.
  const start = ctx.bind(add(o, i32(padBegin)), 'i32');
  const hi = ctx.bind(min(i32(kernel), add(div(start, i32(dilation)), i32(1))), 'i32');
  const lo = ctx.bind(ceilDivNonNeg(max(i32(0), sub(start, i32((extent - 1) * stride))), dilation), 'i32');
  return { start, lo, hi, dilation, stride };
}

defineLowering('conv_transpose', (ctx, node, outIdx) => {
  const op = convOperands(ctx, node);
  const xs = ctx.shape(op.x);
  const ws = ctx.shape(op.w);
  const inSp = xs.slice(2);
  const kernel = ws.slice(2);
  const win = transposeWindowAttrs(node.attrs, kernel);
  const { pads } = resolveTransposeWindow(inSp, win);
  const cg = xs[1]! / op.group;
  const mg = ws[1]!;
  const [b, oc, ...o] = hoistIndex(ctx, outIdx) as [Expr, Expr, ...Expr[]];

  const g = op.group === 1 ? i32(0) : ctx.bind(div(oc, i32(mg)), 'i32');
  const mi = op.group === 1 ? oc : ctx.bind(rem(oc, i32(mg)), 'i32');
  const cBase = mul(g, i32(cg));
  const ranges = o.map((od, d) => transposeTapRange(ctx, od, win.strides[d]!, pads[d]!, win.dilations[d]!, kernel[d]!, inSp[d]!));
  const acc = initAccumulator(ctx, op, oc);
  // Taps outermost so the stride-divisibility guards run once per tap, not per channel.
  const walk = (d: number, taps: Expr[], coords: Expr[]): void => {
    if (d === ranges.length) {
      forTaps(ctx, i32(0), i32(cg), (ci) => {
        const c = ctx.bind(add(cBase, ci), 'i32');
        addProduct(ctx, op, acc, ctx.value(op.x, [b, c, ...coords]), ctx.value(op.w, [c, mi, ...taps]));
      });
      return;
    }
    const r = ranges[d]!;
    forTaps(ctx, r.lo, r.hi, (k) => {
      const offset = sub(r.start, mul(k, i32(r.dilation)));
      if (r.stride === 1) {
        walk(d + 1, [...taps, k], [...coords, offset]);
        return;
      }
      const off = ctx.bind(offset, 'i32');
      ctx.when(cmp('eq', rem(off, i32(r.stride)), i32(0)), () => {
        walk(d + 1, [...taps, k], [...coords, ctx.bind(div(off, i32(r.stride)), 'i32')]);
      });
    });
  };
  walk(0, [], []);
  return cast(acc, op.at, op.t);
});
