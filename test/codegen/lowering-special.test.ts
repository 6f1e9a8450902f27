// The special lowering rules (einsum, top_k, dft, stft, window, mel_weight_matrix, grid_sample,
// roi_align, max_roi_pool, det, tfidf_vectorizer) on cases the ONNX conformance suite does not
// cover: other dtypes, equations, modes, padding modes, ranks, NaNs and ties, operands given at
// run time, and elementwise producers fused into the loops. Each module runs through the CPU
// code generator (direct runner) and is compared with the reference interpreter.
import { describe, expect, it } from 'vitest';
import { ModuleBuilder, type GraphBuilder } from '../../src/ir/builder.js';
import type { DType } from '../../src/ir/dtype.js';
import type { Attrs, Value } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { runDirect } from './direct-runner.js';
import { buildModule, expectAgreesWithReference, singleOp, useCpuDevice, type GraphOperand } from '../support/lowering-harness.js';
import { randomOperand } from '../support/random.js';
import { i64 } from '../support/tensors.js';

const device = useCpuDevice();

/** Deterministic pseudo-random tensor: floats in [-lo, hi), integers in [0, range) (or ±range). */
const random = (dtype: DType, shape: readonly number[], seed: number, range = 10, lo = 2, hi = 2): Tensor =>
  randomOperand(dtype, shape, seed, { range, floats: [-lo, hi] });

const input = (tensor: Tensor): GraphOperand => ({ tensor });
/** A weight: inlined when ≤16 elements, else bound. */
const constant = (tensor: Tensor): GraphOperand => ({ tensor, constant: true });

/** Builds a module of `body` over `operands` and checks it against the reference interpreter. */
function check(body: (g: GraphBuilder, vals: Value[]) => Value[], operands: readonly GraphOperand[]): Promise<Tensor[]> {
  return expectAgreesWithReference(buildModule(operands, body), device());
}

/** Gives a value the static shape a model would declare for it (ONNX value_info), as the importer does. */
function declare(v: Value, shape: number[]): Value {
  v.type = { ...v.type, shape };
  return v;
}

describe('einsum lowering', () => {
  const cases: [string, number[][]][] = [
    ['ij,jk->ik', [[3, 4], [4, 5]]],
    ['bij,bjk->bik', [[2, 3, 4], [2, 4, 2]]],
    ['ii->i', [[4, 4]]],
    ['ii', [[4, 4]]],
    ['ij->', [[3, 5]]],
    ['ij->ji', [[3, 5]]],
    ['i,i', [[6], [6]]],
    ['i,j->ij', [[3], [4]]],
    ['...ij,...jk->...ik', [[2, 1, 3, 4], [3, 4, 2]]],
    ['ij,jk,kl->il', [[2, 3], [3, 4], [4, 2]]],
    ['bii->b', [[3, 4, 4]]],
    ['iij->j', [[3, 3, 2]]],
    ['ab,ab->a', [[3, 7], [1, 7]]],
  ];
  for (const [eq, shapes] of cases) {
    it(`computes ${eq} on ${JSON.stringify(shapes)}`, async () => {
      await check(singleOp('einsum', { equation: eq }), shapes.map((s, i) => input(random('f32', s, 11 + i))));
    });
  }
  for (const dtype of ['f64', 'f16', 'i32', 'i64', 'u8', 'i8'] as const) {
    it(`keeps ${dtype} arithmetic`, async () => {
      const range = dtype === 'u8' || dtype === 'i8' ? 30 : 1000;
      await check(singleOp('einsum', { equation: 'ij,jk->ik' }), [input(random(dtype, [3, 6], 5, range)), input(random(dtype, [6, 2], 6, range))]);
    });
  }
  it('sums i64 products exactly beyond 2^53 (where the f64 reference rounds)', async () => {
    const mb = new ModuleBuilder();
    const g = mb.graph();
    const a = g.input('a', { dtype: 'i64', shape: [2] });
    const b = g.input('b', { dtype: 'i64', shape: [2] });
    const [y] = g.op('einsum', [a, b], { equation: 'i,i' });
    const mod = mb.finish(g.finish([y!]), ['a', 'b'], [y!.name], {});
    const [got] = await runDirect(mod, [Tensor.fromBigInts('i64', [2], [3037000499n, 5n]), Tensor.fromBigInts('i64', [2], [3037000499n, 7n])], device());
    expect((got!.data as BigInt64Array)[0]).toBe(3037000499n * 3037000499n + 35n);
  });
  it('reads inlined and bound constant operands', async () => {
    await check(singleOp('einsum', { equation: 'ij,jk->ik' }), [input(random('f32', [3, 4], 3)), constant(random('f32', [4, 2], 4))]);
    await check(singleOp('einsum', { equation: 'ij,jk->ik' }), [input(random('f32', [3, 4], 3)), constant(random('f32', [4, 8], 4))]);
  });
  it('fuses an elementwise producer into its operand', async () => {
    await check((g, [a, b]) => {
      const e = g.op('exp', [a!])[0]!;
      return g.op('einsum', [e, b!], { equation: 'ij,kj->ik' });
    }, [input(random('f32', [3, 5], 1)), input(random('f32', [4, 5], 2))]);
  });
});

