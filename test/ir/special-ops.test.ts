import { describe, expect, it } from 'vitest';
import { ModuleBuilder } from '../../src/ir/builder.js';
import type { Attrs, Value } from '../../src/ir/graph.js';
import { interpretModule } from '../../src/ir/interpret/interpreter.js';
import '../../src/ir/ops/index.js';
import { getOpDef } from '../../src/ir/ops/registry.js';
import { Tensor } from '../../src/ir/tensor.js';
import type { TensorType } from '../../src/ir/types.js';
import { initHashing } from '../../src/util/hash.js';

await initHashing();

/** Inferred output types of `op`; `consts` marks operands whose values inference may read. */
function infer(op: string, inputs: (TensorType | null)[], attrs: Attrs = {}, consts: (Tensor | undefined)[] = []): TensorType[] {
  return getOpDef(op)!.infer({ inputs, attrs, consts, regions: [] });
}

/**
 * Runs one IR op through the interpreter: tensors in `fed` become graph inputs, those in `consts`
 * constants, nulls omitted operands. Also checks that results agree with the inferred types.
 */
function run(op: string, operands: ({ fed: Tensor } | { constant: Tensor } | null)[], attrs: Attrs = {}, numOutputs = 1): Tensor[] {
  const mb = new ModuleBuilder();
  const g = mb.graph();
  const feeds: Tensor[] = [];
  const args: (Value | null)[] = operands.map((o, i) => {
    if (!o) return null;
    if ('fed' in o) {
      feeds.push(o.fed);
      return g.input(`in${i}`, { dtype: o.fed.dtype, shape: o.fed.shape });
    }
    return g.constant(o.constant);
  });
  const outs = g.op(op, args, attrs, { numOutputs });
  const mod = mb.finish(g.finish(outs), feeds.map((_, i) => `in${i}`), outs.map((v) => v.name), {});
  const results = interpretModule(mod, feeds);
  results.forEach((t, i) => {
    const want = outs[i]!.type;
    expect(t.dtype).toBe(want.dtype);
    if (want.shape) {
      expect(t.rank).toBe(want.shape.length);
      want.shape.forEach((d, k) => typeof d === 'number' && expect(t.shape[k]).toBe(d));
    }
  });
  return results;
}

const fed = (t: Tensor) => ({ fed: t });
const constant = (t: Tensor) => ({ constant: t });
const f32 = (shape: number[], v: number[]) => Tensor.fromNumbers('f32', shape, v);
const i64 = (shape: number[], v: number[]) => Tensor.fromNumbers('i64', shape, v);
const t = (dtype: TensorType['dtype'], shape: TensorType['shape']): TensorType => ({ dtype, shape });

