// Helpers shared by the special lowering rules: scalar operands that may be compile-time
// constants or run-time values, f64 arithmetic (the reference kernels compute specials in f64),
// and storing an f64 result the way the reference's tensorFromFloat64 does.
import type { DType } from '../../ir/dtype.js';
import type { Node, Value } from '../../ir/graph.js';
import { binary, cast, constant, i32, select, unary } from '../expr.js';
import type { Expr, ScalarType } from '../kernel-ir.js';
import { f64ToInt32Modular, roundToDType, wrapInt } from './elementwise-numeric.js';
import type { LowerContext } from './registry.js';

export const f64 = (v: number): Expr => constant('f64', v);

/** f64 arithmetic shorthands. */
export const fadd = (a: Expr, b: Expr): Expr => binary('add', a, b, 'f64');
export const fsub = (a: Expr, b: Expr): Expr => binary('sub', a, b, 'f64');
export const fmul = (a: Expr, b: Expr): Expr => binary('mul', a, b, 'f64');
export const fdiv = (a: Expr, b: Expr): Expr => binary('div', a, b, 'f64');
export const fmin = (a: Expr, b: Expr): Expr => binary('min', a, b, 'f64');
export const fmax = (a: Expr, b: Expr): Expr => binary('max', a, b, 'f64');
export const fcmp = (op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge', a: Expr, b: Expr): Expr => binary(op, a, b, 'f64');
export const fsel = (cond: Expr, a: Expr, b: Expr): Expr => select(cond, a, b, 'f64');
export const funary = (op: 'floor' | 'ceil' | 'trunc' | 'abs' | 'cos' | 'sin' | 'round_even' | 'neg' | 'log' | 'exp', a: Expr): Expr => unary(op, a, 'f64');
/** i32 0/1 logic. */
export const or = (a: Expr, b: Expr): Expr => binary('or', a, b, 'i32');
export const not = (a: Expr): Expr => unary('not', a, 'i32');
export const andAll = (conds: readonly Expr[]): Expr =>
  conds.reduce((acc, c) => (acc.k === 'const' && acc.v === 1 ? c : binary('and', acc, c, 'i32')), i32(1) as Expr);

/** f64 value → i32 (truncating toward zero, saturating). */
export const toI32 = (e: Expr): Expr => cast(e, 'f64', 'i32');
export const fromI32 = (e: Expr): Expr => cast(e, 'i32', 'f64');

/** A node's operand that must be present. */
export function required(node: Node, i: number, what: string): Value {
  const v = node.inputs[i];
  if (!v) throw new Error(`${node.op}: missing operand ${what}`);
  return v;
}

/** Index vector of the single element of a scalar or one-element operand. */
function firstElement(ctx: LowerContext, v: Value): Expr[] {
  return ctx.shape(v).map(() => i32(0));
}

/** The compile-time value of a one-element operand, or undefined when it is only known at run time. */
export function constScalar(ctx: LowerContext, v: Value | null | undefined): number | undefined {
  const t = v ? ctx.constant(v) : undefined;
  return t && t.size === 1 ? t.getNumber(0) : undefined;
}

/** A one-element integer operand as i32: an immediate when constant, else a run-time load. */
export function scalarI32(ctx: LowerContext, v: Value): Expr {
  const c = constScalar(ctx, v);
  if (c !== undefined) return i32(Math.trunc(c));
  return ctx.bind(cast(ctx.value(v, firstElement(ctx, v)), ctx.type(v), 'i32'), 'i32');
}

/** A one-element numeric operand as f64: an immediate when constant, else a run-time load. */
export function scalarF64(ctx: LowerContext, v: Value): Expr {
  const c = constScalar(ctx, v);
  if (c !== undefined) return f64(c);
  return ctx.bind(cast(ctx.value(v, firstElement(ctx, v)), ctx.type(v), 'f64'), 'f64');
}

/** An element of `v` at `idx`, as f64 (exact for every dtype but 64-bit integers beyond 2^53). */
export function elementF64(ctx: LowerContext, v: Value, idx: readonly Expr[]): Expr {
  return cast(ctx.value(v, idx), ctx.type(v), 'f64');
}

/**
 * An f64 result as the value an element of `dtype` holds after the reference stores it
 * (tensorFromFloat64 / setNumber): floats round, ≤32-bit integers truncate and wrap, 64-bit
 * integers truncate and saturate, bools are nonzero.
 */
export function fromF64(ctx: LowerContext, e: Expr, dtype: DType): Expr {
  switch (dtype) {
    case 'f64': return e;
    case 'f32': return cast(e, 'f64', 'f32');
    case 'f16': case 'bf16': return roundToDType(ctx, cast(e, 'f64', 'f32'), dtype);
    case 'i64': case 'u64': return cast(e, 'f64', dtype);
    case 'bool': {
      const v = ctx.bind(e, 'f64');
      return binary('and', fcmp('ne', v, f64(0)), fcmp('eq', v, v), 'i32');
    }
    case 'string': throw new Error('string tensors have no numeric elements');
    default: return wrapInt(f64ToInt32Modular(ctx, e), dtype);
  }
}

export const isFloatType = (t: ScalarType): boolean => t === 'f32' || t === 'f64';

/** Declares a mutable local; returns a reference to it. */
export function declare(ctx: LowerContext, prefix: string, init: Expr, t: ScalarType): Extract<Expr, { k: 'var' }> {
  const name = ctx.fresh(prefix);
  ctx.emit({ k: 'var', name, value: init });
  return { k: 'var', name, t };
}

export function set(ctx: LowerContext, v: Extract<Expr, { k: 'var' }>, value: Expr): void {
  ctx.emit({ k: 'assign', name: v.name, value });
}

/** C++ std::round of an f64: halves away from zero (exact, unlike floor(x + 0.5)). */
export function roundHalfAway(ctx: LowerContext, x: Expr): Expr {
  const v = ctx.bind(x, 'f64');
  const a = ctx.bind(funary('abs', v), 'f64');
  const t = ctx.bind(funary('trunc', a), 'f64');
  const r = fadd(t, fsel(fcmp('ge', fsub(a, t), f64(0.5)), f64(1), f64(0)));
  return fsel(fcmp('lt', v, f64(0)), funary('neg', r), r);
}

/** Binds every component of an output index to a local before loops reuse it. */
export function hoist(ctx: LowerContext, idx: readonly Expr[]): Expr[] {
  return idx.map((e) => ctx.bind(e, 'i32'));
}
