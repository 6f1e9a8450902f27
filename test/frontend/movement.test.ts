// Movement importers + reference kernels against onnxruntime-node on one-node ONNX models.
import { describe, it } from 'vitest';
import type { OnnxAttrValue } from '../../src/frontend/onnx-writer.js';
import { Tensor } from '../../src/ir/tensor.js';
import type { DType } from '../../src/ir/dtype.js';
import type { OneNodeCase, Operand } from '../support/one-node-model.js';
import { expectMatchesOrt } from '../support/ort-compare.js';
import { lcg32 } from '../support/random.js';
import { f32, i64 } from '../support/tensors.js';

interface Case extends OneNodeCase {
  readonly name: string;
  readonly opset: number;
  readonly attrs?: Record<string, OnnxAttrValue>;
  readonly rtol?: number;
  readonly atol?: number;
}

async function check(c: Case): Promise<void> {
  await expectMatchesOrt(c, { rtol: c.rtol ?? 1e-5, atol: c.atol ?? 1e-5 });
}

// ---- test data ----------------------------------------------------------------------------

function rand(shape: readonly number[], seed = 1, dtype: DType = 'f32'): Tensor {
  const next = lcg32(seed >>> 0 || 1);
  const v = Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => {
    const u = next();
    return dtype === 'f32' || dtype === 'f64' || dtype === 'f16' ? (u * 2 - 1) * 4 : Math.floor(u * 200) - 100;
  });
  if (dtype === 'i64') return Tensor.fromBigInts('i64', shape, v.map((x) => BigInt(x) * 12345678901n));
  if (dtype === 'bool') return Tensor.fromNumbers('bool', shape, v.map((x) => (x > 0 ? 1 : 0)));
  if (dtype === 'u8') return Tensor.fromNumbers('u8', shape, v.map((x) => x + 100));
  return Tensor.fromNumbers(dtype, shape, v);
}
const i32 = (shape: number[], v: number[]): Tensor => Tensor.fromNumbers('i32', shape, v);
const strs = (shape: number[]): Tensor => {
  const n = shape.reduce((p, d) => p * d, 1);
  return new Tensor('string', shape, Array.from({ length: n }, (_, i) => `s${i}`));
};
const X = (t: Tensor, symbolic = false): Operand => ({ name: 'x', value: t, symbolic });
const C = (name: string, t: Tensor): Operand => ({ name, value: t, constant: true });
const F = (name: string, t: Tensor): Operand => ({ name, value: t });
const i64big = (v: bigint[]): Tensor => Tensor.fromBigInts('i64', [v.length], v);
const MAX = 9223372036854775807n;
const MIN = -9223372036854775808n;

const x234 = rand([2, 3, 4], 3);

