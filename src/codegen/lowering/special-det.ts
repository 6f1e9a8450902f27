// Lowering rule: det. The kernel IR has no scratch arrays, but the matrix size is static, so the
// reference's LU with partial pivoting runs fully unrolled over n² f64 locals: the pivot row is
// found with selects, swapped in by selects, and eliminated below. A zero pivot makes the
// determinant 0 (the reference returns there; here a flag masks the rest). O(n³) statements, so
// n is capped.
import { i32 } from '../expr.js';
import type { Expr } from '../kernel-ir.js';
import { defineLowering } from './registry.js';
import { declare, f64, fcmp, fdiv, fmul, fromF64, fsel, fsub, funary, hoist, or, required, set } from './special-util.js';

/** Largest matrix the unrolled elimination accepts (about n³/3 multiply-adds of code). */
export const MAX_DET_SIZE = 16;

type Local = Extract<Expr, { k: 'var' }>;

defineLowering('det', (ctx, node, idx) => {
  const x = required(node, 0, 'X');
  const shape = ctx.shape(x);
  const n = shape[shape.length - 1]!;
  if (n > MAX_DET_SIZE) throw new Error(`det: matrices larger than ${MAX_DET_SIZE}×${MAX_DET_SIZE} are not supported by the CPU code generator`);
  const dtype = node.outputs[0]!.type.dtype;
  if (n === 0) return fromF64(ctx, f64(1), dtype);
  const batch = hoist(ctx, idx);
  const t = ctx.type(x);
  const w: Local[][] = [];
  for (let r = 0; r < n; r++) {
    w.push([]);
    for (let c = 0; c < n; c++) {
      w[r]!.push(declare(ctx, 'lu', { k: 'cast', a: ctx.value(x, [...batch, i32(r), i32(c)]), from: t, t: 'f64' }, 'f64'));
    }
  }
  const det = declare(ctx, 'det', f64(1), 'f64');
  const singular = declare(ctx, 'sing', i32(0), 'i32');
  for (let col = 0; col < n; col++) {
    // Pivot: the first row (from col down) with the largest magnitude in this column.
    let pivot: Expr = i32(col);
    let best = ctx.bind(funary('abs', w[col]![col]!), 'f64');
    for (let r = col + 1; r < n; r++) {
      const mag = ctx.bind(funary('abs', w[r]![col]!), 'f64');
      const take = ctx.bind(fcmp('gt', mag, best), 'i32');
      pivot = ctx.bind({ k: 'select', cond: take, a: i32(r), b: pivot, t: 'i32' }, 'i32');
      best = ctx.bind(fsel(take, mag, best), 'f64');
    }
    const isPivot = (r: number): Expr => ({ k: 'binary', op: 'eq', a: pivot, b: i32(r), t: 'i32' });
    // The pivot row's values (read before the swap overwrites anything).
    const pivotRow: Expr[] = [];
    for (let c = col; c < n; c++) {
      let v: Expr = w[col]![c]!;
      for (let r = col + 1; r < n; r++) v = fsel(isPivot(r), w[r]![c]!, v);
      pivotRow.push(ctx.bind(v, 'f64'));
    }
    const pv = pivotRow[0]!;
    set(ctx, singular, or(singular, fcmp('eq', pv, f64(0))));
    // Swap: the pivot row takes row col's values; row col takes the pivot row's.
    for (let r = col + 1; r < n; r++) {
      for (let c = col; c < n; c++) set(ctx, w[r]![c]!, fsel(isPivot(r), w[col]![c]!, w[r]![c]!));
    }
    for (let c = col; c < n; c++) set(ctx, w[col]![c]!, pivotRow[c - col]!);
    if (col + 1 < n) set(ctx, det, fsel(isPivot(col), det, funary('neg', det)));
    set(ctx, det, fmul(det, pv));
    for (let r = col + 1; r < n; r++) {
      const f = ctx.bind(fdiv(w[r]![col]!, pv), 'f64');
      // A zero factor leaves the row alone (as the reference's skip: no 0·inf NaNs).
      const zero = ctx.bind(fcmp('eq', f, f64(0)), 'i32');
      for (let c = col + 1; c < n; c++) set(ctx, w[r]![c]!, fsel(zero, w[r]![c]!, fsub(w[r]![c]!, fmul(f, w[col]![c]!))));
    }
  }
  return fromF64(ctx, fsel(singular, f64(0), det), dtype);
});