describe('special op inference', () => {
  it('non_max_suppression gives [K, 3] i64 with a data-dependent K', () => {
    const [y] = infer('non_max_suppression', [t('f32', [1, 6, 4]), t('f32', [1, 2, 6]), null, null, null]);
    expect(y!.dtype).toBe('i64');
    expect(typeof y!.shape![0]).toBe('string');
    expect(y!.shape![1]).toBe(3);
    expect(() => infer('non_max_suppression', [t('f32', [1, 6, 5]), t('f32', [1, 2, 6])])).toThrow(/4/);
  });

  it('roi_align and grid_sample shapes', () => {
    expect(infer('roi_align', [t('f16', [2, 3, 8, 8]), t('f16', ['r', 4]), t('i64', ['r'])], { output_height: 2, output_width: 5 }))
      .toEqual([t('f16', ['r', 3, 2, 5])]);
    expect(infer('grid_sample', [t('f32', [1, 3, 8, 8]), t('f32', [1, 4, 5, 2])])).toEqual([t('f32', [1, 3, 4, 5])]);
    expect(infer('grid_sample', [t('f32', [1, 3, 4, 8, 8]), t('f32', [1, 2, 4, 5, 3])])).toEqual([t('f32', [1, 3, 2, 4, 5])]);
    expect(() => infer('grid_sample', [t('f32', [1, 3, 8, 8]), t('f32', [1, 4, 5, 3])])).toThrow(/last dim/);
    expect(() => infer('grid_sample', [t('f32', [1, 3, 8, 8]), t('f32', [1, 4, 5, 2])], { mode: 'linear' })).toThrow(/mode/);
  });

  it('dft: bins from a constant length and axis; symbols otherwise', () => {
    const x = t('f32', [2, 10, 6, 1]);
    expect(infer('dft', [x, null, t('i64', [])], { onesided: 1 }, [undefined, undefined, i64([], [1])])[0]!.shape).toEqual([2, 6, 6, 2]);
    expect(infer('dft', [x, t('i64', []), t('i64', [])], {}, [undefined, i64([], [16]), i64([], [-2])])[0]!.shape).toEqual([2, 10, 16, 2]);
    const unknownLength = infer('dft', [x, t('i64', []), t('i64', [])], {}, [undefined, undefined, i64([], [1])])[0]!.shape!;
    expect([typeof unknownLength[1], unknownLength[2], unknownLength[3]]).toEqual(['string', 6, 2]);
    expect(() => infer('dft', [x, null, t('i64', [])], {}, [undefined, undefined, i64([], [3])])).toThrow(/complex/);
  });

  it('stft frames and bins', () => {
    expect(infer('stft', [t('f32', [1, 128, 1]), t('i64', []), t('f32', [16]), null], {}, [undefined, i64([], [8])])[0]!.shape)
      .toEqual([1, 15, 9, 2]);
    expect(infer('stft', [t('f32', [2, 100, 2]), t('i64', []), null, t('i64', [])], { onesided: 0 }, [undefined, i64([], [10]), undefined, i64([], [20])])[0]!.shape)
      .toEqual([2, 9, 20, 2]);
  });

  it('window, mel_weight_matrix and random shapes from constant operands', () => {
    expect(infer('window', [t('i32', [])], { dtype: 'f64' }, [Tensor.scalar('i32', 7)])).toEqual([t('f64', [7])]);
    expect(typeof infer('window', [t('i64', [])])[0]!.shape![0]).toBe('string');
    const scalarI = t('i64', []);
    const scalarF = t('f32', []);
    expect(infer('mel_weight_matrix', [scalarI, scalarI, scalarI, scalarF, scalarF], {}, [i64([], [8]), i64([], [16])]))
      .toEqual([t('f32', [9, 8])]);
    expect(infer('random_normal', [t('i64', [2])], { dtype: 'f16' }, [i64([2], [3, 4])])).toEqual([t('f16', [3, 4])]);
    expect(infer('random_uniform', [t('i64', [3])])[0]!.shape).toHaveLength(3);
    expect(() => infer('random_uniform', [t('i64', [1])], { dtype: 'i32' })).toThrow(/float/);
  });

  it('unique: data-dependent U shared by y, indices and counts', () => {
    const [y, idx, inv, counts] = infer('unique', [t('f32', [3, 4])], { axis: 1 });
    const u = y!.shape![1];
    expect(typeof u).toBe('string');
    expect(y!.shape![0]).toBe(3);
    expect(idx!.shape).toEqual([u]);
    expect(counts!.shape).toEqual([u]);
    expect(inv!.shape).toEqual([4]);
    expect(infer('unique', [t('i32', [3, 4])])[2]!.shape).toEqual([12]);
  });
});