const CASES: Case[] = [
  // Transpose / Reshape / Flatten / Squeeze / Unsqueeze / Expand / Concat
  { name: 'transpose default', op: 'Transpose', opset: 13, inputs: [X(x234)] },
  { name: 'transpose perm', op: 'Transpose', opset: 13, inputs: [X(x234)], attrs: { perm: [1, 2, 0] } },
  { name: 'transpose i64', op: 'Transpose', opset: 13, inputs: [X(rand([3, 5], 2, 'i64'))] },
  { name: 'transpose string', op: 'Transpose', opset: 13, inputs: [X(strs([2, 3]))] },
  { name: 'transpose bool symbolic', op: 'Transpose', opset: 13, inputs: [X(rand([2, 3, 2], 5, 'bool'), true)], attrs: { perm: [2, 0, 1] } },
  { name: 'transpose f16', op: 'Transpose', opset: 13, inputs: [X(rand([4, 3], 5, 'f16'))] },
  { name: 'reshape const', op: 'Reshape', opset: 13, inputs: [X(x234), C('s', i64([2], [0, -1]))] },
  { name: 'reshape fed', op: 'Reshape', opset: 13, inputs: [X(x234), F('s', i64([3], [4, -1, 2]))] },
  { name: 'reshape symbolic', op: 'Reshape', opset: 13, inputs: [X(x234, true), C('s', i64([3], [0, 0, -1]))] },
  { name: 'reshape allowzero', op: 'Reshape', opset: 14, inputs: [X(rand([0, 3], 1)), C('s', i64([2], [3, 0]))], attrs: { allowzero: 1 } },
  { name: 'flatten axis 0', op: 'Flatten', opset: 13, inputs: [X(x234)], attrs: { axis: 0 } },
  { name: 'flatten axis -1 symbolic', op: 'Flatten', opset: 13, inputs: [X(x234, true)], attrs: { axis: -1 } },
  { name: 'flatten axis 2 symbolic', op: 'Flatten', opset: 13, inputs: [X(rand([2, 3, 4, 5], 4), true)], attrs: { axis: 2 } },
  { name: 'squeeze attr', op: 'Squeeze', opset: 11, inputs: [X(rand([1, 3, 1], 1))], attrs: { axes: [0, -1] } },
  { name: 'squeeze input', op: 'Squeeze', opset: 13, inputs: [X(rand([1, 3, 1], 1)), C('a', i64([1], [2]))] },
  { name: 'squeeze none', op: 'Squeeze', opset: 13, inputs: [X(rand([1, 3, 1], 1), true)] },
  { name: 'squeeze fed axes', op: 'Squeeze', opset: 13, inputs: [X(rand([1, 3, 1], 1)), F('a', i64([1], [0]))] },
  { name: 'unsqueeze attr', op: 'Unsqueeze', opset: 11, inputs: [X(x234)], attrs: { axes: [0, 4] } },
  { name: 'unsqueeze input', op: 'Unsqueeze', opset: 13, inputs: [X(x234), C('a', i64([2], [-1, 1]))] },
  { name: 'unsqueeze fed', op: 'Unsqueeze', opset: 13, inputs: [X(x234), F('a', i64([1], [3]))] },
  { name: 'expand', op: 'Expand', opset: 13, inputs: [X(rand([3, 1], 1)), C('s', i64([3], [2, 1, 4]))] },
  { name: 'expand fed smaller', op: 'Expand', opset: 13, inputs: [X(rand([3, 4], 1)), F('s', i64([1], [1]))] },
  { name: 'expand string', op: 'Expand', opset: 13, inputs: [X(strs([1, 2])), C('s', i64([2], [3, 2]))] },
  { name: 'concat', op: 'Concat', opset: 13, inputs: [X(x234), F('b', rand([2, 1, 4], 9))], attrs: { axis: 1 } },
  { name: 'concat neg axis i64', op: 'Concat', opset: 13, inputs: [X(rand([2, 3], 1, 'i64')), F('b', rand([2, 2], 2, 'i64'))], attrs: { axis: -1 } },
  { name: 'concat empty part', op: 'Concat', opset: 13, inputs: [X(rand([2, 0], 1)), F('b', rand([2, 2], 2))], attrs: { axis: 1 } },
  // Split
  { name: 'split attr', op: 'Split', opset: 11, inputs: [X(rand([6, 2], 1))], attrs: { axis: 0, split: [1, 2, 3] }, outputs: ['a', 'b', 'c'] },
  { name: 'split equal', op: 'Split', opset: 13, inputs: [X(rand([2, 6], 1))], attrs: { axis: 1 }, outputs: ['a', 'b'] },
  { name: 'split input', op: 'Split', opset: 13, inputs: [X(rand([5, 2], 1)), C('s', i64([2], [2, 3]))], outputs: ['a', 'b'] },
  { name: 'split fed input', op: 'Split', opset: 13, inputs: [X(rand([5, 2], 1)), F('s', i64([2], [4, 1]))], outputs: ['a', 'b'] },
  { name: 'split symbolic equal', op: 'Split', opset: 13, inputs: [X(rand([4, 6], 1), true)], attrs: { axis: -1 }, outputs: ['a', 'b', 'c'] },
  { name: 'split num_outputs uneven', op: 'Split', opset: 18, inputs: [X(rand([7, 2], 1))], attrs: { num_outputs: 3 }, outputs: ['a', 'b', 'c'] },
  { name: 'split num_outputs symbolic', op: 'Split', opset: 18, inputs: [X(rand([7, 2], 1), true)], attrs: { num_outputs: 3 }, outputs: ['a', 'b', 'c'] },
  // Slice
  { name: 'slice attrs', op: 'Slice', opset: 9, inputs: [X(x234)], attrs: { starts: [0, 1], ends: [1, 1000], axes: [0, 2] } },
  { name: 'slice neg steps', op: 'Slice', opset: 13, inputs: [X(x234), C('s', i64([2], [-1, 10])), C('e', i64big([MIN, MIN])), C('a', i64([2], [1, 2])), C('t', i64([2], [-1, -2]))] },
  { name: 'slice INT64_MAX', op: 'Slice', opset: 13, inputs: [X(x234, true), C('s', i64([1], [1])), C('e', i64big([MAX]))] },
  { name: 'slice fed', op: 'Slice', opset: 13, inputs: [X(x234), F('s', i64([1], [-3])), F('e', i64([1], [-1])), F('a', i64([1], [-1]))] },
  { name: 'slice i32 bounds', op: 'Slice', opset: 13, inputs: [X(x234), C('s', i32([1], [1])), C('e', i32([1], [3])), C('a', i32([1], [1]))] },
  { name: 'slice step 3 string', op: 'Slice', opset: 13, inputs: [X(strs([10])), C('s', i64([1], [1])), C('e', i64([1], [10])), null, C('t', i64([1], [3]))] },
  // Gathers / scatters
  { name: 'gather axis 1', op: 'Gather', opset: 13, inputs: [X(x234), F('i', i64([2, 2], [0, -1, 2, 1]))], attrs: { axis: 1 } },
  { name: 'gather scalar idx i32', op: 'Gather', opset: 13, inputs: [X(x234), C('i', Tensor.fromNumbers('i32', [], [-2]))], attrs: { axis: -1 } },
  // (Gather of strings is covered in test/ir: onnxruntime 1.30 returns '' for some of its elements.)
  { name: 'gather_elements', op: 'GatherElements', opset: 13, inputs: [X(x234), F('i', i64([2, 2, 4], [0, 1, 2, 0, 1, 1, -1, 2, 0, 0, 0, 0, 2, 2, 1, 1]))], attrs: { axis: 1 } },
  { name: 'gather_nd', op: 'GatherND', opset: 13, inputs: [X(x234), F('i', i64([2, 2], [1, 2, 0, -1]))] },
  { name: 'gather_nd batch', op: 'GatherND', opset: 13, inputs: [X(x234), F('i', i64([2, 1, 2], [1, 2, 0, 3]))], attrs: { batch_dims: 1 } },
  { name: 'gather_nd batch full', op: 'GatherND', opset: 13, inputs: [X(x234), F('i', i64([2, 3, 1], [1, 2, 0, 3, 0, 1]))], attrs: { batch_dims: 2 } },
  { name: 'scatter_elements add', op: 'ScatterElements', opset: 16, inputs: [X(x234), F('i', i64([2, 1, 2], [0, 2, 2, 1])), F('u', rand([2, 1, 2], 8))], attrs: { axis: 1, reduction: 'add' } },
  { name: 'scatter_elements mul i64', op: 'ScatterElements', opset: 16, inputs: [X(rand([3, 3], 1, 'i64')), F('i', i64([1, 3], [1, 1, 0])), F('u', i64([1, 3], [3, 5, 7]))], attrs: { axis: 0, reduction: 'mul' } },
  { name: 'scatter_elements max', op: 'ScatterElements', opset: 18, inputs: [X(x234), F('i', i64([1, 2, 2], [0, 1, 1, 1])), F('u', rand([1, 2, 2], 8))], attrs: { axis: 2, reduction: 'max' } },
  { name: 'scatter_elements min neg idx', op: 'ScatterElements', opset: 18, inputs: [X(x234), F('i', i64([1, 2, 2], [-1, 1, -1, -4])), F('u', rand([1, 2, 2], 8))], attrs: { axis: 2, reduction: 'min' } },
  { name: 'scatter (opset 9)', op: 'Scatter', opset: 9, inputs: [X(rand([3, 3], 2)), F('i', i64([1, 2], [1, 2])), F('u', rand([1, 2], 8))], attrs: { axis: 1 } },
  { name: 'scatter_nd', op: 'ScatterND', opset: 13, inputs: [X(x234), F('i', i64([2, 2], [1, 2, 0, 0])), F('u', rand([2, 4], 8))] },
  { name: 'scatter_nd add', op: 'ScatterND', opset: 16, inputs: [X(x234), F('i', i64([2, 1], [1, 1])), F('u', rand([2, 3, 4], 8))], attrs: { reduction: 'add' } },
  { name: 'scatter_nd max', op: 'ScatterND', opset: 18, inputs: [X(x234), F('i', i64([2, 3], [1, 2, 3, 0, 0, 0])), F('u', rand([2], 8))], attrs: { reduction: 'max' } },
  // Pad
  { name: 'pad attr (opset 2)', op: 'Pad', opset: 2, inputs: [X(x234)], attrs: { pads: [0, 1, 0, 0, 2, 1], value: { float: 1.5 } } },
  { name: 'pad reflect', op: 'Pad', opset: 13, inputs: [X(x234), C('p', i64([6], [0, 2, 3, 0, 1, 3])), null], attrs: { mode: 'reflect' } },
  { name: 'pad edge fed', op: 'Pad', opset: 13, inputs: [X(x234), F('p', i64([6], [1, 0, 2, 1, 2, 0]))], attrs: { mode: 'edge' } },
  { name: 'pad constant value', op: 'Pad', opset: 13, inputs: [X(rand([3, 3], 2, 'i32')), C('p', i64([4], [1, 1, 0, 2])), C('v', Tensor.fromNumbers('i32', [], [7]))] },
  { name: 'pad negative', op: 'Pad', opset: 13, inputs: [X(x234), C('p', i64([6], [0, -1, 1, 0, 1, -2]))] },
  { name: 'pad axes', op: 'Pad', opset: 18, inputs: [X(x234), C('p', i64([4], [1, 2, 0, 1])), null, C('a', i64([2], [-1, 0]))], attrs: { mode: 'constant' } },
  { name: 'pad wrap', op: 'Pad', opset: 19, inputs: [X(x234), C('p', i64([6], [0, 2, 3, 0, 1, 1]))], attrs: { mode: 'wrap' } },
  // Tile / Trilu / ReverseSequence / OneHot / Range / EyeLike / Compress / NonZero
  { name: 'tile', op: 'Tile', opset: 13, inputs: [X(x234), C('r', i64([3], [2, 1, 3]))] },
  { name: 'tile fed string', op: 'Tile', opset: 13, inputs: [X(strs([2, 2])), F('r', i64([2], [1, 3]))] },
  { name: 'trilu upper k', op: 'Trilu', opset: 14, inputs: [X(rand([2, 3, 5], 1)), C('k', i64([], [1]))] },
  { name: 'trilu lower neg k fed', op: 'Trilu', opset: 14, inputs: [X(rand([5, 3], 1, 'i64')), F('k', i64([], [-1]))], attrs: { upper: 0 } },
  { name: 'reverse_sequence', op: 'ReverseSequence', opset: 10, inputs: [X(rand([4, 3, 2], 1)), F('l', i64([3], [4, 1, 2]))], attrs: { batch_axis: 1, time_axis: 0 } },
  { name: 'reverse_sequence batch first', op: 'ReverseSequence', opset: 10, inputs: [X(rand([3, 4], 1)), F('l', i64([3], [2, 4, 0]))], attrs: { batch_axis: 0, time_axis: 1 } },
  { name: 'one_hot', op: 'OneHot', opset: 11, inputs: [X(i64([2, 2], [0, 3, -1, 7])), C('d', f32([], [4])), C('v', f32([2], [-1, 2]))], attrs: { axis: 1 } },
  { name: 'one_hot fed depth', op: 'OneHot', opset: 11, inputs: [X(f32([3], [1, 2, 0])), F('d', i64([1], [3])), F('v', i64([2], [0, 5]))] },
  { name: 'range f32', op: 'Range', opset: 11, inputs: [F('a', f32([], [1])), F('b', f32([], [5.5])), F('c', f32([], [0.7]))], outputs: ['y'] },
  { name: 'range i64 neg', op: 'Range', opset: 11, inputs: [F('a', i64([], [10])), F('b', i64([], [-3])), F('c', i64([], [-4]))] },
  { name: 'range const', op: 'Range', opset: 11, inputs: [C('a', i32([], [2])), C('b', i32([], [9])), C('c', i32([], [3]))] },
  { name: 'eye_like', op: 'EyeLike', opset: 9, inputs: [X(rand([3, 5], 1))], attrs: { k: 2, dtype: 7 } },
  { name: 'eye_like symbolic', op: 'EyeLike', opset: 9, inputs: [X(rand([4, 3], 1), true)], attrs: { k: -1 } },
  { name: 'compress axis', op: 'Compress', opset: 11, inputs: [X(x234), F('c', Tensor.fromNumbers('bool', [3], [1, 0, 1]))], attrs: { axis: 1 } },
  { name: 'compress flat short cond', op: 'Compress', opset: 11, inputs: [X(x234), F('c', Tensor.fromNumbers('bool', [5], [0, 1, 1, 0, 1]))] },
  { name: 'non_zero', op: 'NonZero', opset: 13, inputs: [X(f32([2, 3], [0, 1, -0, 2, 0, 3]))] },
  { name: 'non_zero i64', op: 'NonZero', opset: 13, inputs: [X(i64([4], [0, 5, 0, -1]))] },
  // DepthToSpace / SpaceToDepth
  { name: 'depth_to_space DCR', op: 'DepthToSpace', opset: 13, inputs: [X(rand([1, 8, 2, 3], 1))], attrs: { blocksize: 2 } },
  { name: 'depth_to_space CRD symbolic', op: 'DepthToSpace', opset: 13, inputs: [X(rand([2, 8, 2, 3], 1), true)], attrs: { blocksize: 2, mode: 'CRD' } },
  { name: 'space_to_depth', op: 'SpaceToDepth', opset: 13, inputs: [X(rand([1, 2, 4, 6], 1))], attrs: { blocksize: 2 } },
  { name: 'space_to_depth symbolic', op: 'SpaceToDepth', opset: 13, inputs: [X(rand([2, 3, 6, 3], 1), true)], attrs: { blocksize: 3 } },
];

