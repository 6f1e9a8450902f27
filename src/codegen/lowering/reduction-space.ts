// The elements a reduction visits per output element: the loop nest over the reduced axes and
// the input index at each step. Axes known at compile time give plain loops; axes the kernel
// reads at run time (an axes operand that is a graph input) give per-dim "is reduced" flags
// that set each dim's trip count (its extent or 1) and pick its index.
import type { Value } from '../../ir/graph.js';
import { add, cast, cmp, i32, mul, select, sub } from '../expr.js';
import type { Expr } from '../kernel-ir.js';
import type { LowerContext } from './registry.js';

export interface ReductionSpace {
  /** How many elements each output element reduces (i32 at run time, or a number). */
  readonly count: Expr | number;
  /** Emits the loops; `body` runs innermost with the input element's index, in row-major order. */
  forEach(body: (inputIdx: Expr[]) => void): void;
}

/** `cond ? a : b` on i32, folded when `cond` is a constant. */
export function pick(cond: Expr, a: Expr, b: Expr): Expr {
  if (cond.k === 'const') return cond.v ? a : b;
  return select(cond, a, b, 'i32');
}

/** Among `choices` (by position), the one at run-time position `pos`; the last one otherwise. */
export function choose(pos: Expr, choices: readonly Expr[]): Expr {
  let e = choices[choices.length - 1] ?? i32(0);
  for (let p = choices.length - 2; p >= 0; p--) e = pick(cmp('eq', pos, i32(p)), choices[p]!, e);
  return e;
}

/** A reduction over the compile-time `axes` of `shape`. */
export function staticSpace(ctx: LowerContext, shape: readonly number[], axes: readonly number[], idx: readonly Expr[], keepdims: boolean): ReductionSpace {
  const count = axes.reduce((n, a) => n * shape[a]!, 1);
  return {
    count,
    forEach(body) {
      if (count === 0) return;
      const inputIdx: Expr[] = [];
      let k = 0;
      for (let d = 0; d < shape.length; d++) {
        if (axes.includes(d)) {
          inputIdx.push(i32(0));
          if (keepdims) k++;
        } else {
          inputIdx.push(idx[k++]!);
        }
      }
      const nest = (i: number): void => {
        if (i === axes.length) {
          body([...inputIdx]);
          return;
        }
        const axis = axes[i]!;
        if (shape[axis] === 1) {
          nest(i + 1);
          return;
        }
        ctx.loop(i32(0), i32(shape[axis]!), (iv) => {
          inputIdx[axis] = iv;
          nest(i + 1);
        });
      };
      nest(0);
    },
  };
}

/** Normalized axis `j` of a run-time axes operand (negative axes count from the end), as i32. */
export function runtimeAxis(ctx: LowerContext, axes: Value, j: number, rank: number): Expr {
  const t = ctx.type(axes);
  const at = ctx.shape(axes).length === 0 ? [] : [i32(j)];
  const a = ctx.bind(cast(ctx.value(axes, at), t, 'i32'), 'i32');
  return ctx.bind(pick(cmp('lt', a, i32(0)), add(a, i32(rank)), a), 'i32');
}

/** A reduction over axes the kernel reads from the 1-D operand `axes` at run time. */
export function runtimeSpace(ctx: LowerContext, shape: readonly number[], axes: Value, idx: readonly Expr[], keepdims: boolean): ReductionSpace {
  const rank = shape.length;
  const n = ctx.shape(axes).reduce((a, b) => a * b, 1);
  const list = Array.from({ length: n }, (_, j) => runtimeAxis(ctx, axes, j, rank));
  const reduced = shape.map((_, d) => {
    let any: Expr = i32(0);
    for (const a of list) any = any.k === 'const' ? cmp('eq', a, i32(d)) : { k: 'binary', op: 'or', a: any, b: cmp('eq', a, i32(d)), t: 'i32' };
    return ctx.bind(any, 'i32');
  });
  // Without keepdims, kept input dim d reads output dim d - (reduced dims before d).
  const kept: Expr[] = [];
  let before: Expr = i32(0);
  for (let d = 0; d < rank; d++) {
    if (keepdims) kept.push(idx[d]!);
    else kept.push(choose(ctx.bind(sub(i32(d), before), 'i32'), idx));
    before = add(before, reduced[d]!);
  }
  let count: Expr = i32(1);
  for (let d = 0; d < rank; d++) if (shape[d] !== 1) count = mul(count, pick(reduced[d]!, i32(shape[d]!), i32(1)));
  return {
    count: ctx.bind(count, 'i32'),
    forEach(body) {
      const inputIdx: Expr[] = shape.map(() => i32(0));
      const nest = (d: number): void => {
        if (d === rank) {
          body([...inputIdx]);
          return;
        }
        if (shape[d] === 1) {
          nest(d + 1);
          return;
        }
        ctx.loop(i32(0), pick(reduced[d]!, i32(shape[d]!), i32(1)), (iv) => {
          inputIdx[d] = pick(reduced[d]!, iv, kept[d]!);
          nest(d + 1);
        });
      };
      nest(0);
    },
  };
}
