// Lowering rule: top_k (both outputs). The kernel IR has no scratch memory to sort into, so
// output j of a line walks the sort order j+1 steps: each step scans the line for the first
// element (in order) after the previous one. That is O(n·(j+1)) per output element. The order is
// the reference's: larger first (smaller with largest = 0), NaN counting as the largest, equal
// values by lower position — a strict total order, so every step has one answer.
import { normalizeAxis } from '../../ir/ops/reduction.js';
import { binary, cast, cmp, i32 } from '../expr.js';
import type { Expr, ScalarType } from '../kernel-ir.js';
import { defineLowering } from './registry.js';
import { andAll, declare, hoist, isFloatType, or, required, set } from './special-util.js';

/** Whether value `a` at position `p` goes before `b` at `q` (i32 0/1). */
function before(a: Expr, p: Expr, b: Expr, q: Expr, t: ScalarType, largest: boolean): Expr {
  const earlier = cmp('lt', p, q);
  const ordered = or(binary(largest ? 'gt' : 'lt', a, b, t), andAll([binary('eq', a, b, t), earlier]));
  if (!isFloatType(t)) return ordered;
  // Comparisons with a NaN are false, so `ordered` is 0 whenever a NaN is involved.
  const aNaN = binary('ne', a, a, t);
  const bNaN = binary('ne', b, b, t);
  const bothNaN = andAll([aNaN, bNaN, earlier]);
  const nanFirst = largest ? andAll([aNaN, binary('eq', b, b, t)]) : andAll([bNaN, binary('eq', a, a, t)]);
  return or(ordered, or(bothNaN, nanFirst));
}

defineLowering('top_k', (ctx, node, idx, output) => {
  const x = required(node, 0, 'data');
  const shape = ctx.shape(x);
  const axis = normalizeAxis(Number(node.attrs['axis'] ?? -1), shape.length);
  const largest = (node.attrs['largest'] ?? 1) !== 0;
  const n = shape[axis]!;
  const t = ctx.type(x);
  const out = hoist(ctx, idx);
  const at = (a: Expr): Expr[] => out.map((e, d) => (d === axis ? a : e));
  const j = out[axis]!;

  // cur: position of the element reached so far (-1 before the first step), curValue its value.
  const cur = declare(ctx, 'tkpos', i32(-1), 'i32');
  const curValue = declare(ctx, 'tkval', ctx.value(x, at(i32(0))), t);
  ctx.loop(i32(0), binary('add', j, i32(1), 'i32'), () => {
    const best = declare(ctx, 'tkbest', i32(-1), 'i32');
    const bestValue = declare(ctx, 'tkbv', curValue, t);
    ctx.loop(i32(0), i32(n), (b) => {
      const v = ctx.bind(ctx.value(x, at(b)), t);
      const afterCur = or(cmp('lt', cur, i32(0)), before(curValue, cur, v, b, t, largest));
      const beatsBest = or(cmp('lt', best, i32(0)), before(v, b, bestValue, best, t, largest));
      ctx.when(binary('and', afterCur, beatsBest, 'i32'), () => {
        set(ctx, best, b);
        set(ctx, bestValue, v);
      });
    });
    set(ctx, cur, best);
    set(ctx, curValue, bestValue);
  });
  return output === 1 ? cast(cur, 'i32', 'i64') : curValue;
});
