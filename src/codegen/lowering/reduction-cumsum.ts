// Lowering rule: cum_sum — each output element sums its prefix (or suffix, with `reverse`) along
// the axis, in the reference's order; `exclusive` leaves the element itself out. Float sums run
// in f64 like the reference's. The axis may be a compile-time constant or read at run time.
import { isFloat } from '../../ir/dtype.js';
import { normalizeAxis } from '../../ir/ops/reduction.js';
import { add, binary, cast, cmp, i32, sub } from '../expr.js';
import { computeType, type Expr } from '../kernel-ir.js';
import { num, wrapInt } from './elementwise-numeric.js';
import { defineLowering } from './registry.js';
import { pick, runtimeAxis } from './reduction-space.js';

defineLowering('cum_sum', (ctx, node, idx) => {
  const x = node.inputs[0];
  const axisOperand = node.inputs[1];
  if (!x || !axisOperand) throw new Error('cum_sum needs data and axis inputs');
  const shape = ctx.shape(x);
  const rank = shape.length;
  // isAxis(d): whether dim d is the scanned axis — a constant, or an i32 flag read at run time.
  const axisTensor = ctx.constant(axisOperand);
  let isAxis: (d: number) => Expr;
  if (axisTensor) {
    const axis = normalizeAxis(axisTensor.getNumber(0), rank);
    isAxis = (d) => i32(d === axis ? 1 : 0);
  } else {
    const axis = runtimeAxis(ctx, axisOperand, 0, rank);
    isAxis = (d) => cmp('eq', axis, i32(d));
  }
  const exclusive = node.attrs['exclusive'] === 1;
  const reverse = node.attrs['reverse'] === 1;
  const dtype = x.type.dtype;
  const t = computeType(dtype);
  const at = isFloat(dtype) ? 'f64' : t;
  let extent: Expr = i32(0);
  let k: Expr = i32(0);
  for (let d = rank - 1; d >= 0; d--) {
    extent = pick(isAxis(d), i32(shape[d]!), extent);
    k = pick(isAxis(d), idx[d]!, k);
  }
  extent = ctx.bind(extent, 'i32');
  k = ctx.bind(k, 'i32');

  const acc = ctx.fresh('cum');
  const accVar: Expr = { k: 'var', name: acc, t: at };
  ctx.emit({ k: 'var', name: acc, value: num(at, 0) });
  // Forward: elements 0 .. k (k excluded when exclusive); reverse: extent-1 down to k.
  const count = reverse ? sub(exclusive ? sub(extent, i32(1)) : extent, k) : exclusive ? k : add(k, i32(1));
  ctx.loop(i32(0), count, (j) => {
    const a = reverse ? sub(sub(extent, i32(1)), j) : j;
    const v = ctx.value(x, idx.map((e, d) => pick(isAxis(d), a, e)));
    ctx.emit({ k: 'assign', name: acc, value: binary('add', accVar, cast(v, t, at), at) });
  });
  return isFloat(dtype) ? cast(accVar, at, t) : wrapInt(accVar, dtype);
});