describe('special kernels', () => {
  it('non_max_suppression: suppression by IoU and score threshold (hand-computed)', () => {
    // Boxes 0 and 1 overlap with IoU 0.9/1.1 ≈ 0.82; box 2 is apart; box 3 scores below the threshold.
    const boxes = f32([1, 4, 4], [0, 0, 1, 1, 0, 0.1, 1, 1.1, 0, 5, 1, 6, 0, 10, 1, 11]);
    const scores = f32([1, 1, 4], [0.9, 0.95, 0.5, 0.1]);
    const [sel] = run('non_max_suppression', [fed(boxes), fed(scores), constant(i64([1], [3])), constant(f32([1], [0.5])), constant(f32([1], [0.2]))]);
    expect(sel!.shape).toEqual([2, 3]);
    expect(sel!.toNumbers()).toEqual([0, 0, 1, 0, 0, 2]);
    const [loose] = run('non_max_suppression', [fed(boxes), fed(scores), constant(i64([1], [3])), constant(f32([1], [0.9]))]);
    expect(loose!.toNumbers()).toEqual([0, 0, 1, 0, 0, 0, 0, 0, 2]);
  });

  it('roi_align of a constant image is that constant (f16 too)', () => {
    for (const dtype of ['f32', 'f16', 'f64'] as const) {
      const x = Tensor.fromNumbers(dtype, [1, 2, 6, 6], new Array(72).fill(0).map((_, i) => (i < 36 ? 2.5 : -1)));
      const rois = Tensor.fromNumbers(dtype, [2, 4], [0.5, 0.5, 4, 4, 1, 2, 5, 3]);
      for (const mode of ['avg', 'max']) {
        const [y] = run('roi_align', [fed(x), fed(rois), fed(i64([2], [0, 0]))], { mode, output_height: 2, output_width: 2, sampling_ratio: 2 });
        const v = y!.toNumbers();
        // Max mode takes the largest weighted corner, so it never exceeds the average of a constant.
        if (mode === 'avg') expect(v).toEqual([2.5, 2.5, 2.5, 2.5, -1, -1, -1, -1, 2.5, 2.5, 2.5, 2.5, -1, -1, -1, -1]);
        else expect(v.every((e) => e <= 2.5)).toBe(true);
      }
    }
  });

  it('grid_sample with the identity grid (align_corners) reproduces the input in every mode', () => {
    const x = f32([1, 1, 3, 4], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const grid: number[] = [];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) grid.push(-1 + (2 * j) / 3, -1 + i);
    for (const mode of ['bilinear', 'nearest', 'bicubic']) {
      for (const padding of ['zeros', 'border', 'reflection']) {
        const [y] = run('grid_sample', [fed(x), fed(f32([1, 3, 4, 2], grid))], { mode, padding_mode: padding, align_corners: 1 });
        y!.toNumbers().forEach((v, i) => expect(v).toBeCloseTo(i + 1, 5));
      }
    }
  });

  it('grid_sample on integer data (i32) and a 1-D signal', () => {
    const x = Tensor.fromNumbers('i32', [1, 1, 5], [10, 20, 30, 40, 50]);
    const g = f32([1, 3, 1], [-1, 0, 0.25]);
    const [y] = run('grid_sample', [fed(x), fed(g)], { mode: 'bilinear', align_corners: 1 });
    // Positions 0, 2 and 2.5: 10, 30, 35.
    expect(y!.dtype).toBe('i32');
    expect(y!.toNumbers()).toEqual([10, 30, 35]);
  });

  it('unique on i32 slices along an axis, sorted and unsorted', () => {
    const x = Tensor.fromNumbers('i32', [2, 4], [3, 1, 3, 2, 0, 5, 0, 1]);
    const [y, idx, inv, counts] = run('unique', [fed(x)], { axis: 1 }, 4);
    // Columns: (3,0) (1,5) (3,0) (2,1) → sorted (1,5) (2,1) (3,0).
    expect(y!.shape).toEqual([2, 3]);
    expect(y!.toNumbers()).toEqual([1, 2, 3, 5, 1, 0]);
    expect(idx!.toNumbers()).toEqual([1, 3, 0]);
    expect(inv!.toNumbers()).toEqual([2, 0, 2, 1]);
    expect(counts!.toNumbers()).toEqual([1, 1, 2]);
    const [yu, idxu, invu] = run('unique', [fed(x)], { axis: 1, sorted: 0 }, 4);
    expect(yu!.toNumbers()).toEqual([3, 1, 2, 0, 5, 1]);
    expect(idxu!.toNumbers()).toEqual([0, 1, 3]);
    expect(invu!.toNumbers()).toEqual([0, 1, 0, 2]);
  });

  it('unique treats NaNs as one value sorted last, and ±0 as equal', () => {
    const [y, , , counts] = run('unique', [fed(f32([6], [NaN, 1, -0, NaN, 0, -3]))], {}, 4);
    expect(y!.toNumbers()).toEqual([-3, -0, 1, NaN]);
    expect(counts!.toNumbers()).toEqual([1, 2, 1, 2]);
  });

  it('unique of bools and i64 beyond 2^53', () => {
    const [yb] = run('unique', [fed(Tensor.fromNumbers('bool', [4], [1, 0, 1, 1]))], {}, 4);
    expect(yb!.toNumbers()).toEqual([0, 1]);
    const big = Tensor.fromBigInts('i64', [3], [2n ** 60n + 1n, 2n ** 60n, 2n ** 60n + 1n]);
    const [yi] = run('unique', [fed(big)], {}, 4);
    expect(Array.from(yi!.data as BigInt64Array)).toEqual([2n ** 60n, 2n ** 60n + 1n]);
  });

  it('dft of a real cosine has two spikes; onesided keeps the first half', () => {
    const n = 8;
    const x = f32([1, n, 1], Array.from({ length: n }, (_, j) => Math.cos((2 * Math.PI * 2 * j) / n)));
    const [y] = run('dft', [fed(x), null, constant(i64([], [1]))], { onesided: 1 });
    expect(y!.shape).toEqual([1, 5, 2]);
    const re = y!.toNumbers().filter((_, i) => i % 2 === 0);
    expect(re.map((v) => Math.round(v * 1e5) / 1e5 + 0)).toEqual([0, 0, 4, 0, 0]);
  });

  it('dft inverse undoes the forward transform (complex, non-power-of-two)', () => {
    const x = f32([3, 6, 2], Array.from({ length: 36 }, (_, i) => Math.sin(i * 0.7)));
    const [f] = run('dft', [fed(x), null, constant(i64([], [1]))]);
    const [b] = run('dft', [fed(f!), null, constant(i64([], [1]))], { inverse: 1 });
    b!.toNumbers().forEach((v, i) => expect(v).toBeCloseTo(x.getNumber(i), 5));
  });

  it('window values (hand-computed)', () => {
    const hann = run('window', [constant(Tensor.scalar('i32', 4))], { window: 'hann', periodic: 1 })[0]!.toNumbers();
    [0, 0.5, 1, 0.5].forEach((v, i) => expect(hann[i]).toBeCloseTo(v, 6));
    const sym = run('window', [constant(Tensor.scalar('i64', 3))], { window: 'blackman', periodic: 0 })[0]!.toNumbers();
    [0, 1, 0].forEach((v, i) => expect(sym[i]).toBeCloseTo(v, 6));
    const one = run('window', [fed(Tensor.scalar('i64', 1))], { window: 'hamming', periodic: 0 })[0]!;
    expect(one.toNumbers()).toEqual([1]);
    expect(run('window', [fed(Tensor.scalar('i64', 0))], {})[0]!.shape).toEqual([0]);
  });

  it('mel_weight_matrix refuses filters beyond the spectrum', () => {
    const args = [8, 16, 8000].map((v) => fed(i64([], [v])));
    expect(() => run('mel_weight_matrix', [...args, fed(f32([], [0])), fed(f32([], [8000]))])).toThrow(/beyond/);
    const [m] = run('mel_weight_matrix', [...args, fed(f32([], [0])), fed(f32([], [3000]))]);
    expect(m!.shape).toEqual([9, 8]);
  });

  it('tfidf_vectorizer counts skip-grams (hand-computed)', () => {
    const x = Tensor.fromNumbers('i64', [6], [1, 2, 9, 1, 3, 2]);
    const attrs = {
      mode: 'TF', min_gram_length: 1, max_gram_length: 2, max_skip_count: 1,
      ngram_counts: [0, 2], ngram_indexes: [0, 1, 2, 3], pool_int64s: [1, 2, 1, 2, 1, 3],
    };
    // Unigrams 1 ×2, 2 ×2; bigram (1,2) adjacent at 0-1 and one apart at 3-5; bigram (1,3) adjacent at 3-4.
    const [y] = run('tfidf_vectorizer', [fed(x)], attrs);
    expect(y!.toNumbers()).toEqual([2, 2, 2, 1]);
  });

  it('random ops are deterministic with a seed and respect shape and dtype', () => {
    const shape = constant(i64([2], [3, 2]));
    const a = run('random_uniform', [shape], { dtype: 'f16', low: 1, high: 2, seed: 5 })[0]!;
    const b = run('random_uniform', [shape], { dtype: 'f16', low: 1, high: 2, seed: 5 })[0]!;
    const c = run('random_uniform', [shape], { dtype: 'f16', low: 1, high: 2, seed: 6 })[0]!;
    expect(a.shape).toEqual([3, 2]);
    expect(a.data).toEqual(b.data);
    expect(a.data).not.toEqual(c.data);
    expect(a.toNumbers().every((v) => v >= 1 && v <= 2)).toBe(true);
    const bern = run('bernoulli', [fed(f32([4], [0, 1, 1, 0]))], { dtype: 'i64', seed: 1 })[0]!;
    expect(bern.toNumbers()).toEqual([0, 1, 1, 0]);
  });
});
