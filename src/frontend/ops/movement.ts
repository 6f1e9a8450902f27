// ONNX importers: movement ops (Transpose, Reshape, Flatten, Squeeze, Unsqueeze, Expand, Concat,
// Split, Slice). Gathers/scatters are in movement-index.ts, padding and friends in
// movement-misc.ts, Resize/Upsample in movement-resize.ts.
import type { Attrs, Value } from '../../ir/graph.js';
import { equalSplitSizes } from '../../ir/ops/movement.js';
import { defineImporter, type ImportContext } from '../registry.js';
import { asI64, constNumbers, i64Const, input, optional } from './movement-util.js';
import './movement-index.js';
import './movement-misc.js';
import './movement-resize.js';

defineImporter('Transpose', (ctx, inputs) => {
  const x = input(ctx, inputs, 0, 'data');
  const attrs: Attrs = ctx.hasAttr('perm') ? { perm: ctx.attrInts('perm') } : {};
  return [ctx.op1('transpose', [x], attrs)];
});

defineImporter('Reshape', (ctx, inputs) => {
  const x = input(ctx, inputs, 0, 'data');
  const shape = ctx.opset >= 5 ? asI64(ctx, input(ctx, inputs, 1, 'shape')) : i64Const(ctx, ctx.attrInts('shape'));
  const allowzero = ctx.opset >= 14 ? ctx.attrInt('allowzero', 0) : 0;
  return [ctx.op1('reshape', [x, shape], allowzero ? { allowzero } : {})];
});

/** Product of static dims, or undefined if any is symbolic. */
function product(dims: readonly (number | string)[]): number | undefined {
  let n = 1;
  for (const d of dims) {
    if (typeof d !== 'number') return undefined;
    n *= d;
  }
  return n;
}

defineImporter('Flatten', (ctx, inputs) => {
  const x = input(ctx, inputs, 0, 'data');
  const shape = x.type.shape;
  if (!shape) return ctx.unsupported('Flatten of an input of unknown rank');
  const rank = shape.length;
  let axis = ctx.attrInt('axis', 1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis > rank) return ctx.invalid(`Flatten axis ${ctx.attrInt('axis', 1)} out of range for rank ${rank}`);
  const head = product(shape.slice(0, axis));
  const tail = product(shape.slice(axis));
  // A reshape with a constant shape when either side is static (-1 takes the other side).
  if (head !== undefined || tail !== undefined) {
    const target = tail !== undefined ? [head ?? -1, tail] : [head!, -1];
    return [ctx.op1('reshape', [x, i64Const(ctx, target)])];
  }
  // Both sides symbolic: compute [prod(head), prod(tail)] from the run-time shape.
  const s = ctx.op1('shape', [x], { start: 0, end: null });
  const part = (from: number, to: number): Value => {
    const sl = ctx.op1('slice', [s, i64Const(ctx, [from]), i64Const(ctx, [to])]);
    return ctx.op1('reduce_prod', [sl, i64Const(ctx, [0])], { keepdims: 1, noop_with_empty_axes: 0 });
  };
  const target = ctx.op1('concat', [part(0, axis), part(axis, rank)], { axis: 0 });
  return [ctx.op1('reshape', [x, target])];
});

/** Axes of Squeeze/Unsqueeze: an attribute before opset 13, an input from 13. */
function axesOperand(ctx: ImportContext, inputs: readonly (Value | null)[]): Value | null {
  if (ctx.opset >= 13) {
    const a = optional(inputs, 1);
    return a ? asI64(ctx, a) : null;
  }
  return ctx.hasAttr('axes') ? i64Const(ctx, ctx.attrInts('axes')) : null;
}

defineImporter('Squeeze', (ctx, inputs) => {
  const x = input(ctx, inputs, 0, 'data');
  const axes = axesOperand(ctx, inputs);
  // Without axes every extent-1 dim goes, decided at run time where dims are symbolic.
  return [ctx.op1('squeeze', axes ? [x, axes] : [x])];
});

