// Lowering rules: movement ops. Each maps the output index to the input index it copies (an index
// remap) and reads that element with ctx.value, so the remap fuses into whatever consumes it.
import type { Node, Value } from '../../ir/graph.js';
import { transposePerm } from '../../ir/ops/movement.js';
import { attrInt, attrInts, normAxis, sliceRanges } from '../../ir/ops/movement-util.js';
import { add, broadcastIndex, cmp, constant, i32, max, min, mul, select, sub } from '../expr.js';
import type { Expr } from '../kernel-ir.js';
import { constOperand, operand, optionalConstOperand, reshapeIndex } from './movement-util.js';
import { defineLowering, type LowerContext } from './registry.js';
import './movement-index.js';
import './movement-scatter.js';
import './movement-misc.js';
import './movement-resize.js';

const data = (node: Node): Value => operand(node, 0, 'data');

defineLowering('transpose', (ctx, node, idx) => {
  const x = data(node);
  const perm = transposePerm(attrInts(node.attrs, 'perm'), ctx.shape(x).length);
  // Output dim d walks input axis perm[d].
  const inIdx: Expr[] = new Array(perm.length);
  perm.forEach((axis, d) => { inIdx[axis] = idx[d]!; });
  return ctx.value(x, inIdx);
});

/** Reshape, squeeze and unsqueeze keep the row-major order: only the index vector changes. */
function sameOrder(ctx: LowerContext, node: Node, idx: readonly Expr[]): Expr {
  const x = data(node);
  return ctx.value(x, reshapeIndex(idx, ctx.shape(node.outputs[0]!), ctx.shape(x)));
}
defineLowering('reshape', sameOrder);
defineLowering('squeeze', sameOrder);
defineLowering('unsqueeze', sameOrder);

defineLowering('expand', (ctx, node, idx) => {
  const x = data(node);
  return ctx.value(x, broadcastIndex(idx, ctx.shape(x)));
});

defineLowering('concat', (ctx, node, idx) => {
  const out = node.outputs[0]!;
  const rank = ctx.shape(out).length;
  const axis = normAxis(attrInt(node.attrs, 'axis', 0), rank, 'concat axis');
  // Inputs with a zero extent along the axis contribute nothing.
  const parts: { v: Value; at: number; len: number }[] = [];
  let at = 0;
  node.inputs.forEach((v, i) => {
    if (!v) throw new Error(`concat: missing input #${i}`);
    const len = ctx.shape(v)[axis]!;
    if (len > 0) parts.push({ v, at, len });
    at += len;
  });
  const pos = idx[axis]!;
  // Outside its own range an input is read at a clamped index: select evaluates every arm.
  const read = (p: (typeof parts)[number]): Expr => {
    let local = sub(pos, i32(p.at));
    // pos runs over [0, total): only inputs after the first can see it below 0, only inputs before the last above.
    if (p.at > 0) local = max(local, i32(0));
    if (p.at + p.len < at) local = min(local, i32(p.len - 1));
    return ctx.value(p.v, idx.map((e, d) => (d === axis ? local : e)));
  };
  if (parts.length === 0) return constant(ctx.type(out), 0);
  if (pos.k === 'const') {
    const p = parts.find((q) => (pos.v as number) >= q.at && (pos.v as number) < q.at + q.len) ?? parts[0]!;
    return read(p);
  }
  const t = ctx.type(out);
  let value = read(parts[parts.length - 1]!);
  for (let k = parts.length - 2; k >= 0; k--) {
    const p = parts[k]!;
    value = select(cmp('lt', pos, i32(p.at + p.len)), read(p), value, t);
  }
  return value;
});

defineLowering('slice', (ctx, node, idx) => {
  const x = data(node);
  const starts = constOperand(ctx, node, 1, 'starts');
  const ends = constOperand(ctx, node, 2, 'ends');
  const axes = optionalConstOperand(ctx, node, 3, 'axes');
  const steps = optionalConstOperand(ctx, node, 4, 'steps');
  const ranges = sliceRanges(ctx.shape(x), starts, ends, axes, steps);
  return ctx.value(x, ranges.map((r, d) => add(i32(r.start), mul(i32(r.step), idx[d]!))));
});

defineLowering('split', (ctx, node, idx, output) => {
  const x = data(node);
  const axis = normAxis(attrInt(node.attrs, 'axis', 0), ctx.shape(x).length, 'split axis');
  // Static output shapes already say where each part starts.
  let offset = 0;
  for (let k = 0; k < output; k++) offset += ctx.shape(node.outputs[k]!)[axis]!;
  return ctx.value(x, idx.map((e, d) => (d === axis ? add(e, i32(offset)) : e)));
});
