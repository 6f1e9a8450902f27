// ONNX importers: NonMaxSuppression, RoiAlign, MaxRoiPool, GridSample (one IR op each).
import type { Value } from '../../ir/graph.js';
import { defineImporter, type ImportContext } from '../registry.js';

function required(ctx: ImportContext, inputs: readonly (Value | null)[], i: number, what: string): Value {
  const v = inputs[i];
  if (!v) ctx.invalid(`${ctx.node.opType} needs input ${what}`);
  return v;
}

defineImporter('NonMaxSuppression', (ctx, inputs) => [
  ctx.op1('non_max_suppression', [
    required(ctx, inputs, 0, 'boxes'),
    required(ctx, inputs, 1, 'scores'),
    inputs[2] ?? null,
    inputs[3] ?? null,
    inputs[4] ?? null,
  ], { center_point_box: ctx.attrInt('center_point_box', 0) }),
]);

defineImporter('RoiAlign', (ctx, inputs) => {
  const mode = ctx.attrString('mode', 'avg');
  if (mode !== 'avg' && mode !== 'max') ctx.invalid(`RoiAlign mode must be avg or max, got "${mode}"`);
  // Opset 10 had no coordinate_transformation_mode: it behaved as output_half_pixel.
  const ctm = ctx.opset >= 16 ? ctx.attrString('coordinate_transformation_mode', 'half_pixel') : 'output_half_pixel';
  if (ctm !== 'half_pixel' && ctm !== 'output_half_pixel') {
    ctx.invalid(`RoiAlign coordinate_transformation_mode must be half_pixel or output_half_pixel, got "${ctm}"`);
  }
  return [ctx.op1('roi_align', [
    required(ctx, inputs, 0, 'X'),
    required(ctx, inputs, 1, 'rois'),
    required(ctx, inputs, 2, 'batch_indices'),
  ], {
    mode,
    coordinate_transformation_mode: ctm,
    output_height: ctx.attrInt('output_height', 1),
    output_width: ctx.attrInt('output_width', 1),
    sampling_ratio: ctx.attrInt('sampling_ratio', 0),
    spatial_scale: ctx.attrFloat('spatial_scale', 1),
  })];
});

defineImporter('MaxRoiPool', (ctx, inputs) => [
  ctx.op1('max_roi_pool', [required(ctx, inputs, 0, 'X'), required(ctx, inputs, 1, 'rois')], {
    pooled_shape: ctx.attrInts('pooled_shape'),
    spatial_scale: ctx.attrFloat('spatial_scale', 1),
  }),
]);

/** Opset 20 renamed the modes (and allowed any rank); the IR keeps the opset-16 names. */
const GRID_SAMPLE_MODE: Readonly<Record<string, string>> = {
  bilinear: 'bilinear', nearest: 'nearest', bicubic: 'bicubic', linear: 'bilinear', cubic: 'bicubic',
};

defineImporter('GridSample', (ctx, inputs) => {
  const x = required(ctx, inputs, 0, 'X');
  const grid = required(ctx, inputs, 1, 'grid');
  const onnxMode = ctx.attrString('mode', ctx.opset >= 20 ? 'linear' : 'bilinear');
  const mode = GRID_SAMPLE_MODE[onnxMode];
  const modeNames = ctx.opset >= 20 ? ['linear', 'nearest', 'cubic'] : ['bilinear', 'nearest', 'bicubic'];
  if (!mode || !modeNames.includes(onnxMode)) ctx.invalid(`GridSample mode must be one of ${modeNames.join(', ')}, got "${onnxMode}"`);
  const padding = ctx.attrString('padding_mode', 'zeros');
  if (padding !== 'zeros' && padding !== 'border' && padding !== 'reflection') {
    ctx.invalid(`GridSample padding_mode must be zeros, border or reflection, got "${padding}"`);
  }
  if (ctx.opset < 20 && x.type.shape && x.type.shape.length !== 4) {
    ctx.invalid(`GridSample-${ctx.opset} takes 4-D input, got rank ${x.type.shape.length}`);
  }
  return [ctx.op1('grid_sample', [x, grid], {
    mode,
    padding_mode: padding,
    align_corners: ctx.attrInt('align_corners', 0) !== 0 ? 1 : 0,
  })];
});