const img = rand([1, 2, 4, 5], 11);
const RESIZE: Case[] = [];
for (const mode of ['nearest', 'linear', 'cubic']) {
  for (const ct of ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'half_pixel_symmetric']) {
    RESIZE.push(
      { name: `resize ${mode} ${ct} up scales`, op: 'Resize', opset: 19, inputs: [X(img), null, C('s', f32([4], [1, 1, 1.5, 1.8]))], attrs: { mode, coordinate_transformation_mode: ct } },
      { name: `resize ${mode} ${ct} down sizes`, op: 'Resize', opset: 19, inputs: [X(img), null, null, C('z', i64([4], [1, 2, 3, 2]))], attrs: { mode, coordinate_transformation_mode: ct } },
    );
  }
}
RESIZE.push(
  { name: 'resize nearest ceil', op: 'Resize', opset: 13, inputs: [X(img), null, C('s', f32([4], [1, 1, 0.6, 2.5]))], attrs: { mode: 'nearest', nearest_mode: 'ceil', coordinate_transformation_mode: 'asymmetric' } },
  { name: 'resize nearest round_prefer_ceil', op: 'Resize', opset: 13, inputs: [X(img), null, C('s', f32([4], [1, 1, 2, 2]))], attrs: { mode: 'nearest', nearest_mode: 'round_prefer_ceil' } },
  { name: 'resize cubic exclude_outside A', op: 'Resize', opset: 13, inputs: [X(img), null, C('s', f32([4], [1, 1, 0.7, 1.3]))], attrs: { mode: 'cubic', exclude_outside: 1, cubic_coeff_a: { float: -0.5 } } },
  { name: 'resize tf_crop_and_resize', op: 'Resize', opset: 13, inputs: [X(img), C('r', f32([8], [0, 0, 0.2, -0.3, 1, 1, 0.9, 1.2])), null, C('z', i64([4], [1, 2, 3, 4]))], attrs: { mode: 'linear', coordinate_transformation_mode: 'tf_crop_and_resize', extrapolation_value: { float: 9 } } },
  { name: 'resize axes sizes not_larger', op: 'Resize', opset: 18, inputs: [X(img), null, null, C('z', i64([2], [7, 7]))], attrs: { mode: 'linear', axes: [2, 3], keep_aspect_ratio_policy: 'not_larger' } },
  { name: 'resize axes sizes not_smaller', op: 'Resize', opset: 18, inputs: [X(img), null, null, C('z', i64([2], [3, 3]))], attrs: { mode: 'nearest', axes: [3, 2], keep_aspect_ratio_policy: 'not_smaller' } },
  { name: 'resize fed scales', op: 'Resize', opset: 13, inputs: [X(img), null, F('s', f32([4], [1, 1, 2, 0.5]))], attrs: { mode: 'linear' } },
  { name: 'resize fed sizes u8', op: 'Resize', opset: 13, inputs: [X(rand([1, 1, 3, 3], 1, 'u8')), null, null, F('z', i64([4], [1, 1, 5, 4]))], attrs: { mode: 'nearest' } },
  { name: 'resize opset 10 nearest', op: 'Resize', opset: 10, inputs: [X(img), C('s', f32([4], [1, 1, 2, 3]))], attrs: { mode: 'nearest' } },
  { name: 'resize opset 10 linear', op: 'Resize', opset: 10, inputs: [X(img), C('s', f32([4], [1, 1, 2, 1.5]))], attrs: { mode: 'linear' } },
  { name: 'upsample opset 7 attr', op: 'Upsample', opset: 7, inputs: [X(img)], attrs: { mode: 'nearest', scales: { floats: [1, 1, 2, 3] } } },
  { name: 'resize symbolic sizes', op: 'Resize', opset: 13, inputs: [X(img, true), null, null, C('z', i64([4], [1, 2, 7, 3]))], attrs: { mode: 'cubic' } },
  { name: 'slice reverse symbolic', op: 'Slice', opset: 13, inputs: [X(x234, true), C('s', i64([1], [-1])), C('e', i64big([MIN])), C('a', i64([1], [1])), C('t', i64([1], [-1]))] },
  { name: 'upsample opset 9', op: 'Upsample', opset: 9, inputs: [X(img), C('s', f32([4], [1, 1, 2, 2]))], attrs: { mode: 'linear' } },
  { name: 'resize antialias linear', op: 'Resize', opset: 18, inputs: [X(rand([1, 1, 8, 9], 4)), null, C('s', f32([4], [1, 1, 0.5, 0.4]))], attrs: { mode: 'linear', antialias: 1 } },
  { name: 'resize antialias cubic', op: 'Resize', opset: 18, inputs: [X(rand([1, 1, 8, 9], 4)), null, C('s', f32([4], [1, 1, 0.6, 0.35]))], attrs: { mode: 'cubic', antialias: 1 } },
);

describe('movement importers and kernels match onnxruntime', () => {
  for (const c of CASES) it(c.name, async () => { await check(c); });
});

describe('resize matches onnxruntime', () => {
  for (const c of RESIZE) it(c.name, async () => { await check({ rtol: 1e-4, atol: 1e-4, ...c }); });
});