describe('top_k lowering', () => {
  const topk = (k: number, attrs: Attrs) => (g: GraphBuilder, [x]: Value[]): Value[] =>
    g.op('top_k', [x!, g.constant(i64([1], [k]))], attrs, { numOutputs: 2 });
  it('takes the largest along the last axis', async () => {
    await check(topk(3, { axis: -1 }), [input(random('f32', [4, 7], 3))]);
  });
  it('takes the smallest along a middle axis', async () => {
    await check(topk(2, { axis: 1, largest: 0 }), [input(random('f32', [2, 5, 3], 4))]);
  });
  it('sorts a whole axis (k = n) with ties by lower index', async () => {
    await check(topk(8, { axis: 0 }), [input(Tensor.fromNumbers('f32', [8, 2], [1, 2, 3, 3, 1, 2, 3, 3, 2, 1, 1, 2, 3, 3, 2, 1]))]);
  });
  it('orders NaN first when largest and last when smallest', async () => {
    const x = Tensor.fromNumbers('f32', [2, 6], [1, NaN, 3, -Infinity, NaN, 0, 5, 5, NaN, 2, Infinity, -1]);
    await check(topk(6, { axis: 1 }), [input(x)]);
    await check(topk(4, { axis: 1, largest: 0 }), [input(x)]);
  });
  for (const dtype of ['f64', 'f16', 'i32', 'i64', 'u8', 'i8', 'u64'] as const) {
    it(`works on ${dtype}`, async () => {
      await check(topk(3, { axis: 1 }), [input(random(dtype, [3, 9], 7, 5))]);
      await check(topk(2, { axis: 0, largest: 0 }), [input(random(dtype, [5, 3], 8, 5))]);
    });
  }
  it('takes k = 1 and k = 0', async () => {
    await check(topk(1, { axis: 1 }), [input(random('f32', [3, 6], 9))]);
    await check(topk(0, { axis: 1 }), [input(random('f32', [3, 6], 9))]);
  });
  it('fuses a producer', async () => {
    await check((g, [x]) => {
      const y = g.op('neg', [x!])[0]!;
      return g.op('top_k', [y, g.constant(i64([1], [2]))], { axis: 1 }, { numOutputs: 2 });
    }, [input(random('f32', [3, 6], 10))]);
  });
});

