// Builders for kernel-IR expressions. i32 index arithmetic folds constants as it builds, so
// static shapes turn into immediate offsets rather than run-time multiplies.
import type { BinaryOp, Expr, ScalarType, UnaryOp } from './kernel-ir.js';

export const i32 = (v: number): Expr => ({ k: 'const', t: 'i32', v });
export const constant = (t: ScalarType, v: number | bigint): Expr =>
  ({ k: 'const', t, v: t === 'i64' || t === 'u64' ? BigInt(v) : Number(v) });
export const local = (name: string, t: ScalarType): Expr => ({ k: 'var', name, t });

const isConst = (e: Expr, v?: number): e is Extract<Expr, { k: 'const' }> =>
  e.k === 'const' && e.t === 'i32' && (v === undefined || e.v === v);

export function add(a: Expr, b: Expr): Expr {
  if (isConst(a) && isConst(b)) return i32((a.v as number) + (b.v as number));
  if (isConst(a, 0)) return b;
  if (isConst(b, 0)) return a;
  return { k: 'binary', op: 'add', a, b, t: 'i32' };
}
export function sub(a: Expr, b: Expr): Expr {
  if (isConst(a) && isConst(b)) return i32((a.v as number) - (b.v as number));
  if (isConst(b, 0)) return a;
  return { k: 'binary', op: 'sub', a, b, t: 'i32' };
}
export function mul(a: Expr, b: Expr): Expr {
  if (isConst(a) && isConst(b)) return i32(Math.imul(a.v as number, b.v as number));
  if (isConst(a, 0) || isConst(b, 0)) return i32(0);
  if (isConst(a, 1)) return b;
  if (isConst(b, 1)) return a;
  return { k: 'binary', op: 'mul', a, b, t: 'i32' };
}
/** Truncating division (indices are non-negative, so floor). */
export function div(a: Expr, b: Expr): Expr {
  if (isConst(a) && isConst(b) && (b.v as number) !== 0) return i32(Math.trunc((a.v as number) / (b.v as number)));
  if (isConst(b, 1)) return a;
  return { k: 'binary', op: 'div', a, b, t: 'i32' };
}
export function rem(a: Expr, b: Expr): Expr {
  if (isConst(a) && isConst(b) && (b.v as number) !== 0) return i32((a.v as number) % (b.v as number));
  if (isConst(b, 1)) return i32(0);
  return { k: 'binary', op: 'rem', a, b, t: 'i32' };
}
export function min(a: Expr, b: Expr): Expr {
  if (isConst(a) && isConst(b)) return i32(Math.min(a.v as number, b.v as number));
  return { k: 'binary', op: 'min', a, b, t: 'i32' };
}
export function max(a: Expr, b: Expr): Expr {
  if (isConst(a) && isConst(b)) return i32(Math.max(a.v as number, b.v as number));
  return { k: 'binary', op: 'max', a, b, t: 'i32' };
}
/** i32 comparison → i32 0/1. */
export function cmp(op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge', a: Expr, b: Expr): Expr {
  return { k: 'binary', op, a, b, t: 'i32' };
}
export function and(a: Expr, b: Expr): Expr {
  if (isConst(a, 1)) return b;
  if (isConst(b, 1)) return a;
  return { k: 'binary', op: 'and', a, b, t: 'i32' };
}

export const binary = (op: BinaryOp, a: Expr, b: Expr, t: ScalarType): Expr => ({ k: 'binary', op, a, b, t });
export const unary = (op: UnaryOp, a: Expr, t: ScalarType): Expr => ({ k: 'unary', op, a, t });
export const select = (cond: Expr, a: Expr, b: Expr, t: ScalarType): Expr => ({ k: 'select', cond, a, b, t });
export const cast = (a: Expr, from: ScalarType, t: ScalarType): Expr => (from === t ? a : { k: 'cast', a, from, t });

/** Row-major linear index of `idx` in `shape`. */
export function linearize(idx: readonly Expr[], shape: readonly number[]): Expr {
  let acc: Expr = i32(0);
  for (let d = 0; d < shape.length; d++) acc = add(mul(acc, i32(shape[d]!)), idx[d]!);
  return acc;
}

/** Index vector of linear position `lin` in `shape`. */
export function delinearize(lin: Expr, shape: readonly number[]): Expr[] {
  const out: Expr[] = new Array(shape.length);
  let rest = lin;
  for (let d = shape.length - 1; d >= 0; d--) {
    const extent = shape[d]!;
    out[d] = d === 0 ? rest : rem(rest, i32(extent));
    rest = div(rest, i32(extent));
  }
  return out;
}

/** NumPy broadcasting: the index into an operand of `shape` for output index `idx`. */
export function broadcastIndex(idx: readonly Expr[], shape: readonly number[]): Expr[] {
  const off = idx.length - shape.length;
  return shape.map((extent, d) => (extent === 1 ? i32(0) : idx[off + d]!));
}
