// Lowering rule: tfidf_vectorizer over integer tokens. The pool is static, so each output column's
// n-grams are known at compile time: an element branches on its column and counts, over the
// row, the matches of those n-grams (unigrams once, longer n-grams once per skip distance, as the
// reference does). Code grows with the pool; columns are compared one by one.
import type { Attrs } from '../../ir/graph.js';
import { attrInt, attrInts, attrString } from '../../ir/ops/special-util.js';
import { TFIDF_MODES } from '../../ir/ops/special-misc.js';
import { add, binary, cmp, constant, i32, max, mul, sub } from '../expr.js';
import type { Expr, ScalarType } from '../kernel-ir.js';
import { defineLowering } from './registry.js';
import { andAll, declare, f64, fadd, fcmp, fmul, fromF64, fsel, required, set } from './special-util.js';

/** The reference's n-gram → column map (a later duplicate n-gram wins), grouped by column. */
function ngramsByColumn(attrs: Attrs, minN: number, maxN: number): Map<number, number[][]> {
  const pool = attrInts(attrs, 'pool_int64s') ?? [];
  const counts = attrInts(attrs, 'ngram_counts') ?? [];
  const indexes = attrInts(attrs, 'ngram_indexes') ?? [];
  const columns = new Map<string, { tokens: number[]; column: number }>();
  let ngramId = 0;
  for (let i = 0; i < counts.length; i++) {
    const size = i + 1;
    const end = i + 1 < counts.length ? counts[i + 1]! : pool.length;
    for (let at = counts[i]!; at + size <= end; at += size, ngramId++) {
      if (size < minN || size > maxN) continue;
      const column = indexes[ngramId];
      if (column === undefined) throw new Error(`tfidf_vectorizer: ngram_indexes has no entry for n-gram ${ngramId}`);
      const tokens = pool.slice(at, at + size);
      columns.set(tokens.join(','), { tokens, column });
    }
  }
  const byColumn = new Map<number, number[][]>();
  for (const { tokens, column } of columns.values()) {
    const list = byColumn.get(column) ?? byColumn.set(column, []).get(column)!;
    list.push(tokens);
  }
  return byColumn;
}

defineLowering('tfidf_vectorizer', (ctx, node, idx) => {
  const x = required(node, 0, 'X');
  const attrs = node.attrs;
  if (Array.isArray(attrs['pool_strings']) && attrs['pool_strings'].length > 0) {
    throw new Error('tfidf_vectorizer: a string pool needs string input, which the CPU code generator does not handle');
  }
  const mode = attrString(attrs, 'mode', TFIDF_MODES, 'TF');
  const minN = attrInt(attrs, 'min_gram_length', 1);
  const maxN = attrInt(attrs, 'max_gram_length', 1);
  const maxSkip = attrInt(attrs, 'max_skip_count', 0);
  const weights = (attrs['weights'] as readonly number[] | undefined) ?? [];
  const outSize = ctx.shape(node.outputs[0]!).at(-1)!;
  const xShape = ctx.shape(x);
  const cols = xShape.length === 0 ? 1 : xShape[xShape.length - 1]!;
  const t: ScalarType = ctx.type(x);
  const rowIdx = xShape.length === 2 ? [ctx.bind(idx[0]!, 'i32')] : [];
  const column = ctx.bind(idx[idx.length - 1]!, 'i32');
  const token = (pos: Expr): Expr => ctx.value(x, xShape.length === 0 ? [] : [...rowIdx, pos]);
  // A pool token an i32 input cannot hold never matches.
  const fits = (v: number): boolean => t !== 'i32' || (v >= -(2 ** 31) && v < 2 ** 31);

  const freq = declare(ctx, 'tf', f64(0), 'f64');
  const result = declare(ctx, 'tfidf', f64(0), 'f64');
  for (const [col, ngrams] of ngramsByColumn(attrs, minN, maxN)) {
    if (col >= outSize) continue;
    ctx.when(cmp('eq', column, i32(col)), () => {
      for (const tokens of ngrams) {
        if (!tokens.every(fits)) continue;
        const s = tokens.length;
        const count = (skip: Expr): void => {
          // Starts where the whole n-gram (s tokens, `skip` apart) fits in the row.
          const starts = max(sub(i32(cols), mul(i32(s - 1), skip)), i32(0));
          ctx.loop(i32(0), starts, (start) => {
            const match = andAll(tokens.map((v, j) => binary('eq', token(add(start, mul(i32(j), skip))), constant(t, v), t)));
            set(ctx, freq, fadd(freq, fsel(match, f64(1), f64(0))));
          });
        };
        if (s === 1) count(i32(1));
        else ctx.loop(i32(1), i32(maxSkip + 2), count);
      }
      const w = weights.length > 0 ? weights[col % outSize]! : 1;
      const value = mode === 'TF' ? freq : mode === 'IDF' ? fsel(fcmp('gt', freq, f64(0)), f64(w), f64(0)) : fmul(f64(w), freq);
      set(ctx, result, value);
    });
  }
  return fromF64(ctx, result, 'f32');
});
