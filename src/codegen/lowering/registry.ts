import type { Node, Value } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';
import type { Expr, ScalarType, Stmt } from '../kernel-ir.js';

/**
 * What a lowering rule sees while it builds the scalar computation of one element of a node's
 * output. Rules are recursive: an operand's element comes from `ctx.value`, which inlines the
 * operand's own producer (fusion) or loads it from its binding.
 */
export interface LowerContext {
  /** The element of `v` at index `idx` (one i32 expr per dim), converted to `v`'s compute type. */
  value(v: Value, idx: readonly Expr[]): Expr;
  /** The compile-time tensor behind an operand (inlined small constants), if any. */
  constant(v: Value | null): Tensor | undefined;
  /** Static shape of a value. */
  shape(v: Value): readonly number[];
  /** Compute type of a value's dtype. */
  type(v: Value): ScalarType;
  /** Appends a statement at the current position (before the expression being built is used). */
  emit(s: Stmt): void;
  /** A fresh local name. */
  fresh(prefix: string): string;
  /** Binds `e` to a fresh `let` local and returns a reference (evaluate once, use many). */
  bind(e: Expr, t: ScalarType): Expr;
  /**
   * Emits `for (v = start; v < end; v++) body(v)`; statements emitted inside `body` go into the
   * loop. Use with `emit({k:'var'})` accumulators declared before the loop.
   */
  loop(start: Expr, end: Expr, body: (iv: Expr) => void, options?: { vectorize?: boolean }): void;
  /** Emits `if (cond) then()`; statements emitted inside go into the branch. */
  when(cond: Expr, then: () => void): void;
}

/**
 * Produces the element of `node.outputs[output]` at `idx`. Throws an Error when the node's
 * attributes or dtypes are outside what the rule supports (the caller names the node).
 */
export type LoweringRule = (ctx: LowerContext, node: Node, idx: readonly Expr[], output: number) => Expr;

const rules = new Map<string, LoweringRule>();

export function defineLowering(op: string, rule: LoweringRule): void {
  if (rules.has(op)) throw new Error(`lowering for ${op} defined twice`);
  rules.set(op, rule);
}

export function getLowering(op: string): LoweringRule | undefined {
  return rules.get(op);
}
