// ONNX importers: NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss, decomposed into
// gather_elements / gather / select and reductions.
import type { Value } from '../../ir/graph.js';
import { defineImporter, type ImportContext } from '../registry.js';
import { logSoftmax } from './reduction-softmax.js';
import { i64Vector, scalarLike } from './reduction-util.js';

type LossReduction = 'none' | 'sum' | 'mean';

function lossReduction(ctx: ImportContext): LossReduction {
  const r = ctx.attrString('reduction', 'mean');
  if (r !== 'none' && r !== 'sum' && r !== 'mean') ctx.invalid(`unknown reduction "${r}"`);
  return r;
}

const ALL = { keepdims: 0, noop_with_empty_axes: 0 };

/**
 * loss[n, d…] = -input[n, target[n, d…], d…] · weight[target[n, d…]], 0 where the target is
 * ignore_index; then none / sum / mean, the mean dividing by the sum of the weights used.
 * `input` is [N, C, d…] (log-probabilities), `target` [N, d…] (i32/i64), `weight` [C] or null.
 */
function negativeLogLikelihood(
  ctx: ImportContext, input: Value, target: Value, weight: Value | null, reduction: LossReduction,
): Value {
  let index = target;
  // Where the target is ignored, gather from class 0 instead (it may be out of range) and weigh 0.
  let keep: Value | null = null;
  if (ctx.hasAttr('ignore_index')) {
    const ignored = ctx.op1('equal', [target, scalarLike(ctx, target, ctx.attrInt('ignore_index'))]);
    keep = ctx.op1('not', [ignored]);
    index = ctx.op1('select', [keep, target, scalarLike(ctx, target, 0)]);
  }
  const axis1 = i64Vector(ctx, [1]);
  const picked = ctx.op1('gather_elements', [input, ctx.op1('unsqueeze', [index, axis1])], { axis: 1 });
  let loss = ctx.op1('neg', [ctx.op1('squeeze', [picked, axis1])]);

  let w: Value | null = weight ? ctx.op1('gather', [weight, index], { axis: 0 }) : null;
  if (keep) {
    const zero = scalarLike(ctx, input, 0);
    w = ctx.op1('select', [keep, w ?? scalarLike(ctx, input, 1), zero]);
  }
  if (w) loss = ctx.op1('mul', [loss, w]);

  switch (reduction) {
    case 'none': return loss;
    case 'sum': return ctx.op1('reduce_sum', [loss], ALL);
    case 'mean':
      if (!w) return ctx.op1('reduce_mean', [loss], ALL);
      return ctx.op1('div', [ctx.op1('reduce_sum', [loss], ALL), ctx.op1('reduce_sum', [w], ALL)]);
  }
}

function checkRanks(ctx: ImportContext, input: Value, target: Value): void {
  const r = input.type.shape?.length;
  const t = target.type.shape?.length;
  if (r !== undefined && r < 2) ctx.invalid(`input must be [N, C, …], got rank ${r}`);
  if (r !== undefined && t !== undefined && t !== r - 1) ctx.invalid(`target rank ${t} does not fit input rank ${r}`);
  if (target.type.dtype !== 'i32' && target.type.dtype !== 'i64') ctx.invalid(`target must be int32 or int64, got ${target.type.dtype}`);
}

defineImporter('NegativeLogLikelihoodLoss', (ctx, inputs) => {
  const [input, target, weight] = inputs;
  if (!input || !target) return ctx.invalid('NegativeLogLikelihoodLoss needs input and target');
  checkRanks(ctx, input, target);
  return [negativeLogLikelihood(ctx, input, target, weight ?? null, lossReduction(ctx))];
});

defineImporter('SoftmaxCrossEntropyLoss', (ctx, inputs) => {
  const [scores, labels, weights] = inputs;
  if (!scores || !labels) return ctx.invalid('SoftmaxCrossEntropyLoss needs scores and labels');
  checkRanks(ctx, scores, labels);
  const logProb = logSoftmax(ctx, scores, [1]);
  return [negativeLogLikelihood(ctx, logProb, labels, weights ?? null, lossReduction(ctx)), logProb];
});
