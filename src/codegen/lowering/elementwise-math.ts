// Lowering of the elementwise math that needs more than one kernel-IR op: erf and pow.
import { isBigInt, isFloat, type DType } from '../../ir/dtype.js';
import { binary, cast, select, unary } from '../expr.js';
import { computeType, type Expr, type ScalarType } from '../kernel-ir.js';
import { asComputeType } from './elementwise-cast.js';
import { intPow } from './elementwise-integer.js';
import { f64ToInt32Modular, num, wrapInt } from './elementwise-numeric.js';
import type { LowerContext } from './registry.js';

/** Taylor coefficients of erf x / x in powers of x²: (2/√π) (-1)ⁿ / (n! (2n+1)). */
const ERF_SERIES: readonly number[] = Array.from({ length: 11 }, (_, n) => {
  let fact = 1;
  for (let k = 2; k <= n; k++) fact *= k;
  return ((2 / Math.sqrt(Math.PI)) * (n % 2 === 0 ? 1 : -1)) / (fact * (2 * n + 1));
});

/**
 * erf. The imported erf is accurate to ~1e-7 absolute, which is too coarse relative to erf's
 * small values near 0, so |x| < 0.5 uses the Taylor series (error < 1e-12 there) in f64.
 */
export function lowerErf(ctx: LowerContext, x: Expr, t: ScalarType): Expr {
  const xd = ctx.bind(cast(x, t, 'f64'), 'f64');
  const x2 = ctx.bind(binary('mul', xd, xd, 'f64'), 'f64');
  let poly = num('f64', ERF_SERIES[ERF_SERIES.length - 1]!);
  for (let n = ERF_SERIES.length - 2; n >= 0; n--) poly = binary('add', binary('mul', poly, x2, 'f64'), num('f64', ERF_SERIES[n]!), 'f64');
  const series = binary('mul', xd, poly, 'f64');
  const small = binary('lt', unary('abs', xd, 'f64'), num('f64', 0.5), 'f64');
  return cast(select(small, series, unary('erf', xd, 'f64'), 'f64'), 'f64', t);
}

/**
 * pow with the base's dtype: float bases compute in f64 (any exponent dtype); integer bases with
 * a float exponent truncate the f64 power (non-finite → 0); integer ** integer is exact with
 * wrap-around.
 */
export function lowerPow(ctx: LowerContext, a: Expr, b: Expr, baseType: DType, expType: DType): Expr {
  const bt = computeType(baseType);
  const et = computeType(expType);
  if (!isFloat(baseType) && !isFloat(expType)) return intPow(ctx, a, b, baseType, expType);
  const p = binary('pow', cast(a, bt, 'f64'), cast(b, et, 'f64'), 'f64');
  if (isFloat(baseType)) return cast(p, 'f64', bt);
  if (isBigInt(baseType)) {
    const v = ctx.bind(p, 'f64');
    return select(binary('lt', unary('abs', v, 'f64'), num('f64', Infinity), 'f64'), cast(v, 'f64', bt), num(bt, 0), bt);
  }
  return asComputeType(wrapInt(f64ToInt32Modular(ctx, p), baseType), baseType);
}
