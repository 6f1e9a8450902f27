// IR op definitions: detection and sampling ops with no natural decomposition (run on the host).
//
//   non_max_suppression (boxes f[B,N,4], scores f[B,C,N], max_output_boxes_per_class? int[] or [1],
//                        iou_threshold? f[] or [1], score_threshold? f[] or [1]) {center_point_box: 0|1}
//                        → i64[K,3] rows (batch, class, box), K data-dependent
//   roi_align           (x [N,C,H,W], rois [R,4], batch_indices int[R])
//                        {mode: avg|max, output_height, output_width, sampling_ratio, spatial_scale,
//                         coordinate_transformation_mode: half_pixel|output_half_pixel} → [R,C,oh,ow]
//   max_roi_pool        (x [N,C,H,W], rois [R,5] (batch, x1, y1, x2, y2))
//                        {pooled_shape: [ph,pw], spatial_scale} → [R,C,ph,pw]
//   grid_sample         (x [N,C,D1..Dk], grid f[N,G1..Gk,k])
//                        {mode: bilinear|nearest|bicubic, padding_mode: zeros|border|reflection,
//                         align_corners: 0|1} → [N,C,G1..Gk]   (opset-16 mode names, any k ≥ 1)
import { defineOp } from './registry.js';
import { attrInt, attrInts, attrString, freshDim, need, requireFloat, requireRank } from './special-util.js';
import type { Dim } from '../types.js';

export const ROI_ALIGN_MODES = ['avg', 'max'] as const;
export const ROI_ALIGN_COORDINATE_MODES = ['half_pixel', 'output_half_pixel'] as const;
export const GRID_SAMPLE_MODES = ['bilinear', 'nearest', 'bicubic'] as const;
export const GRID_SAMPLE_PADDING_MODES = ['zeros', 'border', 'reflection'] as const;

defineOp({
  name: 'non_max_suppression',
  kind: 'special',
  infer({ inputs, attrs }) {
    const boxes = need(inputs, 0, 'boxes');
    const scores = need(inputs, 1, 'scores');
    requireFloat(boxes, 'boxes');
    requireFloat(scores, 'scores');
    requireRank(boxes, 3, 'boxes');
    requireRank(scores, 3, 'scores');
    if (boxes.shape && typeof boxes.shape[2] === 'number' && boxes.shape[2] !== 4) {
      throw new Error(`boxes must be [batch, boxes, 4], got last dim ${boxes.shape[2]}`);
    }
    const cpb = attrInt(attrs, 'center_point_box', 0);
    if (cpb !== 0 && cpb !== 1) throw new Error(`center_point_box must be 0 or 1, got ${cpb}`);
    return [{ dtype: 'i64', shape: [freshDim('nms'), 3] }];
  },
});

defineOp({
  name: 'roi_align',
  kind: 'special',
  infer({ inputs, attrs }) {
    const x = need(inputs, 0, 'X');
    const rois = need(inputs, 1, 'rois');
    need(inputs, 2, 'batch_indices');
    requireFloat(x, 'X');
    requireRank(x, 4, 'X');
    requireRank(rois, 2, 'rois');
    attrString(attrs, 'mode', ROI_ALIGN_MODES, 'avg');
    attrString(attrs, 'coordinate_transformation_mode', ROI_ALIGN_COORDINATE_MODES, 'half_pixel');
    const oh = attrInt(attrs, 'output_height', 1);
    const ow = attrInt(attrs, 'output_width', 1);
    if (oh < 1 || ow < 1) throw new Error(`output size ${oh}x${ow} must be positive`);
    const r: Dim = rois.shape ? rois.shape[0]! : freshDim('rois');
    const c: Dim = x.shape ? x.shape[1]! : freshDim('channels');
    return [{ dtype: x.dtype, shape: [r, c, oh, ow] }];
  },
});

defineOp({
  name: 'max_roi_pool',
  kind: 'special',
  infer({ inputs, attrs }) {
    const x = need(inputs, 0, 'X');
    const rois = need(inputs, 1, 'rois');
    requireFloat(x, 'X');
    requireRank(x, 4, 'X');
    requireRank(rois, 2, 'rois');
    const pooled = attrInts(attrs, 'pooled_shape');
    if (!pooled || pooled.length !== 2 || pooled.some((d) => d < 1)) {
      throw new Error('pooled_shape must be two positive integers');
    }
    const r: Dim = rois.shape ? rois.shape[0]! : freshDim('rois');
    const c: Dim = x.shape ? x.shape[1]! : freshDim('channels');
    return [{ dtype: x.dtype, shape: [r, c, pooled[0]!, pooled[1]!] }];
  },
});

defineOp({
  name: 'grid_sample',
  kind: 'special',
  infer({ inputs, attrs }) {
    const x = need(inputs, 0, 'X');
    const grid = need(inputs, 1, 'grid');
    requireFloat(grid, 'grid');
    if (x.dtype === 'string') throw new Error('X must be numeric, got string');
    attrString(attrs, 'mode', GRID_SAMPLE_MODES, 'bilinear');
    attrString(attrs, 'padding_mode', GRID_SAMPLE_PADDING_MODES, 'zeros');
    if (!x.shape || !grid.shape) return [{ dtype: x.dtype, shape: null }];
    const k = x.shape.length - 2;
    if (k < 1) throw new Error(`X must have rank ≥ 3, got ${x.shape.length}`);
    if (grid.shape.length !== k + 2) throw new Error(`grid must have rank ${k + 2} for X of rank ${k + 2}`);
    const last = grid.shape[k + 1];
    if (typeof last === 'number' && last !== k) throw new Error(`grid's last dim must be ${k}, got ${last}`);
    return [{ dtype: x.dtype, shape: [x.shape[0]!, x.shape[1]!, ...grid.shape.slice(1, k + 1)] }];
  },
});
