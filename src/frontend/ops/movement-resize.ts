// ONNX importers: Resize (opsets 10, 11, 13, 18, 19) and Upsample (7, 9), canonicalised to the
// IR `resize` op with every Resize-19 attribute spelled out.
import type { Value } from '../../ir/graph.js';
import { Tensor } from '../../ir/tensor.js';
import { defineImporter, type ImportContext } from '../registry.js';
import { asI64, input, optional } from './movement-util.js';

/** An operand that ONNX may leave out or pass as an empty tensor: null in both cases. */
function present(ctx: ImportContext, v: Value | null): Value | null {
  if (!v) return null;
  const t = ctx.constValue(v);
  if (t && t.size === 0) return null;
  const s = v.type.shape;
  if (s && s.length === 1 && s[0] === 0) return null;
  return v;
}

function asF32(ctx: ImportContext, v: Value): Value {
  return v.type.dtype === 'f32' ? v : ctx.op1('cast', [v], { to: 'f32' });
}

/** The Resize-19 attribute set with defaults; older opsets override a few. */
function resizeAttrs(ctx: ImportContext, mode: string, coordMode: string, nearestMode: string) {
  const v18 = ctx.opset >= 18;
  return {
    mode,
    coordinate_transformation_mode: coordMode,
    nearest_mode: nearestMode,
    cubic_coeff_a: ctx.opset >= 11 ? ctx.attrFloat('cubic_coeff_a', -0.75) : -0.75,
    exclude_outside: ctx.opset >= 11 ? ctx.attrInt('exclude_outside', 0) : 0,
    extrapolation_value: ctx.opset >= 11 ? ctx.attrFloat('extrapolation_value', 0) : 0,
    keep_aspect_ratio_policy: v18 ? ctx.attrString('keep_aspect_ratio_policy', 'stretch') : 'stretch',
    axes: v18 && ctx.hasAttr('axes') ? ctx.attrInts('axes') : null,
    antialias: v18 ? ctx.attrInt('antialias', 0) : 0,
  };
}

function checkMode(ctx: ImportContext, mode: string, allowed: readonly string[]): string {
  // Upsample-7 spelled linear interpolation "bilinear" in some exporters.
  const m = mode === 'bilinear' ? 'linear' : mode;
  if (!allowed.includes(m)) return ctx.invalid(`unsupported interpolation mode "${mode}"`);
  return m;
}

/** Resize-10 / Upsample: scales only, asymmetric coordinates, nearest rounds down (NumPy repeat). */
function legacyResize(ctx: ImportContext, x: Value, scales: Value): Value {
  const mode = checkMode(ctx, ctx.attrString('mode', 'nearest'), ['nearest', 'linear']);
  return ctx.op1('resize', [x, null, asF32(ctx, scales), null], resizeAttrs(ctx, mode, 'asymmetric', 'floor'));
}

defineImporter('Upsample', (ctx, inputs) => {
  const x = input(ctx, inputs, 0, 'X');
  const scales = ctx.opset >= 9
    ? input(ctx, inputs, 1, 'scales')
    : ctx.constant(Tensor.fromNumbers('f32', [ctx.attrFloats('scales').length], ctx.attrFloats('scales')));
  return [legacyResize(ctx, x, scales)];
});

defineImporter('Resize', (ctx, inputs) => {
  const x = input(ctx, inputs, 0, 'X');
  if (ctx.opset < 11) return [legacyResize(ctx, x, input(ctx, inputs, 1, 'scales'))];
  const mode = checkMode(ctx, ctx.attrString('mode', 'nearest'), ['nearest', 'linear', 'cubic']);
  const coord = ctx.attrString('coordinate_transformation_mode', 'half_pixel');
  const nearest = ctx.attrString('nearest_mode', 'round_prefer_floor');
  const roiIn = present(ctx, optional(inputs, 1));
  const scalesIn = present(ctx, optional(inputs, 2));
  const sizesIn = present(ctx, optional(inputs, 3));
  if (!scalesIn && !sizesIn) return ctx.invalid('Resize needs scales or sizes');
  if (scalesIn && sizesIn) return ctx.invalid('Resize takes scales or sizes, not both');
  // roi only matters for tf_crop_and_resize.
  const roi = coord === 'tf_crop_and_resize' ? roiIn : null;
  const attrs = resizeAttrs(ctx, mode, coord, nearest);
  return [ctx.op1('resize', [x, roi, scalesIn ? asF32(ctx, scalesIn) : null, sizesIn ? asI64(ctx, sizesIn) : null], attrs)];
});
