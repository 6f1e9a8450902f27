// Reference kernel: non_max_suppression (greedy, per batch and class, ONNX semantics).
import { Tensor } from '../../tensor.js';
import { attrInt } from '../../ops/special-util.js';
import { defineKernel } from '../registry.js';
import { operand, optionalScalar } from './special-util.js';

/** Corner form (ymin, xmin, ymax, xmax) of every box of one batch, and its area. */
function cornerBoxes(boxes: Float64Array, offset: number, n: number, centerPointBox: boolean): Float64Array {
  const out = new Float64Array(n * 5);
  for (let i = 0; i < n; i++) {
    const a = boxes[offset + i * 4]!;
    const b = boxes[offset + i * 4 + 1]!;
    const c = boxes[offset + i * 4 + 2]!;
    const d = boxes[offset + i * 4 + 3]!;
    let ymin: number, xmin: number, ymax: number, xmax: number;
    if (centerPointBox) {
      // [x_center, y_center, width, height]
      xmin = a - c / 2;
      xmax = a + c / 2;
      ymin = b - d / 2;
      ymax = b + d / 2;
    } else {
      // [y1, x1, y2, x2], corners in either order
      ymin = Math.min(a, c);
      ymax = Math.max(a, c);
      xmin = Math.min(b, d);
      xmax = Math.max(b, d);
    }
    out.set([ymin, xmin, ymax, xmax, (ymax - ymin) * (xmax - xmin)], i * 5);
  }
  return out;
}

/** Whether box j overlaps box i by more than `threshold` (intersection over union). */
function suppresses(c: Float64Array, i: number, j: number, threshold: number): boolean {
  const ih = Math.min(c[i * 5 + 2]!, c[j * 5 + 2]!) - Math.max(c[i * 5]!, c[j * 5]!);
  const iw = Math.min(c[i * 5 + 3]!, c[j * 5 + 3]!) - Math.max(c[i * 5 + 1]!, c[j * 5 + 1]!);
  if (ih <= 0 || iw <= 0) return false;
  const inter = ih * iw;
  const ai = c[i * 5 + 4]!;
  const aj = c[j * 5 + 4]!;
  const union = ai + aj - inter;
  if (ai <= 0 || aj <= 0 || union <= 0) return false;
  return inter / union > threshold;
}

defineKernel('non_max_suppression', (inputs, attrs) => {
  const boxesT = operand(inputs[0], 'boxes');
  const scoresT = operand(inputs[1], 'scores');
  const [batches, numBoxes] = boxesT.shape as [number, number, number];
  const classes = scoresT.shape[1]!;
  if (scoresT.shape[0] !== batches || scoresT.shape[2] !== numBoxes) {
    throw new Error(`scores [${scoresT.shape.join(',')}] do not match boxes [${boxesT.shape.join(',')}]`);
  }
  const maxPerClass = optionalScalar(inputs[2], 'max_output_boxes_per_class', 0);
  const iouThreshold = optionalScalar(inputs[3], 'iou_threshold', 0);
  const scoreThreshold = inputs[4] ? optionalScalar(inputs[4], 'score_threshold', 0) : -Infinity;
  const centerPointBox = attrInt(attrs, 'center_point_box', 0) === 1;
  const boxes = boxesT.toFloat64();
  const scores = scoresT.toFloat64();

  const selected: number[] = [];
  if (maxPerClass > 0) {
    for (let b = 0; b < batches; b++) {
      const corners = cornerBoxes(boxes, b * numBoxes * 4, numBoxes, centerPointBox);
      for (let cls = 0; cls < classes; cls++) {
        const s = (b * classes + cls) * numBoxes;
        const candidates: number[] = [];
        for (let i = 0; i < numBoxes; i++) if (scores[s + i]! > scoreThreshold) candidates.push(i);
        // Highest score first; equal scores keep box order.
        candidates.sort((i, j) => scores[s + j]! - scores[s + i]! || i - j);
        const kept: number[] = [];
        for (const i of candidates) {
          if (kept.length >= maxPerClass) break;
          if (kept.some((k) => suppresses(corners, k, i, iouThreshold))) continue;
          kept.push(i);
          selected.push(b, cls, i);
        }
      }
    }
  }
  return [Tensor.fromNumbers('i64', [selected.length / 3, 3], selected)];
});
