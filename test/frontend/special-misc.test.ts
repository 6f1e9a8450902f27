import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/ir/tensor.js';
import { interpretModule } from '../../src/ir/interpret/interpreter.js';
import { importModel } from '../../src/frontend/import-model.js';
import type { OnnxAttrValue } from '../../src/frontend/onnx-writer.js';
import { oneNodeModel } from '../support/one-node-model.js';
import { expectMatchesOrt } from '../support/ort-compare.js';
import { randomTensor } from '../support/random.js';
import { f32, i64 } from '../support/tensors.js';

const UNIQUE_OUTPUTS = ['y', 'indices', 'inverse', 'counts'];

describe('Unique', () => {
  const ints = i64([10], [4, -1, 4, 7, 2 ** 40, -1, 0, 7, 4, 3]);
  const rows = Tensor.fromNumbers('f32', [4, 3], [1, 2, 3, 0, 5, 1, 1, 2, 3, 0, 5, 0]);
  const cases: [string, Tensor, Record<string, number>][] = [
    ['i64 sorted', ints, {}],
    ['i64 first-occurrence order', ints, { sorted: 0 }],
    ['f32 rows (axis 0)', rows, { axis: 0 }],
    ['f32 columns (axis -1), unsorted', rows, { axis: -1, sorted: 0 }],
    ['f32 flattened', rows, {}],
    ['i64 3-D along axis 1', i64([2, 4, 2], [1, 1, 0, 1, 1, 1, 2, 2, 3, 3, 0, 0, 3, 3, 1, 1]), { axis: 1 }],
  ];
  for (const [name, x, attrs] of cases) {
    it(name, async () => {
      await expectMatchesOrt({ op: 'Unique', opset: 11, inputs: [{ name: 'x', value: x }], attrs, outputs: UNIQUE_OUTPUTS });
    });
  }

  it('with only the first output', async () => {
    const { ours } = await expectMatchesOrt({ op: 'Unique', opset: 11, inputs: [{ name: 'x', value: ints }], attrs: { sorted: 1 } });
    expect(ours).toHaveLength(1);
  });

  it('string input', async () => {
    const words = new Tensor('string', [6], ['b', 'a', 'c', 'a', '', 'b']);
    const bytes = oneNodeModel({ op: 'Unique', opset: 11, inputs: [{ name: 'x', value: words }], outputs: UNIQUE_OUTPUTS });
    const [y, indices, inverse, counts] = interpretModule(await importModel(bytes), [words]);
    expect(y!.data).toEqual(['', 'a', 'b', 'c']);
    expect(indices!.toNumbers()).toEqual([4, 1, 0, 2]);
    expect(inverse!.toNumbers()).toEqual([2, 1, 3, 1, 0, 2]);
    expect(counts!.toNumbers()).toEqual([1, 2, 2, 1]);
  });
});

describe('TfIdfVectorizer', () => {
  const pool = [2, 3, 5, 4, 5, 6, 7, 8, 6, 7]; // unigrams 2 3 5 4, bigrams (5,6) (7,8) (6,7)
  const base = {
    ngram_counts: [0, 4], ngram_indexes: [0, 1, 2, 3, 4, 5, 6], pool_int64s: pool,
  };
  const x = Tensor.fromNumbers('i32', [2, 6], [1, 1, 3, 3, 3, 7, 8, 6, 7, 5, 6, 8]);
  const variants: [string, Record<string, OnnxAttrValue>][] = [
    ['TF unigrams and bigrams, skip 0', { ...base, mode: 'TF', min_gram_length: 1, max_gram_length: 2, max_skip_count: 0 }],
    ['TF bigrams, skip 3', { ...base, mode: 'TF', min_gram_length: 2, max_gram_length: 2, max_skip_count: 3 }],
    ['IDF with weights', { ...base, mode: 'IDF', min_gram_length: 1, max_gram_length: 2, max_skip_count: 1, weights: { floats: [1, 2, 3, 4, 5, 6, 7] } }],
    ['TFIDF with weights', { ...base, mode: 'TFIDF', min_gram_length: 1, max_gram_length: 2, max_skip_count: 2, weights: { floats: [0.5, 2, 3, 4, 5, 6, 7] } }],
    ['TFIDF without weights, permuted indexes', { ...base, ngram_indexes: [6, 5, 4, 3, 2, 1, 0], mode: 'TFIDF', min_gram_length: 1, max_gram_length: 1, max_skip_count: 0 }],
  ];
  for (const [name, attrs] of variants) {
    it(name, async () => {
      await expectMatchesOrt({ op: 'TfIdfVectorizer', opset: 9, inputs: [{ name: 'x', value: x }], attrs });
    });
  }

  it('1-D i64 input', async () => {
    await expectMatchesOrt({ op: 'TfIdfVectorizer', opset: 9, inputs: [{ name: 'x', value: i64([8], [2, 3, 5, 6, 7, 8, 6, 7]) }], attrs: {
      ...base, mode: 'TF', min_gram_length: 1, max_gram_length: 2, max_skip_count: 1,
    } });
  });

  it('string tokens', async () => {
    const words = new Tensor('string', [7], ['the', 'cat', 'sat', 'on', 'the', 'cat', 'mat']);
    await expectMatchesOrt({ op: 'TfIdfVectorizer', opset: 9, inputs: [{ name: 'x', value: words }], attrs: {
      mode: 'TF', min_gram_length: 1, max_gram_length: 2, max_skip_count: 0,
      ngram_counts: [0, 2], ngram_indexes: [0, 1, 2], pool_strings: ['cat', 'mat', 'the', 'cat'],
    } });
  });
});

