import { describe, expect, it } from 'vitest';
import type { OnnxAttrValue } from '../../src/frontend/onnx-writer.js';
import { Tensor } from '../../src/ir/tensor.js';
import type { Operand } from '../support/one-node-model.js';
import { expectMatchesOrt } from '../support/ort-compare.js';
import { randomTensor } from '../support/random.js';
import { f32, i64 } from '../support/tensors.js';

/** Random boxes [batches, n, 4] in corner form (some flipped) or center form. */
function randomBoxes(batches: number, n: number, seed: number): Tensor {
  const corners = randomTensor([batches, n, 4], seed, [0, 10]);
  return corners;
}

describe('NonMaxSuppression', () => {
  const boxes = randomBoxes(2, 24, 3);
  const scores = randomTensor([2, 3, 24], 5, [0, 1]);
  const feed = (name: string, value: Tensor): Operand => ({ name, value });
  const cases: [string, (Operand | null)[], Record<string, number>][] = [
    ['all inputs', [feed('b', boxes), feed('s', scores), feed('m', i64([1], [5])), feed('iou', f32([1], [0.3])), feed('st', f32([1], [0.2]))], {}],
    ['center boxes', [feed('b', boxes), feed('s', scores), feed('m', i64([1], [4])), feed('iou', f32([1], [0.2]))], { center_point_box: 1 }],
    ['no score threshold, big limit', [feed('b', boxes), feed('s', scores), feed('m', i64([1], [100])), feed('iou', f32([1], [0.5]))], {}],
    ['scalar operands', [feed('b', boxes), feed('s', scores), feed('m', i64([], [3])), feed('iou', f32([], [0.4])), feed('st', f32([], [0.5]))], {}],
    ['limit omitted (no output)', [feed('b', boxes), feed('s', scores)], {}],
  ];
  for (const [name, inputs, attrs] of cases) {
    it(name, async () => {
      await expectMatchesOrt({ op: 'NonMaxSuppression', opset: 11, inputs, attrs });
    });
  }

  it('keeps box order for equal scores and suppresses identical boxes', async () => {
    const same = f32([1, 4, 4], [0, 0, 1, 1, 0, 0, 1, 1, 5, 5, 6, 6, 0, 0, 1, 1]);
    const s = f32([1, 1, 4], [0.5, 0.5, 0.5, 0.9]);
    const { ours } = await expectMatchesOrt({ op: 'NonMaxSuppression', opset: 11, inputs: [
      { name: 'b', value: same }, { name: 's', value: s }, { name: 'm', value: i64([1], [10]) }, { name: 'iou', value: f32([1], [0.5]) },
    ] });
    expect(ours[0]!.toNumbers()).toEqual([0, 0, 3, 0, 0, 2]);
  });
});

describe('RoiAlign', () => {
  const x = randomTensor([2, 3, 12, 10], 11, 4);
  const rois = f32([5, 4], [0, 0, 9, 11, 1.5, 2.25, 6.7, 8.1, -2, -1, 4, 3, 3, 3, 3.2, 3.1, 7, 1, 12, 14]);
  const batch = i64([5], [0, 1, 1, 0, 1]);
  const inputs: Operand[] = [{ name: 'x', value: x }, { name: 'rois', value: rois }, { name: 'bi', value: batch }];
  const variants: [string, number, Record<string, OnnxAttrValue>][] = [
    ['avg half_pixel', 16, { output_height: 3, output_width: 4, sampling_ratio: 2 }],
    ['avg output_half_pixel, adaptive sampling', 16, { coordinate_transformation_mode: 'output_half_pixel', output_height: 2, output_width: 3 }],
    ['max half_pixel', 16, { mode: 'max', output_height: 3, output_width: 3, sampling_ratio: 2 }],
    ['avg with spatial_scale', 16, { output_height: 4, output_width: 2, spatial_scale: { float: 0.5 } }],
    ['opset 10 (output_half_pixel)', 10, { output_height: 2, output_width: 2, sampling_ratio: 3 }],
  ];
  for (const [name, opset, attrs] of variants) {
    it(name, async () => {
      await expectMatchesOrt({ op: 'RoiAlign', opset, inputs, attrs });
    });
  }
});

describe('MaxRoiPool', () => {
  it('matches onnxruntime', async () => {
    const x = randomTensor([2, 2, 9, 8], 4, 4);
    const rois = f32([4, 5], [0, 0, 0, 7, 8, 1, 2.4, 1.5, 6.5, 5, 1, -3, -2, 2, 2, 0, 5, 6, 5, 6]);
    await expectMatchesOrt({ op: 'MaxRoiPool', opset: 1, inputs: [{ name: 'x', value: x }, { name: 'rois', value: rois }], attrs: {
      pooled_shape: [3, 2], spatial_scale: { float: 1 },
    } });
  });
});

describe('GridSample', () => {
  const x = randomTensor([2, 3, 5, 6], 21, 4);
  const grid = randomTensor([2, 4, 7, 2], 22, [-1.4, 1.4]);
  for (const mode of ['bilinear', 'nearest', 'bicubic']) {
    for (const padding of ['zeros', 'border', 'reflection']) {
      for (const align of [0, 1]) {
        it(`opset 16 ${mode} ${padding} align_corners=${align}`, async () => {
          await expectMatchesOrt({ op: 'GridSample', opset: 16, inputs: [{ name: 'x', value: x }, { name: 'g', value: grid }], attrs: {
            mode, padding_mode: padding, align_corners: align,
          } });
        });
      }
    }
  }

  it('opset 20 names (linear, cubic)', async () => {
    await expectMatchesOrt({ op: 'GridSample', opset: 20, inputs: [{ name: 'x', value: x }, { name: 'g', value: grid }], attrs: { mode: 'cubic', padding_mode: 'border' } });
    await expectMatchesOrt({ op: 'GridSample', opset: 20, inputs: [{ name: 'x', value: x }, { name: 'g', value: grid }], attrs: { mode: 'linear' } });
  });

  it('opset 20 volumetric (3 spatial dims)', async () => {
    const x3 = randomTensor([1, 2, 3, 4, 5], 31, 4);
    const g3 = randomTensor([1, 2, 3, 4, 3], 32, [-1.2, 1.2]);
    for (const mode of ['linear', 'nearest']) {
      for (const padding of ['zeros', 'border', 'reflection']) {
        await expectMatchesOrt({ op: 'GridSample', opset: 20, inputs: [{ name: 'x', value: x3 }, { name: 'g', value: g3 }], attrs: { mode, padding_mode: padding } });
      }
    }
  });

  it('nearest rounds halves to even in 2-D', async () => {
    // x = [[0,1,2,3]]; grid x-coordinates that land exactly on .5 pixel positions.
    const xs = f32([1, 1, 1, 4], [0, 1, 2, 3]);
    const g = f32([1, 1, 3, 2], [-0.5, 0, 0, 0, 0.5, 0]);
    const { ours } = await expectMatchesOrt({ op: 'GridSample', opset: 16, inputs: [{ name: 'x', value: xs }, { name: 'g', value: g }], attrs: { mode: 'nearest' } });
    expect(ours[0]!.toNumbers()).toEqual([0, 2, 2]);
  });
});
