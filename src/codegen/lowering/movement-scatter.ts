// Lowering rules: scatters, computed per output element (a gather in disguise). An element is
// the data element, then every update aimed at it, in the reference's order, combined under the
// reduction ("none": the last write wins). Only the updates that could reach the element are
// visited: for scatter_elements those along the axis, for scatter_nd every index tuple.
import type { Node } from '../../ir/graph.js';
import { attrInt, attrString, normAxis } from '../../ir/ops/movement-util.js';
import { binary, cmp, delinearize, i32, select } from '../expr.js';
import type { Expr, ScalarType } from '../kernel-ir.js';
import { allOf, inRange, operand, runtimeIndex } from './movement-util.js';
import { defineLowering, type LowerContext } from './registry.js';

/** acc ⊕ u for a scatter reduction (max/min keep NaN like the reference). */
function combine(reduction: string, acc: Expr, u: Expr, t: ScalarType): Expr {
  const float = t === 'f32' || t === 'f64';
  switch (reduction) {
    case 'none': return u;
    case 'add': return binary('add', acc, u, t);
    case 'mul': return binary('mul', acc, u, t);
    case 'max':
    case 'min': {
      const keep = binary(reduction === 'max' ? 'gt' : 'lt', acc, u, t);
      const cond = float ? binary('or', keep, binary('ne', acc, acc, t), 'i32') : keep;
      return select(cond, acc, u, t);
    }
    default: throw new Error(`unknown scatter reduction ${reduction}`);
  }
}

/** Declares the accumulator holding the data element; returns its name and a reference. */
function accumulator(ctx: LowerContext, node: Node, idx: readonly Expr[]): { name: string; ref: Expr; t: ScalarType } {
  const x = operand(node, 0, 'data');
  const t = ctx.type(node.outputs[0]!);
  const name = ctx.fresh('sc');
  ctx.emit({ k: 'var', name, value: ctx.value(x, idx) });
  return { name, ref: { k: 'var', name, t }, t };
}

defineLowering('scatter_elements', (ctx, node, idx) => {
  const shape = ctx.shape(operand(node, 0, 'data'));
  const indices = operand(node, 1, 'indices');
  const updates = operand(node, 2, 'updates');
  const ishape = ctx.shape(indices);
  const axis = normAxis(attrInt(node.attrs, 'axis', 0), shape.length, 'scatter_elements axis');
  const reduction = attrString(node.attrs, 'reduction', 'none');
  const acc = accumulator(ctx, node, idx);
  if (ishape.includes(0)) return acc.ref;
  // Updates that reach idx share its coordinates off the axis; those exist only inside the
  // indices' extents.
  const inside = allOf(ishape.flatMap((d, k) => (k !== axis && d < shape[k]! ? [inRange(idx[k]!, d)] : [])));
  const body = (): void => {
    ctx.loop(i32(0), i32(ishape[axis]!), (a) => {
      const at = idx.map((e, d) => (d === axis ? a : e));
      const target = runtimeIndex(ctx, indices, at, shape[axis]!);
      ctx.when(cmp('eq', target, idx[axis]!), () => {
        ctx.emit({ k: 'assign', name: acc.name, value: combine(reduction, acc.ref, ctx.value(updates, at), acc.t) });
      });
    });
  };
  if (inside.k === 'const') body();
  else ctx.when(inside, body);
  return acc.ref;
});

defineLowering('scatter_nd', (ctx, node, idx) => {
  const shape = ctx.shape(operand(node, 0, 'data'));
  const indices = operand(node, 1, 'indices');
  const updates = operand(node, 2, 'updates');
  const ishape = ctx.shape(indices);
  const reduction = attrString(node.attrs, 'reduction', 'none');
  const k = ishape[ishape.length - 1]!;
  const tupleShape = ishape.slice(0, -1);
  const tuples = tupleShape.reduce((a, b) => a * b, 1);
  const acc = accumulator(ctx, node, idx);
  if (tuples === 0) return acc.ref;
  // Tuples in order, so with reduction "none" the last one aimed at idx wins.
  ctx.loop(i32(0), i32(tuples), (t) => {
    const coords = delinearize(t, tupleShape);
    const conds: Expr[] = [];
    for (let c = 0; c < k; c++) {
      conds.push(cmp('eq', runtimeIndex(ctx, indices, [...coords, i32(c)], shape[c]!), idx[c]!));
    }
    ctx.when(allOf(conds), () => {
      const u = ctx.value(updates, [...coords, ...idx.slice(k)]);
      ctx.emit({ k: 'assign', name: acc.name, value: combine(reduction, acc.ref, u, acc.t) });
    });
  });
  return acc.ref;
});
