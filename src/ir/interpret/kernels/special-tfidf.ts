// Reference kernel: tfidf_vectorizer (n-gram counts over int or string tokens, with skips).
import type { Attrs } from '../../graph.js';
import { attrInt, attrInts, attrString } from '../../ops/special-util.js';
import { TFIDF_MODES } from '../../ops/special-misc.js';
import { Tensor } from '../../tensor.js';
import { defineKernel } from '../registry.js';
import { operand } from './special-util.js';

/** Pool entries (tokens) as strings, so int and string pools share one n-gram map. */
function poolTokens(attrs: Attrs): string[] {
  const strings = attrs['pool_strings'];
  if (Array.isArray(strings) && strings.length > 0) return strings.map(String);
  return (attrInts(attrs, 'pool_int64s') ?? []).map(String);
}

/**
 * Map from an n-gram (tokens joined by U+0000) to its output column, for the n-gram sizes the
 * op counts. Pool entries from ngram_counts[i] on are n-grams of size i+1.
 */
function ngramColumns(attrs: Attrs, minN: number, maxN: number): Map<string, number> {
  const pool = poolTokens(attrs);
  const counts = attrInts(attrs, 'ngram_counts') ?? [];
  const indexes = attrInts(attrs, 'ngram_indexes') ?? [];
  const columns = new Map<string, number>();
  let ngramId = 0;
  for (let i = 0; i < counts.length; i++) {
    const size = i + 1;
    const start = counts[i]!;
    const end = i + 1 < counts.length ? counts[i + 1]! : pool.length;
    for (let at = start; at + size <= end; at += size, ngramId++) {
      if (size < minN || size > maxN) continue;
      const column = indexes[ngramId];
      if (column === undefined) throw new Error(`ngram_indexes has no entry for n-gram ${ngramId}`);
      columns.set(pool.slice(at, at + size).join('\u0000'), column);
    }
  }
  return columns;
}

defineKernel('tfidf_vectorizer', (inputs, attrs) => {
  const x = operand(inputs[0], 'X');
  if (x.rank > 2) throw new Error(`X must be [C] or [B,C], got rank ${x.rank}`);
  const mode = attrString(attrs, 'mode', TFIDF_MODES, 'TF');
  const minN = attrInt(attrs, 'min_gram_length', 1);
  const maxN = attrInt(attrs, 'max_gram_length', 1);
  const maxSkip = attrInt(attrs, 'max_skip_count', 0);
  const indexes = attrInts(attrs, 'ngram_indexes') ?? [];
  const weights = (attrs['weights'] as readonly number[] | undefined) ?? [];
  const outSize = Math.max(...indexes) + 1;
  const rows = x.rank === 2 ? x.shape[0]! : 1;
  const cols = x.rank === 0 ? 1 : x.shape[x.rank - 1]!;
  const columns = ngramColumns(attrs, minN, maxN);
  const tokens = x.dtype === 'string' ? (x.data as string[]) : Array.from(x.data as ArrayLike<number | bigint>, String);
  const freq = new Float64Array(rows * outSize);

  for (let r = 0; r < rows; r++) {
    const row = tokens.slice(r * cols, (r + 1) * cols);
    // Unigrams are counted once; longer n-grams once per skip distance (gap between their tokens + 1).
    for (let skip = 1; skip <= maxSkip + 1; skip++) {
      const smallest = skip === 1 ? minN : Math.max(minN, 2);
      if (smallest > maxN) break;
      for (let start = 0; start < cols; start++) {
        let key = '';
        for (let n = 1, at = start; n <= maxN && at < cols; n++, at += skip) {
          key = n === 1 ? row[at]! : `${key}\u0000${row[at]!}`;
          if (n < smallest) continue;
          const column = columns.get(key);
          if (column !== undefined) freq[r * outSize + column]!++;
        }
      }
    }
  }

  const out = new Float32Array(freq.length);
  for (let i = 0; i < out.length; i++) {
    const f = freq[i]!;
    const w = weights.length > 0 ? weights[i % outSize]! : 1;
    out[i] = mode === 'TF' ? f : mode === 'IDF' ? (f > 0 ? w : 0) : w * f;
  }
  return [new Tensor('f32', x.rank === 2 ? [rows, outSize] : [outSize], out)];
});
