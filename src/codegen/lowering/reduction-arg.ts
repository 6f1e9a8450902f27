// Lowering rules: arg_max, arg_min — the i64 index of the extreme element along one axis, with
// the reference's rules: ties go to the first index (the last with select_last_index), and a
// NaN counts as the extreme (the first NaN wins, or the last with select_last_index).
import { normalizeAxis } from '../../ir/ops/reduction.js';
import { staticSize } from '../../ir/types.js';
import { binary, cast, i32, select } from '../expr.js';
import { computeType, type Expr } from '../kernel-ir.js';
import { isFloatType, num } from './elementwise-numeric.js';
import { defineLowering, type LowerContext } from './registry.js';
import type { Node } from '../../ir/graph.js';

function lowerArg(max: boolean) {
  return (ctx: LowerContext, node: Node, idx: readonly Expr[]): Expr => {
    const x = node.inputs[0];
    if (!x) throw new Error(`${node.op}: data input is missing`);
    const shape = ctx.shape(x);
    const axis = normalizeAxis(Number(node.attrs['axis'] ?? 0), shape.length);
    const keepdims = (node.attrs['keepdims'] ?? 1) !== 0;
    const last = node.attrs['select_last_index'] === 1;
    const extent = shape[axis]!;
    if (staticSize(ctx.shape(node.outputs[0]!)) === 0) return num('i64', 0);
    if (extent === 0) throw new Error(`${node.op} over an empty axis`);
    const t = computeType(x.type.dtype);
    const at = (a: Expr): Expr[] => {
      const out: Expr[] = [];
      for (let d = 0, k = 0; d < shape.length; d++) {
        if (d === axis) {
          out.push(a);
          if (keepdims) k++;
        } else {
          out.push(idx[k++]!);
        }
      }
      return out;
    };

    const best = ctx.fresh('best');
    const bestIdx = ctx.fresh('argbest');
    const b: Expr = { k: 'var', name: best, t };
    const bi: Expr = { k: 'var', name: bestIdx, t: 'i64' };
    ctx.emit({ k: 'var', name: best, value: ctx.value(x, at(i32(0))) });
    ctx.emit({ k: 'var', name: bestIdx, value: num('i64', 0) });
    if (extent > 1) {
      ctx.loop(i32(1), i32(extent), (a) => {
        const v = ctx.bind(ctx.value(x, at(a)), t);
        const op = max ? (last ? 'ge' : 'gt') : (last ? 'le' : 'lt');
        let take = binary(op, v, b, t);
        if (isFloatType(t)) {
          // NaN v: taken when the best is a number (or always, for the last index); NaN best: kept.
          const vNaN = binary('ne', v, v, t);
          const bNumber = binary('eq', b, b, t);
          take = binary('or', binary('and', vNaN, last ? i32(1) : bNumber, 'i32'), binary('and', bNumber, take, 'i32'), 'i32');
        }
        const taken = ctx.bind(take, 'i32');
        ctx.emit({ k: 'assign', name: best, value: select(taken, v, b, t) });
        ctx.emit({ k: 'assign', name: bestIdx, value: select(taken, cast(a, 'i32', 'i64'), bi, 'i64') });
      });
    }
    return bi;
  };
}

defineLowering('arg_max', lowerArg(true));
defineLowering('arg_min', lowerArg(false));