defineImporter('Unsqueeze', (ctx, inputs) => {
  const x = input(ctx, inputs, 0, 'data');
  const axes = axesOperand(ctx, inputs);
  if (!axes) return ctx.invalid('Unsqueeze needs axes');
  return [ctx.op1('unsqueeze', [x, axes])];
});

defineImporter('Expand', (ctx, inputs) => {
  const x = input(ctx, inputs, 0, 'data');
  return [ctx.op1('expand', [x, asI64(ctx, input(ctx, inputs, 1, 'shape'))])];
});

defineImporter('Concat', (ctx, inputs) => {
  const xs = inputs.filter((v): v is Value => v !== null);
  if (xs.length === 0) return ctx.invalid('Concat needs at least one input');
  return [ctx.op1('concat', xs, { axis: ctx.attrInt('axis', 1) })];
});

defineImporter('Split', (ctx, inputs) => {
  const x = input(ctx, inputs, 0, 'data');
  const n = ctx.node.outputs.length;
  const shape = x.type.shape;
  const rawAxis = ctx.attrInt('axis', 0);
  let sizes: number[] | undefined;
  let splitOperand: Value | null = null;
  if (ctx.opset >= 13) {
    splitOperand = optional(inputs, 1);
    if (splitOperand) {
      sizes = constNumbers(ctx, splitOperand);
      splitOperand = asI64(ctx, splitOperand);
    }
  } else if (ctx.hasAttr('split')) {
    sizes = ctx.attrInts('split');
  }
  const parts = ctx.opset >= 18 && ctx.hasAttr('num_outputs') ? ctx.attrInt('num_outputs') : n;
  if (parts !== n) return ctx.invalid(`Split num_outputs is ${parts} but the node has ${n} outputs`);
  if (sizes && sizes.length !== n) return ctx.invalid(`Split has ${sizes.length} sizes for ${n} outputs`);
  if (shape) {
    const axis = rawAxis < 0 ? rawAxis + shape.length : rawAxis;
    if (axis < 0 || axis >= shape.length) return ctx.invalid(`Split axis ${rawAxis} out of range`);
    const dim = shape[axis]!;
    if (!sizes && !splitOperand && typeof dim === 'number') sizes = equalSplitSizes(dim, parts);
    if (sizes) {
      // Known sizes: one slice per part with constant bounds.
      const out: Value[] = [];
      let at = 0;
      for (const size of sizes) {
        out.push(ctx.op1('slice', [x, i64Const(ctx, [at]), i64Const(ctx, [at + size]), i64Const(ctx, [axis])]));
        at += size;
      }
      return out;
    }
  }
  const operands = splitOperand ? [x, splitOperand] : [x];
  return ctx.op('split', operands, { axis: rawAxis, num_outputs: parts }, { numOutputs: n });
});

defineImporter('Slice', (ctx, inputs) => {
  const x = input(ctx, inputs, 0, 'data');
  if (ctx.opset < 10) {
    const starts = ctx.attrInts('starts');
    const ends = ctx.attrInts('ends');
    const ops: (Value | null)[] = [x, i64Const(ctx, starts), i64Const(ctx, ends)];
    if (ctx.hasAttr('axes')) ops.push(i64Const(ctx, ctx.attrInts('axes')));
    return [ctx.op1('slice', ops)];
  }
  const starts = asI64(ctx, input(ctx, inputs, 1, 'starts'));
  const ends = asI64(ctx, input(ctx, inputs, 2, 'ends'));
  const axes = optional(inputs, 3);
  const steps = optional(inputs, 4);
  const ops: (Value | null)[] = [x, starts, ends, axes ? asI64(ctx, axes) : null, steps ? asI64(ctx, steps) : null];
  while (ops.length > 3 && ops[ops.length - 1] === null) ops.pop();
  return [ctx.op1('slice', ops)];
});
