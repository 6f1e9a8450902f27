// ONNX importers: Gather, GatherElements, GatherND, Scatter, ScatterElements, ScatterND, OneHot,
// Compress, NonZero.
import { defineImporter, type ImportContext } from '../registry.js';
import { input } from './movement-util.js';

defineImporter('Gather', (ctx, inputs) => {
  const x = input(ctx, inputs, 0, 'data');
  const idx = input(ctx, inputs, 1, 'indices');
  return [ctx.op1('gather', [x, idx], { axis: ctx.attrInt('axis', 0) })];
});

defineImporter('GatherElements', (ctx, inputs) => {
  const x = input(ctx, inputs, 0, 'data');
  const idx = input(ctx, inputs, 1, 'indices');
  return [ctx.op1('gather_elements', [x, idx], { axis: ctx.attrInt('axis', 0) })];
});

defineImporter('GatherND', (ctx, inputs) => {
  const x = input(ctx, inputs, 0, 'data');
  const idx = input(ctx, inputs, 1, 'indices');
  if (idx.type.dtype !== 'i64') return ctx.invalid(`GatherND indices must be int64, got ${idx.type.dtype}`);
  return [ctx.op1('gather_nd', [x, idx], { batch_dims: ctx.opset >= 12 ? ctx.attrInt('batch_dims', 0) : 0 })];
});

/** Scatter reductions by opset: add/mul from 16, max/min from 18. */
function reductionAttr(ctx: ImportContext): string {
  if (ctx.opset < 16) return 'none';
  const r = ctx.attrString('reduction', 'none');
  const allowed = ctx.opset >= 18 ? ['none', 'add', 'mul', 'max', 'min'] : ['none', 'add', 'mul'];
  if (!allowed.includes(r)) return ctx.invalid(`unknown reduction "${r}" at opset ${ctx.opset}`);
  return r;
}

defineImporter('ScatterElements', (ctx, inputs) => {
  const x = input(ctx, inputs, 0, 'data');
  const idx = input(ctx, inputs, 1, 'indices');
  const upd = input(ctx, inputs, 2, 'updates');
  return [ctx.op1('scatter_elements', [x, idx, upd], { axis: ctx.attrInt('axis', 0), reduction: reductionAttr(ctx) })];
});

// Scatter (opset 9–10, deprecated in 11) is ScatterElements without reductions.
defineImporter('Scatter', (ctx, inputs) => {
  const x = input(ctx, inputs, 0, 'data');
  const idx = input(ctx, inputs, 1, 'indices');
  const upd = input(ctx, inputs, 2, 'updates');
  return [ctx.op1('scatter_elements', [x, idx, upd], { axis: ctx.attrInt('axis', 0), reduction: 'none' })];
});

defineImporter('ScatterND', (ctx, inputs) => {
  const x = input(ctx, inputs, 0, 'data');
  const idx = input(ctx, inputs, 1, 'indices');
  const upd = input(ctx, inputs, 2, 'updates');
  if (idx.type.dtype !== 'i64') return ctx.invalid(`ScatterND indices must be int64, got ${idx.type.dtype}`);
  return [ctx.op1('scatter_nd', [x, idx, upd], { reduction: reductionAttr(ctx) })];
});

defineImporter('OneHot', (ctx, inputs) => {
  const idx = input(ctx, inputs, 0, 'indices');
  const depth = input(ctx, inputs, 1, 'depth');
  const values = input(ctx, inputs, 2, 'values');
  return [ctx.op1('one_hot', [idx, depth, values], { axis: ctx.attrInt('axis', -1) })];
});

defineImporter('Compress', (ctx, inputs) => {
  const x = input(ctx, inputs, 0, 'data');
  const cond = input(ctx, inputs, 1, 'condition');
  return [ctx.op1('compress', [x, cond], ctx.hasAttr('axis') ? { axis: ctx.attrInt('axis') } : {})];
});

defineImporter('NonZero', (ctx, inputs) => [ctx.op1('non_zero', [input(ctx, inputs, 0, 'data')])]);
