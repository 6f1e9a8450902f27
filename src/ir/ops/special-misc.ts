// IR op definitions: data-dependent set and text ops.
//
//   unique           (x) {sorted: 0|1, axis?: number}
//                     → y [U] (no axis) or x's shape with dim `axis` = U; indices i64[U] (first
//                       occurrence); inverse_indices i64[n] (n = x's size, or its extent on axis);
//                       counts i64[U].   U is data-dependent.
//   tfidf_vectorizer (x i32|i64|string [C] or [B,C])
//                     {mode: TF|IDF|TFIDF, min_gram_length, max_gram_length, max_skip_count,
//                      ngram_counts, ngram_indexes, pool_int64s | pool_strings, weights?}
//                     → f32[out] or f32[B,out], out = max(ngram_indexes) + 1
import type { Dim } from '../types.js';
import { defineOp } from './registry.js';
import { attrInt, attrInts, attrOptNumber, attrString, freshDim, need, normAxis } from './special-util.js';
import { staticSize } from '../types.js';

export const TFIDF_MODES = ['TF', 'IDF', 'TFIDF'] as const;

defineOp({
  name: 'unique',
  kind: 'special',
  infer({ inputs, attrs }) {
    const x = need(inputs, 0, 'X');
    const sorted = attrInt(attrs, 'sorted', 1);
    if (sorted !== 0 && sorted !== 1) throw new Error(`sorted must be 0 or 1, got ${sorted}`);
    const axisAttr = attrOptNumber(attrs, 'axis');
    const u = freshDim('unique');
    const i64 = (shape: Dim[] | null) => ({ dtype: 'i64' as const, shape });
    if (axisAttr === null) {
      const n: Dim = x.shape && x.shape.every((d) => typeof d === 'number') ? staticSize(x.shape as number[]) : freshDim('size');
      return [{ dtype: x.dtype, shape: [u] }, i64([u]), i64([n]), i64([u])];
    }
    if (!x.shape) return [{ dtype: x.dtype, shape: null }, i64([u]), i64([freshDim('extent')]), i64([u])];
    const axis = normAxis(axisAttr, x.shape.length, 'unique axis');
    const shape = [...x.shape];
    shape[axis] = u;
    return [{ dtype: x.dtype, shape }, i64([u]), i64([x.shape[axis]!]), i64([u])];
  },
});

defineOp({
  name: 'tfidf_vectorizer',
  kind: 'special',
  infer({ inputs, attrs }) {
    const x = need(inputs, 0, 'X');
    if (x.dtype !== 'i32' && x.dtype !== 'i64' && x.dtype !== 'string') {
      throw new Error(`X must be i32, i64 or string, got ${x.dtype}`);
    }
    attrString(attrs, 'mode', TFIDF_MODES, 'TF');
    const indexes = attrInts(attrs, 'ngram_indexes');
    if (!indexes || indexes.length === 0) throw new Error('ngram_indexes must not be empty');
    if (!attrInts(attrs, 'ngram_counts')) throw new Error('ngram_counts is required');
    const min = attrInt(attrs, 'min_gram_length', 1);
    const max = attrInt(attrs, 'max_gram_length', 1);
    if (min < 1 || max < min) throw new Error(`invalid gram lengths [${min}, ${max}]`);
    const out = Math.max(...indexes) + 1;
    if (!x.shape) return [{ dtype: 'f32', shape: null }];
    if (x.shape.length > 2) throw new Error(`X must be [C] or [B,C], got rank ${x.shape.length}`);
    return [{ dtype: 'f32', shape: x.shape.length === 2 ? [x.shape[0]!, out] : [out] }];
  },
});