describe('dft lowering', () => {
  const dft = (attrs: Attrs, axis: number, length?: number) => (g: GraphBuilder, [x]: Value[]): Value[] =>
    g.op('dft', [x!, length === undefined ? null : g.constant(i64([], [length])), g.constant(i64([], [axis]))], attrs);
  it('transforms real and complex signals along each axis', async () => {
    for (const c of [1, 2]) {
      await check(dft({}, 1, undefined), [input(random('f32', [2, 12, 3, c], 20 + c))]);
      await check(dft({}, 2, undefined), [input(random('f32', [2, 4, 7, c], 30 + c))]);
      await check(dft({}, -2, undefined), [input(random('f64', [3, 5, c], 40 + c))]);
    }
  });
  it('inverts, with a onesided output and other lengths', async () => {
    await check(dft({ inverse: 1 }, 1), [input(random('f32', [2, 9, 2], 50))]);
    await check(dft({ onesided: 1 }, 1), [input(random('f32', [2, 9, 1], 51))]);
    await check(dft({ onesided: 1 }, 1), [input(random('f32', [2, 8, 1], 52))]);
    await check(dft({}, 1, 16), [input(random('f32', [2, 10, 1], 53))]);
    await check(dft({}, 1, 5), [input(random('f32', [2, 10, 2], 54))]);
    await check(dft({ onesided: 1, inverse: 1 }, 1, 7), [input(random('f32', [1, 10, 2], 55))]);
  });
  it('reads a run-time dft_length', async () => {
    for (const onesided of [0, 1]) {
      await check((g, [x, m]) => [declare(g.op('dft', [x!, m!, g.constant(i64([], [1]))], { onesided })[0]!, [2, onesided ? 7 : 12, 2])],
        [input(random('f32', [2, 10, 1], 56)), input(i64([], [12]))]);
    }
  });
  it('keeps f16', async () => {
    await check(dft({}, 1), [input(random('f16', [2, 6, 2], 57))]);
  });
  it('is accurate on a long signal', async () => {
    await check(dft({}, 1), [input(random('f32', [1, 512, 1], 58))]);
  });
});

describe('stft lowering', () => {
  it('frames with a window, onesided or not', async () => {
    for (const onesided of [0, 1]) {
      await check((g, [s, w]) => g.op('stft', [s!, g.constant(i64([], [3])), w!, null], { onesided }),
        [input(random('f32', [2, 40, 1], 60)), input(random('f32', [10], 61, 10, 0, 1))]);
    }
  });
  it('takes frame_length without a window, and complex signals', async () => {
    await check((g, [s]) => g.op('stft', [s!, g.constant(i64([], [4])), null, g.constant(i64([], [9]))], { onesided: 0 }),
      [input(random('f32', [1, 33, 2], 62))]);
  });
  it('reads frame_step and frame_length at run time', async () => {
    await check((g, [s, step, len]) => [declare(g.op('stft', [s!, step!, null, len!], {})[0]!, [2, 7, 9, 2])],
      [input(random('f32', [2, 64, 1], 63)), input(i64([], [8])), input(i64([], [16]))]);
  });
});

describe('window and mel_weight_matrix lowering', () => {
  for (const window of ['hann', 'hamming', 'blackman']) {
    for (const periodic of [0, 1]) {
      it(`computes ${window} (periodic ${periodic})`, async () => {
        await check((g) => g.op('window', [g.constant(i64([], [11]))], { window, periodic }), []);
      });
    }
  }
  it('computes a size-1 window and other dtypes', async () => {
    await check((g) => g.op('window', [g.constant(i64([], [1]))], { window: 'hann', periodic: 0 }), []);
    await check((g) => g.op('window', [g.constant(i64([], [7]))], { window: 'hamming', dtype: 'f64' }), []);
    await check((g) => g.op('window', [g.constant(i64([], [7]))], { window: 'blackman', dtype: 'f16' }), []);
  });
  it('computes a mel matrix from run-time scalars', async () => {
    const scalar = (d: DType, v: number): GraphOperand => input(Tensor.fromNumbers(d, [], [v]));
    await check((g, v) => [declare(g.op('mel_weight_matrix', [g.constant(Tensor.fromNumbers('i32', [], [10])), ...v.slice(1)], {})[0]!, [33, 10])],
      [scalar('i32', 10), scalar('i32', 64), scalar('i32', 16000), scalar('f32', 20), scalar('f32', 7000)]);
  });
});

