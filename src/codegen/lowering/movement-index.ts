// Lowering rules: gathers and one_hot. Index operands are read at run time; negative indices
// wrap and out-of-range ones clamp so every load stays inside the data.
import { attrInt, normAxis } from '../../ir/ops/movement-util.js';
import { binary, cast, constant, i32, select, unary } from '../expr.js';
import type { Expr } from '../kernel-ir.js';
import { operand, runtimeIndex } from './movement-util.js';
import { defineLowering } from './registry.js';

defineLowering('gather', (ctx, node, idx) => {
  const x = operand(node, 0, 'data');
  const indices = operand(node, 1, 'indices');
  const shape = ctx.shape(x);
  const axis = normAxis(attrInt(node.attrs, 'axis', 0), shape.length, 'gather axis');
  const q = ctx.shape(indices).length;
  // Output dims: data[:axis], indices dims, data[axis+1:].
  const at = runtimeIndex(ctx, indices, idx.slice(axis, axis + q), shape[axis]!);
  return ctx.value(x, [...idx.slice(0, axis), at, ...idx.slice(axis + q)]);
});

defineLowering('gather_elements', (ctx, node, idx) => {
  const x = operand(node, 0, 'data');
  const indices = operand(node, 1, 'indices');
  const shape = ctx.shape(x);
  const axis = normAxis(attrInt(node.attrs, 'axis', 0), shape.length, 'gather_elements axis');
  const at = runtimeIndex(ctx, indices, idx, shape[axis]!);
  return ctx.value(x, idx.map((e, d) => (d === axis ? at : e)));
});

defineLowering('gather_nd', (ctx, node, idx) => {
  const x = operand(node, 0, 'data');
  const indices = operand(node, 1, 'indices');
  const shape = ctx.shape(x);
  const ishape = ctx.shape(indices);
  const b = attrInt(node.attrs, 'batch_dims', 0);
  const q = ishape.length;
  const k = ishape[q - 1]!;
  // Output = indices[:-1] ++ data[b+k:]; the tuple at indices[outIdx[:q-1], c] addresses data dim b+c.
  const tuple = idx.slice(0, q - 1);
  const picked: Expr[] = [];
  for (let c = 0; c < k; c++) picked.push(runtimeIndex(ctx, indices, [...tuple, i32(c)], shape[b + c]!));
  return ctx.value(x, [...idx.slice(0, b), ...picked, ...idx.slice(q - 1)]);
});

defineLowering('one_hot', (ctx, node, idx) => {
  const indices = operand(node, 0, 'indices');
  const values = operand(node, 2, 'values');
  const out = node.outputs[0]!;
  const axis = normAxis(attrInt(node.attrs, 'axis', -1), ctx.shape(out).length, 'one_hot axis');
  // The depth operand sized the output: its static extent is the depth.
  const depth = ctx.shape(out)[axis]!;
  // Compare in the index operand's own type: float indices truncate, i64 ones stay exact.
  const it = ctx.type(indices);
  let v = ctx.value(indices, idx.filter((_, d) => d !== axis));
  if (it === 'f32' || it === 'f64') v = unary('trunc', v, it);
  v = ctx.bind(v, it);
  const zero = constant(it, 0);
  const wrapped = ctx.bind(select(binary('lt', v, zero, it), binary('add', v, constant(it, depth), it), v, it), it);
  const hit = binary('eq', wrapped, cast(idx[axis]!, 'i32', it), it);
  const t = ctx.type(values);
  return select(hit, ctx.value(values, [i32(1)]), ctx.value(values, [i32(0)]), t);
});
