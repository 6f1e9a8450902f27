// IR op definition: resize (ONNX Resize-19 semantics; the importer canonicalises older opsets).
//
//   resize (data, roi?: f[2n], scales?: f32[n], sizes?: i64[n])
//     {mode: nearest|linear|cubic, coordinate_transformation_mode, nearest_mode, cubic_coeff_a,
//      exclude_outside, extrapolation_value, keep_aspect_ratio_policy, axes?, antialias}
//   Exactly one of scales/sizes; n is the number of `axes` (default: all axes).
import { defineOp } from './registry.js';
import { attrInts, attrString, constInts, freshDim, need, normAxis } from './movement-util.js';
import type { Dim } from '../types.js';
import type { Tensor } from '../tensor.js';

export const RESIZE_MODES = new Set(['nearest', 'linear', 'cubic']);
export const COORD_MODES = new Set([
  'half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric',
  'tf_half_pixel_for_nn', 'tf_crop_and_resize',
]);
export const NEAREST_MODES = new Set(['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil']);


/** Full-rank resized axes (sorted positions of the scales/sizes entries). */
export function resizeAxes(rank: number, axes: readonly number[] | undefined): number[] {
  if (!axes) return Array.from({ length: rank }, (_, i) => i);
  const a = axes.map((x) => normAxis(x, rank, 'resize axis'));
  if (new Set(a).size !== a.length) throw new Error('resize axes repeat');
  return a;
}

export interface ResizePlan {
  /** Output extent per axis. */
  outShape: number[];
  /** Scale per axis (1 for axes not resized), as used by the coordinate transforms. */
  scales: number[];
}

/**
 * Output shape and effective scales: from `sizes` (honouring keep_aspect_ratio_policy) or from
 * `scales` (output = floor(input * scale)).
 */
export function resizePlan(
  inShape: readonly number[],
  axes: readonly number[],
  scales: readonly number[] | undefined,
  sizes: readonly number[] | undefined,
  policy: string,
): ResizePlan {
  const rank = inShape.length;
  const outShape = [...inShape];
  const sc = new Array<number>(rank).fill(1);
  if (sizes) {
    if (sizes.length !== axes.length) throw new Error(`resize sizes has ${sizes.length} entries for ${axes.length} axes`);
    if (policy === 'stretch') {
      axes.forEach((a, i) => {
        outShape[a] = sizes[i]!;
        sc[a] = sizes[i]! / inShape[a]!;
      });
    } else {
      let s = policy === 'not_larger' ? Infinity : -Infinity;
      axes.forEach((a, i) => {
        const r = sizes[i]! / inShape[a]!;
        s = policy === 'not_larger' ? Math.min(s, r) : Math.max(s, r);
      });
      for (const a of axes) {
        outShape[a] = Math.floor(s * inShape[a]! + 0.5); // round half up, as the spec says
        sc[a] = s;
      }
    }
  } else if (scales) {
    if (scales.length !== axes.length) throw new Error(`resize scales has ${scales.length} entries for ${axes.length} axes`);
    axes.forEach((a, i) => {
      const s = scales[i]!;
      if (!(s > 0)) throw new Error(`resize scale ${s} must be positive`);
      sc[a] = s;
      // In f32, as onnxruntime does: 5 × 1.8f is 9, not 8.99999976.
      outShape[a] = Math.floor(Math.fround(inShape[a]! * s));
    });
  } else {
    throw new Error('resize needs scales or sizes');
  }
  return { outShape, scales: sc };
}

/** Scales from a constant operand; an empty tensor counts as absent (ONNX uses '' or empty tensors). */
export function presentConst(t: Tensor | undefined): number[] | undefined {
  if (!t || t.size === 0) return undefined;
  return constInts(t);
}

defineOp({
  name: 'resize',
  kind: 'movement',
  infer({ inputs, attrs, consts }) {
    const x = need(inputs, 0, 'data');
    const mode = attrString(attrs, 'mode', 'nearest');
    if (!RESIZE_MODES.has(mode)) throw new Error(`unknown resize mode ${mode}`);
    const ct = attrString(attrs, 'coordinate_transformation_mode', 'half_pixel');
    if (!COORD_MODES.has(ct)) throw new Error(`unknown coordinate_transformation_mode ${ct}`);
    if (!NEAREST_MODES.has(attrString(attrs, 'nearest_mode', 'round_prefer_floor'))) throw new Error('unknown nearest_mode');
    const policy = attrString(attrs, 'keep_aspect_ratio_policy', 'stretch');
    if (policy !== 'stretch' && policy !== 'not_larger' && policy !== 'not_smaller') {
      throw new Error(`unknown keep_aspect_ratio_policy ${policy}`);
    }
    if (!x.shape) return [{ dtype: x.dtype, shape: null }];
    const rank = x.shape.length;
    const axes = resizeAxes(rank, attrInts(attrs, 'axes'));
    const scalesKnown = inputs[2] ? consts[2] : undefined;
    const sizesKnown = inputs[3] ? consts[3] : undefined;
    const scales = presentConst(scalesKnown);
    const sizes = presentConst(sizesKnown);
    const inShape = x.shape;
    const k = (i: number): number => axes.indexOf(i);
    if (sizes && policy !== 'stretch') {
      // The common scale depends on every resized input extent.
      if (axes.every((a) => typeof inShape[a] === 'number')) {
        const plan = resizePlan(inShape.map((d) => (typeof d === 'number' ? d : 1)), axes, undefined, sizes, policy);
        return [{ dtype: x.dtype, shape: inShape.map((d, i) => (k(i) >= 0 ? plan.outShape[i]! : d)) }];
      }
    } else if (sizes) {
      if (sizes.length !== axes.length) throw new Error(`resize sizes has ${sizes.length} entries for ${axes.length} axes`);
      return [{ dtype: x.dtype, shape: inShape.map((d, i) => (k(i) >= 0 ? sizes[k(i)]! : d)) }];
    } else if (scales) {
      if (scales.length !== axes.length) throw new Error(`resize scales has ${scales.length} entries for ${axes.length} axes`);
      return [{
        dtype: x.dtype,
        shape: inShape.map((d, i) => {
          if (k(i) < 0 || scales[k(i)] === 1) return d;
          return typeof d === 'number' ? resizePlan([d], [0], [scales[k(i)]!], undefined, policy).outShape[0]! : freshDim('resize');
        }),
      }];
    }
    return [{ dtype: x.dtype, shape: x.shape.map((d, i) => (axes.includes(i) ? freshDim('resize') : d)) }];
  },
});
