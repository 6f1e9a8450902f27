// Lowering rule: einsum. An output element fixes the output labels; nested loops run over the
// contracted labels (in order of first appearance, the reference's odometer order) and sum the
// product of the operands' elements. Repeated labels read diagonals, size-1 dims broadcast.
// Floats multiply and sum in f64 as the reference does; integers in their own type (exact i64).
import type { Value } from '../../ir/graph.js';
import { einsumLabelSizes, parseEinsum, strAttr } from '../../ir/ops/linalg.js';
import { binary, cast, constant, i32 } from '../expr.js';
import type { Expr, ScalarType } from '../kernel-ir.js';
import { wrapInt } from './elementwise-numeric.js';
import { defineLowering } from './registry.js';
import { declare, fromF64, hoist, isFloatType, set } from './special-util.js';

defineLowering('einsum', (ctx, node, idx) => {
  const operands = node.inputs.map((v, i) => {
    if (!v) throw new Error(`einsum: operand ${i} is missing`);
    return v;
  }) as Value[];
  const shapes = operands.map((v) => ctx.shape(v));
  const spec = parseEinsum(strAttr(node.attrs, 'equation', ''), shapes.map((s) => s.length));
  if (new Set(spec.output).size !== spec.output.length) throw new Error('einsum: repeated output labels are not supported');
  const sizes = einsumLabelSizes(spec, shapes) as Map<number, number>;
  const summed: number[] = [];
  for (const labels of spec.operands) for (const l of labels) if (!spec.output.includes(l) && !summed.includes(l)) summed.push(l);

  const dtype = node.outputs[0]!.type.dtype;
  const t = ctx.type(operands[0]!);
  const acc: ScalarType = isFloatType(t) ? 'f64' : t;
  const at = new Map<number, Expr>();
  const outIdx = hoist(ctx, idx);
  spec.output.forEach((l, i) => at.set(l, outIdx[i]!));

  const product = (): Expr => {
    let p: Expr | undefined;
    operands.forEach((v, op) => {
      const index = spec.operands[op]!.map((l, j) => (shapes[op]![j] === 1 ? i32(0) : at.get(l)!));
      const e = cast(ctx.value(v, index), t, acc);
      p = p ? binary('mul', p, e, acc) : e;
    });
    return p!;
  };
  const finish = (e: Expr): Expr => (acc === 'f64' ? fromF64(ctx, e, dtype) : wrapInt(e, dtype));

  if (summed.length === 0) return finish(product());
  const sum = declare(ctx, 'esum', constant(acc, 0), acc);
  const nest = (d: number): void => {
    if (d === summed.length) {
      set(ctx, sum, binary('add', sum, product(), acc));
      return;
    }
    ctx.loop(i32(0), i32(sizes.get(summed[d]!) ?? 1), (iv) => {
      at.set(summed[d]!, iv);
      nest(d + 1);
    });
  };
  nest(0);
  return finish(sum);
});
