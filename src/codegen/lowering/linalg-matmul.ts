// Lowering rule: matmul with NumPy semantics (1-D operands, broadcast batch dims). One output
// element is a dot product over the shared dim, accumulated like the reference kernel: floats in
// f64, integers wrapping in their own width (i64/u64 exactly).
import type { Value } from '../../ir/graph.js';
import { binary, broadcastIndex, cast, i32 } from '../expr.js';
import type { Expr } from '../kernel-ir.js';
import { accumulatorType, assign, declareVar, zeroOf } from './linalg-window.js';
import { defineLowering } from './registry.js';

defineLowering('matmul', (ctx, node, outIdx) => {
  const a = node.inputs[0];
  const b = node.inputs[1];
  if (!a || !b) throw new Error('matmul needs two operands');
  const as = ctx.shape(a);
  const bs = ctx.shape(b);
  const t = ctx.type(node.outputs[0]!);
  const at = accumulatorType(t);
  const k = as[as.length - 1]!;

  // Output index = [...batch, i (if A is a matrix), j (if B is a matrix)].
  const r = outIdx.length;
  const j = bs.length > 1 ? ctx.bind(outIdx[r - 1]!, 'i32') : undefined;
  const i = as.length > 1 ? ctx.bind(outIdx[r - (j ? 2 : 1)]!, 'i32') : undefined;
  const batchRank = r - (i ? 1 : 0) - (j ? 1 : 0);
  // Batch components that some operand reads (not broadcast from 1), bound before the loop.
  const aBatch = as.slice(0, -2);
  const bBatch = bs.slice(0, -2);
  const read = (shape: readonly number[], d: number): boolean => (shape[d - batchRank + shape.length] ?? 1) !== 1;
  const batch = outIdx.slice(0, batchRank).map((e, d) => (read(aBatch, d) || read(bBatch, d) ? ctx.bind(e, 'i32') : e));
  const aRow = [...broadcastIndex(batch, aBatch), ...(i ? [i] : [])];
  const bPre = broadcastIndex(batch, bBatch);

  const acc = declareVar(ctx, 'acc', zeroOf(at), at);
  const term = (v: Value, where: Expr[]): Expr => cast(ctx.value(v, where), t, at);
  ctx.loop(i32(0), i32(k), (kk) => {
    const prod = binary('mul', term(a, [...aRow, kk]), term(b, [...bPre, kk, ...(j ? [j] : [])]), at);
    assign(ctx, acc, binary('add', acc, prod, at));
  });
  return cast(acc, at, t);
});