describe('random ops', () => {
  async function run(opType: string, opset: number, attrs: Record<string, OnnxAttrValue>, x?: Tensor): Promise<Tensor> {
    const inputs = x ? [{ name: 'x', value: x }] : [];
    const bytes = oneNodeModel({ op: opType, opset, inputs, attrs });
    return interpretModule(await importModel(bytes), x ? [x] : [])[0]!;
  }

  it('RandomUniform: shape, dtype, range, and a seed repeats its values', async () => {
    const attrs = { shape: [50, 40], low: { float: -2 }, high: { float: 3 }, seed: { float: 7 }, dtype: 11 };
    const a = await run('RandomUniform', 1, attrs);
    const b = await run('RandomUniform', 1, attrs);
    expect(a.dtype).toBe('f64');
    expect(a.shape).toEqual([50, 40]);
    expect(a.data).toEqual(b.data);
    const v = a.toNumbers();
    expect(Math.min(...v)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...v)).toBeLessThan(3);
    expect(Math.abs(v.reduce((s, t) => s + t, 0) / v.length - 0.5)).toBeLessThan(0.1);
  });

  it('RandomNormal: mean and spread', async () => {
    const v = (await run('RandomNormal', 1, { shape: [4000], mean: { float: 2 }, scale: { float: 3 } })).toNumbers();
    const mean = v.reduce((s, t) => s + t, 0) / v.length;
    const sd = Math.sqrt(v.reduce((s, t) => s + (t - mean) ** 2, 0) / v.length);
    expect(Math.abs(mean - 2)).toBeLessThan(0.2);
    expect(Math.abs(sd - 3)).toBeLessThan(0.2);
  });

  it('unseeded generators differ between runs', async () => {
    const a = await run('RandomUniform', 1, { shape: [16] });
    const b = await run('RandomUniform', 1, { shape: [16] });
    expect(a.data).not.toEqual(b.data);
  });

  it('RandomUniformLike / RandomNormalLike take the input shape and dtype', async () => {
    const x = randomTensor([3, 5], 2, 4);
    const u = await run('RandomUniformLike', 1, { seed: { float: 1 } }, x);
    expect([u.dtype, u.shape]).toEqual(['f32', [3, 5]]);
    const n = await run('RandomNormalLike', 1, { dtype: 11 }, x);
    expect([n.dtype, n.shape]).toEqual(['f64', [3, 5]]);
  });

  it('Bernoulli: 0/1 outcomes in the requested dtype; p=0 and p=1 are certain', async () => {
    const p = f32([6], [0, 1, 0, 1, 0.5, 0.5]);
    const y = await run('Bernoulli', 15, { dtype: 9, seed: { float: 3 } }, p);
    expect(y.dtype).toBe('bool');
    expect(y.toNumbers().slice(0, 4)).toEqual([0, 1, 0, 1]);
    const many = await run('Bernoulli', 15, {}, new Tensor('f32', [5000], new Float32Array(5000).fill(0.3)));
    expect(many.dtype).toBe('f32');
    expect(Math.abs(many.toNumbers().reduce((s, t) => s + t, 0) / 5000 - 0.3)).toBeLessThan(0.03);
  });

  it('Multinomial draws classes in proportion to exp(logits)', async () => {
    const logits = f32([2, 3], [Math.log(0.2), Math.log(0.8), -Infinity, 0, 0, 0]);
    const y = await run('Multinomial', 7, { sample_size: 3000, dtype: 7, seed: { float: 9 } }, logits);
    expect([y.dtype, y.shape]).toEqual(['i64', [2, 3000]]);
    const v = y.toNumbers();
    const first = v.slice(0, 3000);
    expect(first.every((c) => c === 0 || c === 1)).toBe(true);
    expect(Math.abs(first.filter((c) => c === 1).length / 3000 - 0.8)).toBeLessThan(0.04);
    const second = v.slice(3000);
    for (const c of [0, 1, 2]) expect(Math.abs(second.filter((k) => k === c).length / 3000 - 1 / 3)).toBeLessThan(0.04);
  });
});
