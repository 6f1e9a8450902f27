// Lowering rules: pad, tile, block rearrangements, triangles, reverse_sequence and creation ops.
import { padAmounts } from '../../ir/ops/movement-misc.js';
import { attrInt, attrString, normAxis } from '../../ir/ops/movement-util.js';
import { add, binary, cast, cmp, constant, div, i32, max, min, mul, rem, select, sub } from '../expr.js';
import type { Expr } from '../kernel-ir.js';
import { allOf, clampIndex, constOperand, inRange, operand, optionalConstOperand } from './movement-util.js';
import { defineLowering } from './registry.js';

/** Smallest multiple of `period` that is at least `n` (to make an index non-negative before rem). */
function liftBy(n: number, period: number): number {
  return n <= 0 ? 0 : Math.ceil(n / period) * period;
}

/**
 * Source index along one axis for padded position `i` (= output index - begin, so i >= -begin)
 * under a non-constant pad mode; always inside [0, dim).
 */
function padSource(mode: string, i: Expr, begin: number, dim: number): Expr {
  if (dim === 1) return i32(0);
  switch (mode) {
    case 'edge':
      return clampIndex(i, dim);
    case 'wrap':
      return rem(add(i, i32(liftBy(begin, dim))), i32(dim));
    case 'reflect': {
      // Mirror about the edge elements without repeating them: period 2(dim-1).
      const period = 2 * (dim - 1);
      const r = rem(add(i, i32(liftBy(begin, period))), i32(period));
      return select(cmp('ge', r, i32(dim)), sub(i32(period), r), r, 'i32');
    }
    default:
      throw new Error(`unknown pad mode ${mode}`);
  }
}

defineLowering('pad', (ctx, node, idx) => {
  const x = operand(node, 0, 'data');
  const shape = ctx.shape(x);
  const pads = constOperand(ctx, node, 1, 'pads');
  const axes = optionalConstOperand(ctx, node, 3, 'axes');
  const mode = attrString(node.attrs, 'mode', 'constant');
  const [begin, end] = padAmounts(shape.length, pads, axes);
  const t = ctx.type(node.outputs[0]!);
  const cv = node.inputs[2];
  const fill = (): Expr => {
    if (!cv || ctx.shape(cv).reduce((a, b) => a * b, 1) === 0) return constant(t, 0);
    return ctx.value(cv, ctx.shape(cv).map(() => i32(0)));
  };
  if (shape.includes(0)) {
    if (mode !== 'constant') throw new Error(`pad mode ${mode} needs a non-empty axis`);
    return fill();
  }
  const shifted = idx.map((e, d) => sub(e, i32(begin[d]!)));
  if (mode !== 'constant') {
    return ctx.value(x, shifted.map((i, d) => (begin[d] === 0 && end[d]! <= 0 ? i : ctx.bind(padSource(mode, i, begin[d]!, shape[d]!), 'i32'))));
  }
  // Constant mode: read at a clamped index, and take the fill wherever any axis is out of range.
  const padded = shifted.map((_, d) => begin[d]! > 0 || end[d]! > 0);
  const inside = allOf(shifted.flatMap((i, d) => (padded[d] ? [inRange(i, shape[d]!)] : [])));
  const v = ctx.value(x, shifted.map((i, d) => (padded[d] ? ctx.bind(clampIndex(i, shape[d]!), 'i32') : i)));
  if (inside.k === 'const') return v;
  return select(inside, v, fill(), t);
});

defineLowering('tile', (ctx, node, idx) => {
  const x = operand(node, 0, 'data');
  const shape = ctx.shape(x);
  const outShape = ctx.shape(node.outputs[0]!);
  // The repeats are implied by the static shapes: dims that grew wrap around.
  return ctx.value(x, idx.map((e, d) => (outShape[d] === shape[d] ? e : shape[d] === 1 ? i32(0) : rem(e, i32(shape[d]!)))));
});

