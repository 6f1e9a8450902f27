// ONNX importers: MaxPool, AveragePool, LpPool, MaxUnpool and the global pools (→ reductions).
import type { Attrs, Value } from '../../ir/graph.js';
import { defineImporter, type ImportContext } from '../registry.js';
import { bin, i64s, range, requireRank, required, scalar, windowIrAttrs } from './linalg-util.js';

function poolAttrs(ctx: ImportContext, x: Value): Record<string, Attrs[string]> {
  const kernel = ctx.attrInts('kernel_shape');
  const attrs: Record<string, Attrs[string]> = windowIrAttrs(ctx, x, kernel, kernel.length);
  attrs['kernel_shape'] = kernel;
  // Once SAME padding is explicit, ceil_mode must not grow the output (it cannot, but say so).
  const same = ctx.attrString('auto_pad', 'NOTSET').startsWith('SAME');
  attrs['ceil_mode'] = same ? 0 : ctx.attrInt('ceil_mode', 0);
  return attrs;
}

/** Whether the node asks for output `i` (a present, non-empty name). */
function wantsOutput(ctx: ImportContext, i: number): boolean {
  return (ctx.node.outputs[i] ?? '') !== '';
}

defineImporter('MaxPool', (ctx, inputs) => {
  const x = required(ctx, inputs, 0, 'X');
  const withIndices = wantsOutput(ctx, 1);
  const attrs = { ...poolAttrs(ctx, x), storage_order: ctx.attrInt('storage_order', 0), with_indices: withIndices };
  const outs = ctx.op('max_pool', [x], attrs);
  return withIndices ? [outs[0]!, outs[1]!] : [outs[0]!];
});

defineImporter('AveragePool', (ctx, inputs) => {
  const x = required(ctx, inputs, 0, 'X');
  const attrs = { ...poolAttrs(ctx, x), count_include_pad: ctx.attrInt('count_include_pad', 0) };
  return [ctx.op1('avg_pool', [x], attrs)];
});

defineImporter('LpPool', (ctx, inputs) => {
  const x = required(ctx, inputs, 0, 'X');
  // p is a float in opset 1, an int later; attrFloat reads both.
  return [ctx.op1('lp_pool', [x], { ...poolAttrs(ctx, x), p: ctx.attrFloat('p', 2) })];
});

defineImporter('MaxUnpool', (ctx, inputs) => {
  const x = required(ctx, inputs, 0, 'X');
  const indices = required(ctx, inputs, 1, 'I');
  const kernel = ctx.attrInts('kernel_shape');
  const n = kernel.length;
  const attrs = {
    kernel_shape: kernel,
    strides: ctx.attrInts('strides', new Array(n).fill(1)),
    pads: ctx.attrInts('pads', new Array(2 * n).fill(0)),
  };
  const outputShape = inputs[2] ?? null;
  return [ctx.op1('max_unpool', outputShape ? [x, indices, outputShape] : [x, indices], attrs)];
});

/** Reduction over the spatial axes (2..rank-1), keeping them as unit dims. */
function reduceSpatial(ctx: ImportContext, op: string, x: Value): Value {
  const rank = requireRank(ctx, x, 'X');
  return ctx.op1(op, [x, i64s(ctx, range(2, rank))], { keepdims: 1, noop_with_empty_axes: 1 });
}

defineImporter('GlobalAveragePool', (ctx, inputs) => [reduceSpatial(ctx, 'reduce_mean', required(ctx, inputs, 0, 'X'))]);
defineImporter('GlobalMaxPool', (ctx, inputs) => [reduceSpatial(ctx, 'reduce_max', required(ctx, inputs, 0, 'X'))]);

// GlobalLpPool → (reduce_sum |x|^p)^(1/p).
defineImporter('GlobalLpPool', (ctx, inputs) => {
  const x = required(ctx, inputs, 0, 'X');
  const p = ctx.attrFloat('p', 2);
  const dt = x.type.dtype;
  const powered = p === 1 ? ctx.op1('abs', [x]) : bin(ctx, 'pow', ctx.op1('abs', [x]), scalar(ctx, dt, p));
  const sum = reduceSpatial(ctx, 'reduce_sum', powered);
  return [p === 1 ? sum : p === 2 ? ctx.op1('sqrt', [sum]) : bin(ctx, 'pow', sum, scalar(ctx, dt, 1 / p))];
});