describe('grid_sample lowering', () => {
  for (const mode of ['bilinear', 'nearest', 'bicubic']) {
    for (const padding of ['zeros', 'border', 'reflection']) {
      for (const align of [0, 1]) {
        it(`samples 2-D ${mode}/${padding}/align ${align}`, async () => {
          const attrs = { mode, padding_mode: padding, align_corners: align };
          // Grid values in [-1.6, 1.6) reach past the borders.
          await check(singleOp('grid_sample', attrs), [input(random('f32', [2, 3, 4, 5], 70)), input(random('f32', [2, 3, 6, 2], 71, 10, 1.6, 1.6))]);
        });
      }
    }
  }
  for (const mode of ['bilinear', 'nearest']) {
    it(`samples 1-D and 3-D ${mode}`, async () => {
      for (const padding of ['zeros', 'border', 'reflection']) {
        const attrs = { mode, padding_mode: padding, align_corners: 0 };
        await check(singleOp('grid_sample', attrs), [input(random('f32', [1, 2, 7], 72)), input(random('f32', [1, 5, 1], 73, 10, 1.4, 1.4))]);
        await check(singleOp('grid_sample', attrs), [input(random('f32', [1, 2, 3, 4, 5], 74)), input(random('f32', [1, 2, 3, 2, 3], 75, 10, 1.4, 1.4))]);
      }
    }, 30_000);
  }
  it('stores integer data as the reference does (truncating)', async () => {
    await check(singleOp('grid_sample', { mode: 'bilinear' }), [input(random('i32', [1, 2, 3, 4], 81, 100)), input(random('f32', [1, 2, 2, 2], 82))]);
    await check(singleOp('grid_sample', { mode: 'bicubic' }), [input(random('u8', [1, 1, 4, 4], 83, 200)), input(random('f32', [1, 2, 2, 2], 84))]);
    await check(singleOp('grid_sample', { mode: 'nearest' }), [input(random('i64', [1, 1, 4, 4], 85, 200)), input(random('f32', [1, 2, 2, 2], 86))]);
  });
  it('handles f64 and f16 data and nearest halves', async () => {
    await check(singleOp('grid_sample', { mode: 'bilinear' }), [input(random('f64', [1, 2, 3, 4], 76)), input(random('f64', [1, 2, 2, 2], 77))]);
    await check(singleOp('grid_sample', { mode: 'bicubic', padding_mode: 'border' }), [input(random('f16', [1, 1, 4, 4], 78)), input(random('f32', [1, 3, 3, 2], 79, 10, 1.3, 1.3))]);
    // x = -1 + 2k/(2·4)... lands on exact halves of the unnormalised coordinate.
    const grid = Tensor.fromNumbers('f32', [1, 1, 5, 2], [-0.75, 0, -0.25, 0.5, 0.25, -0.5, 0.75, 1, 1.25, -1.25]);
    await check(singleOp('grid_sample', { mode: 'nearest', padding_mode: 'reflection' }), [input(random('f32', [1, 1, 4, 4], 80)), input(grid)]);
  });
});

describe('roi_align lowering', () => {
  const rois = Tensor.fromNumbers('f32', [4, 4], [0, 0, 9, 9, 1.5, 2.2, 6.1, 4.4, -3, -2, 2, 3, 5, 6, 5.2, 6.1]);
  const batches = i64([4], [0, 1, 1, 0]);
  for (const mode of ['avg', 'max']) {
    for (const ctm of ['half_pixel', 'output_half_pixel']) {
      for (const ratio of [0, 2]) {
        it(`pools ${mode}/${ctm}/sampling_ratio ${ratio}`, async () => {
          const attrs = { mode, coordinate_transformation_mode: ctm, output_height: 3, output_width: 2, sampling_ratio: ratio, spatial_scale: 0.8 };
          await check(singleOp('roi_align', attrs), [input(random('f32', [2, 3, 8, 10], 90)), input(rois), input(batches)]);
        });
      }
    }
  }
  it('keeps f64', async () => {
    await check(singleOp('roi_align', { output_height: 2, output_width: 2 }), [input(random('f64', [1, 2, 6, 6], 91)), input(Tensor.fromNumbers('f64', [1, 4], [0.5, 1, 4.5, 5])), input(i64([1], [0]))]);
  });
});

