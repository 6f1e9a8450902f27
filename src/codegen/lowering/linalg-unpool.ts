// Lowering rule: max_unpool, a scatter written as a gather. Output element p takes the LAST input
// element whose index names p (the reference scatters in input order, so later writes win), or 0.
// Indices are arbitrary run-time data, so each output element scans all input elements: O(in·out),
// fine for the small unpool layers of segmentation nets' tests, not for big ones (a scatter
// strategy belongs to the scheduler).
import { intsAttr, unpoolDim, windowAttrs } from '../../ir/ops/linalg.js';
import { and, binary, cast, cmp, constant, delinearize, i32, linearize, select } from '../expr.js';
import type { Expr } from '../kernel-ir.js';
import { assign, declareVar } from './linalg-window.js';
import { defineLowering } from './registry.js';

defineLowering('max_unpool', (ctx, node, idx) => {
  const x = node.inputs[0];
  const indices = node.inputs[1];
  if (!x || !indices) throw new Error('max_unpool needs X and I');
  const xs = ctx.shape(x);
  const t = ctx.type(x);
  const win = windowAttrs(node.attrs, intsAttr(node.attrs, 'kernel_shape', []));
  // Indices address the default unpooled shape; an explicit output_shape keeps coordinates.
  const natural = [xs[0]!, xs[1]!, ...xs.slice(2).map((d, i) => unpoolDim(d, win, i))];
  const shape = ctx.shape(node.outputs[0]!);
  if (shape.length !== natural.length) throw new Error('max_unpool output_shape has the wrong rank');
  const inside = idx.reduce<Expr>((acc, e, d) => (shape[d]! <= natural[d]! ? acc : and(acc, cmp('lt', e, i32(natural[d]!)))), i32(1));
  // Positions beyond the natural shape receive nothing: no index equals -1.
  const flat = cast(linearize(idx, natural), 'i32', 'i64');
  const target = ctx.bind(inside.k === 'const' ? flat : select(inside, flat, constant('i64', -1), 'i64'), 'i64');

  const result = declareVar(ctx, 'unpooled', constant(t, 0), t);
  const total = xs.reduce((a, d) => a * d, 1);
  ctx.loop(i32(0), i32(total), (i) => {
    const at = delinearize(i, xs);
    const hit = binary('eq', cast(ctx.value(indices, at), ctx.type(indices), 'i64'), target, 'i64');
    ctx.when(hit, () => assign(ctx, result, ctx.value(x, at)));
  });
  return result;
});
