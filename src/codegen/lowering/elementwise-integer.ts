// Integer arithmetic that must not trap and must wrap like the reference kernels: division and
// remainder by zero give 0, MIN / -1 wraps to MIN, shifts by the bit width or more saturate,
// and integer powers square-and-multiply with wrap-around.
import { isSignedInt, isUnsignedInt, type DType } from '../../ir/dtype.js';
import { binary, cast, i32, select } from '../expr.js';
import { computeType, type Expr } from '../kernel-ir.js';
import { isWideType, num, wrapInt } from './elementwise-numeric.js';
import type { LowerContext } from './registry.js';

const or = (a: Expr, b: Expr): Expr => binary('or', a, b, 'i32');

/** Truncating integer division; x / 0 = 0 and MIN / -1 = MIN (the wrapped quotient). */
export function intDiv(ctx: LowerContext, a: Expr, b: Expr, dtype: DType): Expr {
  const t = computeType(dtype);
  const x = ctx.bind(a, t);
  const y = ctx.bind(b, t);
  const zero = ctx.bind(binary('eq', y, num(t, 0), t), 'i32');
  if (dtype === 'i32' || dtype === 'i64') {
    // The only overflowing quotient is MIN / -1; x / -1 = -x covers it with wrap-around.
    const minusOne = ctx.bind(binary('eq', y, num(t, -1), t), 'i32');
    const safe = select(or(zero, minusOne), num(t, 1), y, t);
    const q = select(minusOne, binary('sub', num(t, 0), x, t), binary('div', x, safe, t), t);
    return select(zero, num(t, 0), q, t);
  }
  const q = binary('div', x, select(zero, num(t, 1), y, t), t);
  // i8 -128 / -1 = 128 wraps back to -128 on store.
  return wrapInt(select(zero, num(t, 0), q, t), dtype);
}

/** Integer remainder: C-style (`fmod`, the dividend's sign) or floored (the divisor's); x mod 0 = 0. */
export function intMod(ctx: LowerContext, a: Expr, b: Expr, dtype: DType, fmod: boolean): Expr {
  const t = computeType(dtype);
  const y = ctx.bind(b, t);
  const zero = ctx.bind(binary('eq', y, num(t, 0), t), 'i32');
  const r = binary(fmod ? 'rem' : 'mod_floor', a, select(zero, num(t, 1), y, t), t);
  return select(zero, num(t, 0), r, t);
}

/** Bit shifts; amounts of the bit width or more give 0 (or -1 for negative signed values shifted right). */
export function intShift(ctx: LowerContext, a: Expr, b: Expr, dtype: DType, left: boolean): Expr {
  const t = computeType(dtype);
  const x = ctx.bind(a, t);
  const s = ctx.bind(b, t);
  const tooFar = binary('ge', s, num(t, isWideType(t) ? 64 : 32), t);
  if (left) return wrapInt(select(tooFar, num(t, 0), binary('shl', x, s, t), t), dtype);
  const fill = isSignedInt(dtype) ? select(binary('lt', x, num(t, 0), t), num(t, -1), num(t, 0), t) : num(t, 0);
  return select(tooFar, fill, binary('shr', x, s, t), t);
}

/**
 * base ** exp for integer base and exponent, wrapping like the base's dtype. Negative exponents
 * truncate as C would: 1 for base 1, ±1 for base -1, else 0.
 */
export function intPow(ctx: LowerContext, base: Expr, exp: Expr, baseType: DType, expType: DType): Expr {
  const bt = computeType(baseType);
  const et = computeType(expType);
  const b0 = ctx.bind(base, bt);
  const e = ctx.bind(exp, et);
  const result = ctx.fresh('pow');
  const square = ctx.fresh('sq');
  ctx.emit({ k: 'var', name: result, value: num(bt, 1) });
  ctx.emit({ k: 'var', name: square, value: b0 });
  const r: Expr = { k: 'var', name: result, t: bt };
  const p: Expr = { k: 'var', name: square, t: bt };
  ctx.loop(i32(0), i32(isWideType(et) ? 64 : 32), (k) => {
    const amount = cast(k, 'i32', et);
    const bit = binary('ne', binary('and', binary('shr', e, amount, et), num(et, 1), et), num(et, 0), et);
    ctx.emit({ k: 'assign', name: result, value: select(bit, binary('mul', r, p, bt), r, bt) });
    ctx.emit({ k: 'assign', name: square, value: binary('mul', p, p, bt) });
  });
  let value: Expr = r;
  if (isSignedInt(expType)) {
    const odd = binary('ne', binary('and', e, num(et, 1), et), num(et, 0), et);
    const minusOne = isUnsignedInt(baseType) || baseType === 'bool'
      ? num(bt, 0)
      : select(binary('eq', b0, num(bt, -1), bt), select(odd, num(bt, -1), num(bt, 1), bt), num(bt, 0), bt);
    const negative = select(binary('eq', b0, num(bt, 1), bt), num(bt, 1), minusOne, bt);
    value = select(binary('lt', e, num(et, 0), et), negative, r, bt);
  }
  return wrapInt(value, baseType);
}