describe('max_roi_pool lowering', () => {
  it('pools rois of several batches, partly off the map', async () => {
    const rois = Tensor.fromNumbers('f32', [3, 5], [0, 0, 0, 5, 5, 1, 1.5, 2.5, 7, 6, 0, -3, -3, 2, 9]);
    await check(singleOp('max_roi_pool', { pooled_shape: [2, 3], spatial_scale: 1 }), [input(random('f32', [2, 2, 6, 8], 100)), input(rois)]);
    await check(singleOp('max_roi_pool', { pooled_shape: [3, 3], spatial_scale: 0.5 }), [input(random('f32', [2, 2, 6, 8], 101)), input(rois)]);
  });
});

describe('det lowering', () => {
  for (const n of [1, 2, 3, 4, 5, 7]) {
    it(`computes ${n}×${n} determinants`, async () => {
      await check(singleOp('det'), [input(random('f32', [3, n, n], 110 + n))]);
      await check(singleOp('det'), [input(random('f64', [2, 2, n, n], 120 + n))]);
    });
  }
  it('gives 0 for singular matrices and pivots past zero diagonals', async () => {
    const m = Tensor.fromNumbers('f32', [3, 3, 3], [
      1, 2, 3, 2, 4, 6, 1, 0, 1, // singular
      0, 1, 2, 3, 0, 1, 4, 5, 0, // zero diagonal
      0, 0, 1, 0, 1, 0, 1, 0, 0, // permutation
    ]);
    await check(singleOp('det'), [input(m)]);
  });
  it('keeps f16 and a 2-D input', async () => {
    await check(singleOp('det'), [input(random('f16', [4, 4], 130, 10, 1, 1))]);
  });
});

describe('tfidf_vectorizer lowering', () => {
  const base = {
    ngram_counts: [0, 4], ngram_indexes: [0, 1, 2, 3, 4, 5, 6], pool_int64s: [2, 3, 5, 4, 5, 6, 7, 8, 6, 7],
  };
  const x = Tensor.fromNumbers('i32', [2, 6], [1, 1, 3, 3, 3, 7, 8, 6, 7, 5, 6, 8]);
  for (const mode of ['TF', 'IDF', 'TFIDF']) {
    it(`counts ${mode} uni- and bigrams with skips`, async () => {
      const attrs = { ...base, mode, min_gram_length: 1, max_gram_length: 2, max_skip_count: 3, weights: [1, 0.5, 2, 1.5, 3, 0.25, 4] };
      await check(singleOp('tfidf_vectorizer', attrs), [input(x)]);
    });
  }
  it('takes i64 and 1-D input, only bigrams, no skips', async () => {
    const attrs = { ...base, mode: 'TF', min_gram_length: 2, max_gram_length: 2, max_skip_count: 0 };
    await check(singleOp('tfidf_vectorizer', attrs), [input(i64([8], [5, 6, 7, 8, 6, 7, 5, 6]))]);
    await check(singleOp('tfidf_vectorizer', { ...attrs, min_gram_length: 1, max_skip_count: 5 }), [input(i64([2, 4], [2, 3, 5, 4, 6, 7, 8, 6]))]);
  });
  it('maps several n-grams to one column', async () => {
    const attrs = { ngram_counts: [0, 3], ngram_indexes: [0, 1, 0, 2], pool_int64s: [1, 2, 3, 1, 2], mode: 'TF', min_gram_length: 1, max_gram_length: 2, max_skip_count: 1 };
    await check(singleOp('tfidf_vectorizer', attrs), [input(Tensor.fromNumbers('i32', [7], [1, 2, 3, 1, 3, 2, 2]))]);
  });
});