defineLowering('depth_to_space', (ctx, node, idx) => {
  const x = operand(node, 0, 'data');
  const b = attrInt(node.attrs, 'blocksize', 0);
  const cc = ctx.shape(node.outputs[0]!)[1]!;
  const [n, c, y, xx] = idx as [Expr, Expr, Expr, Expr];
  const by = rem(y, i32(b));
  const bx = rem(xx, i32(b));
  // DCR: channels are (by, bx, c); CRD: (c, by, bx).
  const ch = attrString(node.attrs, 'mode', 'DCR') === 'DCR'
    ? add(mul(add(mul(by, i32(b)), bx), i32(cc)), c)
    : add(mul(c, i32(b * b)), add(mul(by, i32(b)), bx));
  return ctx.value(x, [n, ch, div(y, i32(b)), div(xx, i32(b))]);
});

defineLowering('space_to_depth', (ctx, node, idx) => {
  const x = operand(node, 0, 'data');
  const b = attrInt(node.attrs, 'blocksize', 0);
  const c = ctx.shape(x)[1]!;
  const [n, oc, y, xx] = idx as [Expr, Expr, Expr, Expr];
  // Output channels are (by, bx, c).
  const by = div(oc, i32(b * c));
  const bx = rem(div(oc, i32(c)), i32(b));
  const ci = rem(oc, i32(c));
  return ctx.value(x, [n, ci, add(mul(y, i32(b)), by), add(mul(xx, i32(b)), bx)]);
});

defineLowering('trilu', (ctx, node, idx) => {
  const x = operand(node, 0, 'data');
  const upper = attrInt(node.attrs, 'upper', 1) !== 0;
  const r = idx.length;
  const diag = sub(idx[r - 1]!, idx[r - 2]!);
  // Kept: j - i >= k (upper) or j - i <= k (lower). A k that is not constant is read at run time
  // and compared in i64, so any k works.
  const kv = node.inputs[1];
  const kConst = kv ? ctx.constant(kv) : undefined;
  let keep: Expr;
  if (!kv || ctx.shape(kv).includes(0)) {
    keep = cmp(upper ? 'ge' : 'le', diag, i32(0));
  } else if (kConst) {
    keep = cmp(upper ? 'ge' : 'le', diag, i32(Math.max(-(2 ** 30), Math.min(2 ** 30, kConst.getNumber(0)))));
  } else {
    const k = cast(ctx.value(kv, ctx.shape(kv).map(() => i32(0))), ctx.type(kv), 'i64');
    keep = binary(upper ? 'ge' : 'le', cast(diag, 'i32', 'i64'), k, 'i64');
  }
  const t = ctx.type(node.outputs[0]!);
  return select(keep, ctx.value(x, idx), constant(t, 0), t);
});

defineLowering('reverse_sequence', (ctx, node, idx) => {
  const x = operand(node, 0, 'data');
  const lens = operand(node, 1, 'sequence_lens');
  const shape = ctx.shape(x);
  const ba = normAxis(attrInt(node.attrs, 'batch_axis', 1), shape.length, 'batch_axis');
  const ta = normAxis(attrInt(node.attrs, 'time_axis', 0), shape.length, 'time_axis');
  const nt = shape[ta]!;
  const raw = cast(ctx.value(lens, [idx[ba]!]), ctx.type(lens), 'i32');
  const len = ctx.bind(min(max(raw, i32(0)), i32(nt)), 'i32');
  const tIdx = idx[ta]!;
  // The first len steps run backwards.
  const src = select(cmp('lt', tIdx, len), sub(sub(len, i32(1)), tIdx), tIdx, 'i32');
  return ctx.value(x, idx.map((e, d) => (d === ta ? src : e)));
});

defineLowering('eye_like', (ctx, node, idx) => {
  const t = ctx.type(node.outputs[0]!);
  const k = attrInt(node.attrs, 'k', 0);
  return select(cmp('eq', sub(idx[1]!, idx[0]!), i32(k)), constant(t, 1), constant(t, 0), t);
});

defineLowering('range', (_ctx, node) => {
  throw new Error(`${node.op}: operands are not compile-time constants (constant ones fold away); the CPU code generator cannot size its output`);
});
