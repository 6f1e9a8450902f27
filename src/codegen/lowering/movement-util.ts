// Index helpers shared by the movement lowering rules: compile-time operands, run-time index
// values (wrapped and clamped so every load stays in bounds), and reshape index remaps.
import type { Node, Value } from '../../ir/graph.js';
import { tensorInts } from '../../ir/ops/movement-util.js';
import { INLINE_CONSTANT_ELEMENTS } from '../../ir/partition.js';
import { add, binary, cast, cmp, delinearize, i32, linearize, max, min, select } from '../expr.js';
import type { Expr } from '../kernel-ir.js';
import type { LowerContext } from './registry.js';

/** A node's operand that must be present. */
export function operand(node: Node, i: number, what: string): Value {
  const v = node.inputs[i];
  if (!v) throw new Error(`${node.op}: missing operand ${what}`);
  return v;
}

/** A node's operand that the rule needs at compile time, as numbers; throws when it is not constant. */
export function constOperand(ctx: LowerContext, node: Node, i: number, what: string): number[] {
  const t = ctx.constant(operand(node, i, what));
  if (!t) {
    throw new Error(`${node.op}: operand ${what} must be a compile-time constant of at most ${INLINE_CONSTANT_ELEMENTS} elements for the CPU code generator`);
  }
  return tensorInts(t);
}

/** Like constOperand, but an absent operand gives undefined. */
export function optionalConstOperand(ctx: LowerContext, node: Node, i: number, what: string): number[] | undefined {
  return node.inputs[i] ? constOperand(ctx, node, i, what) : undefined;
}

/** `e` clamped into [0, dim - 1] (i32). */
export function clampIndex(e: Expr, dim: number): Expr {
  if (dim <= 1) return i32(0);
  return min(max(e, i32(0)), i32(Math.max(dim - 1, 0)));
}

/** A negative index counts from the end (i32). */
export function wrapNegative(e: Expr, dim: number): Expr {
  if (e.k === 'const') return (e.v as number) < 0 ? i32((e.v as number) + dim) : e;
  return select(cmp('lt', e, i32(0)), add(e, i32(dim)), e, 'i32');
}

/**
 * The element of an integer index operand as an i32 that addresses an axis of extent `dim`:
 * negative values wrap, out-of-range ones clamp (the reference rejects them; the kernel must
 * only stay in bounds).
 */
export function runtimeIndex(ctx: LowerContext, v: Value, idx: readonly Expr[], dim: number): Expr {
  const raw = ctx.bind(cast(ctx.value(v, idx), ctx.type(v), 'i32'), 'i32');
  return ctx.bind(clampIndex(wrapNegative(raw, dim), dim), 'i32');
}

/** `a < b` as unsigned i32: true exactly when 0 <= a < b for non-negative b. */
export function inRange(a: Expr, b: number): Expr {
  return binary('lt', a, i32(b), 'u32');
}

/** Logical and of i32 0/1 conditions (constant 1 when empty). */
export function allOf(conds: readonly Expr[]): Expr {
  let acc: Expr = i32(1);
  for (const c of conds) acc = acc.k === 'const' && acc.v === 1 ? c : binary('and', acc, c, 'i32');
  return acc;
}

/**
 * Index into a tensor of shape `inShape` holding the same row-major elements as an output of
 * `outShape` at `idx`. Extent-1 dims drop out, and runs of dims whose products match map group by
 * group, so a reshape that only splits or merges some dims costs no more than those dims need.
 */
export function reshapeIndex(idx: readonly Expr[], outShape: readonly number[], inShape: readonly number[]): Expr[] {
  const result: Expr[] = inShape.map(() => i32(0));
  if (outShape.includes(0) || inShape.includes(0)) return result;
  const outDims = outShape.map((d, i) => ({ d, i })).filter((x) => x.d !== 1);
  const inDims = inShape.map((d, i) => ({ d, i })).filter((x) => x.d !== 1);
  let o = 0;
  let n = 0;
  while (o < outDims.length && n < inDims.length) {
    const o0 = o;
    const n0 = n;
    let po = outDims[o++]!.d;
    let pi = inDims[n++]!.d;
    while (po !== pi) {
      if (po < pi) {
        if (o >= outDims.length) throw new Error(`reshape [${outShape.join(',')}] ← [${inShape.join(',')}] sizes differ`);
        po *= outDims[o++]!.d;
      } else {
        if (n >= inDims.length) throw new Error(`reshape [${outShape.join(',')}] ← [${inShape.join(',')}] sizes differ`);
        pi *= inDims[n++]!.d;
      }
    }
    const og = outDims.slice(o0, o);
    const ig = inDims.slice(n0, n);
    if (og.length === 1 && ig.length === 1) {
      result[ig[0]!.i] = idx[og[0]!.i]!;
      continue;
    }
    const lin = linearize(og.map((x) => idx[x.i]!), og.map((x) => x.d));
    const parts = delinearize(lin, ig.map((x) => x.d));
    ig.forEach((x, k) => { result[x.i] = parts[k]!; });
  }
  return result;
}
