// ONNX importers: Unique and TfIdfVectorizer.
import type { Attrs } from '../../ir/graph.js';
import { defineImporter } from '../registry.js';

defineImporter('Unique', (ctx, [x]) => {
  if (!x) return ctx.invalid('Unique needs an input');
  const attrs: Attrs = { sorted: ctx.attrInt('sorted', 1) !== 0 ? 1 : 0 };
  const withAxis = ctx.hasAttr('axis') ? { ...attrs, axis: ctx.attrInt('axis') } : attrs;
  const outs = ctx.op('unique', [x], withAxis, { numOutputs: 4 });
  return outs.slice(0, Math.max(1, ctx.node.outputs.length));
});

defineImporter('TfIdfVectorizer', (ctx, [x]) => {
  if (!x) return ctx.invalid('TfIdfVectorizer needs an input');
  const mode = ctx.attrString('mode');
  if (mode !== 'TF' && mode !== 'IDF' && mode !== 'TFIDF') ctx.invalid(`TfIdfVectorizer mode must be TF, IDF or TFIDF, got "${mode}"`);
  const attrs: Record<string, Attrs[string]> = {
    mode,
    min_gram_length: ctx.attrInt('min_gram_length'),
    max_gram_length: ctx.attrInt('max_gram_length'),
    max_skip_count: ctx.attrInt('max_skip_count'),
    ngram_counts: ctx.attrInts('ngram_counts'),
    ngram_indexes: ctx.attrInts('ngram_indexes'),
  };
  if (ctx.hasAttr('pool_strings')) attrs['pool_strings'] = ctx.attrStrings('pool_strings');
  else attrs['pool_int64s'] = ctx.attrInts('pool_int64s');
  if (ctx.hasAttr('weights')) attrs['weights'] = ctx.attrFloats('weights');
  return [ctx.op1('tfidf_vectorizer', [x], attrs)];
});
