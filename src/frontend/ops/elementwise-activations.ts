// ONNX importers: activation functions, decomposed into elementwise IR ops.
import type { Value } from '../../ir/graph.js';
import { defineImporter, type ImportContext } from '../registry.js';
import { requireInput, scalarLike, withScalar } from './elementwise-util.js';

/** f32's largest finite value: Clip's default bounds before opset 11. */
const FLT_MAX = 3.4028234663852886e38;

/** x where x >= 0, else `negative` (LeakyRelu, PRelu, Elu share this shape). */
function negativeBranch(ctx: ImportContext, x: Value, negative: Value): Value {
  const isNeg = ctx.op1('less', [x, scalarLike(ctx, x, 0)]);
  return ctx.op1('select', [isNeg, negative, x]);
}

/** min(max(x, lo), hi) with either bound optional. */
function clamp(ctx: ImportContext, x: Value, lo: Value | null, hi: Value | null): Value {
  let y = x;
  if (lo) y = ctx.op1('max', [y, lo]);
  if (hi) y = ctx.op1('min', [y, hi]);
  return y;
}

/** max(0, min(1, alpha*x + beta)). */
function hardSigmoid(ctx: ImportContext, x: Value, alpha: number, beta: number): Value {
  const lin = withScalar(ctx, 'add', withScalar(ctx, 'mul', x, alpha), beta);
  return clamp(ctx, lin, scalarLike(ctx, x, 0), scalarLike(ctx, x, 1));
}

/** log(1 + e^x) as max(x, 0) + log(1 + e^-|x|), which does not overflow for large x. */
function softplus(ctx: ImportContext, x: Value): Value {
  const tail = ctx.op1('exp', [ctx.op1('neg', [ctx.op1('abs', [x])])]);
  const log1p = ctx.op1('log', [withScalar(ctx, 'add', tail, 1)]);
  return ctx.op1('add', [withScalar(ctx, 'max', x, 0), log1p]);
}

/** e^x - 1. */
function expm1(ctx: ImportContext, x: Value): Value {
  return withScalar(ctx, 'sub', ctx.op1('exp', [x]), 1);
}

defineImporter('Relu', (ctx, inputs) => [withScalar(ctx, 'max', requireInput(ctx, inputs, 0), 0)]);

defineImporter('LeakyRelu', (ctx, inputs) => {
  const x = requireInput(ctx, inputs, 0);
  return [negativeBranch(ctx, x, withScalar(ctx, 'mul', x, ctx.attrFloat('alpha', 0.01)))];
});

defineImporter('PRelu', (ctx, inputs) => {
  const x = requireInput(ctx, inputs, 0);
  return [negativeBranch(ctx, x, ctx.op1('mul', [x, requireInput(ctx, inputs, 1)]))];
});

defineImporter('Elu', (ctx, inputs) => {
  const x = requireInput(ctx, inputs, 0);
  return [negativeBranch(ctx, x, withScalar(ctx, 'mul', expm1(ctx, x), ctx.attrFloat('alpha', 1)))];
});

defineImporter('Selu', (ctx, inputs) => {
  const x = requireInput(ctx, inputs, 0);
  const alpha = ctx.attrFloat('alpha', 1.67326319217681884765625);
  const gamma = ctx.attrFloat('gamma', 1.05070102214813232421875);
  // gamma * (x > 0 ? x : alpha * (e^x - 1))
  const inner = negativeBranch(ctx, x, withScalar(ctx, 'mul', expm1(ctx, x), alpha));
  return [withScalar(ctx, 'mul', inner, gamma)];
});

defineImporter('Celu', (ctx, inputs) => {
  const x = requireInput(ctx, inputs, 0);
  const alpha = ctx.attrFloat('alpha', 1);
  // max(0, x) + min(0, alpha * (e^(x/alpha) - 1))
  const neg = withScalar(ctx, 'mul', expm1(ctx, withScalar(ctx, 'div', x, alpha)), alpha);
  return [ctx.op1('add', [withScalar(ctx, 'max', x, 0), withScalar(ctx, 'min', neg, 0)])];
});

defineImporter('ThresholdedRelu', (ctx, inputs) => {
  const x = requireInput(ctx, inputs, 0);
  const above = withScalar(ctx, 'greater', x, ctx.attrFloat('alpha', 1));
  return [ctx.op1('select', [above, x, scalarLike(ctx, x, 0)])];
});

defineImporter('HardSigmoid', (ctx, inputs) => {
  const x = requireInput(ctx, inputs, 0);
  return [hardSigmoid(ctx, x, ctx.attrFloat('alpha', 0.2), ctx.attrFloat('beta', 0.5))];
});

defineImporter('HardSwish', (ctx, inputs) => {
  const x = requireInput(ctx, inputs, 0);
  return [ctx.op1('mul', [x, hardSigmoid(ctx, x, 1 / 6, 0.5)])];
});

defineImporter('Softplus', (ctx, inputs) => [softplus(ctx, requireInput(ctx, inputs, 0))]);

defineImporter('Softsign', (ctx, inputs) => {
  const x = requireInput(ctx, inputs, 0);
  return [ctx.op1('div', [x, withScalar(ctx, 'add', ctx.op1('abs', [x]), 1)])];
});

defineImporter('Mish', (ctx, inputs) => {
  const x = requireInput(ctx, inputs, 0);
  return [ctx.op1('mul', [x, ctx.op1('tanh', [softplus(ctx, x)])])];
});

defineImporter('Gelu', (ctx, inputs) => {
  const x = requireInput(ctx, inputs, 0);
  const approximate = ctx.attrString('approximate', 'none');
  let inner: Value;
  if (approximate === 'none') {
    // erf(x / sqrt 2)
    inner = ctx.op1('erf', [withScalar(ctx, 'mul', x, Math.SQRT1_2)]);
  } else if (approximate === 'tanh') {
    // tanh(sqrt(2/pi) * (x + 0.044715 x^3))
    const cube = ctx.op1('mul', [ctx.op1('mul', [x, x]), x]);
    const poly = ctx.op1('add', [x, withScalar(ctx, 'mul', cube, 0.044715)]);
    inner = ctx.op1('tanh', [withScalar(ctx, 'mul', poly, Math.sqrt(2 / Math.PI))]);
  } else {
    return ctx.invalid(`Gelu approximate must be "none" or "tanh", got "${approximate}"`);
  }
  // 0.5 x (1 + inner)
  const halfX = withScalar(ctx, 'mul', x, 0.5);
  return [ctx.op1('mul', [halfX, withScalar(ctx, 'add', inner, 1)])];
});

defineImporter('Shrink', (ctx, inputs) => {
  const x = requireInput(ctx, inputs, 0);
  const bias = ctx.attrFloat('bias', 0);
  const lambd = ctx.attrFloat('lambd', 0.5);
  // x < -lambd ? x + bias : x > lambd ? x - bias : 0
  const upper = ctx.op1('select', [
    withScalar(ctx, 'greater', x, lambd), withScalar(ctx, 'sub', x, bias), scalarLike(ctx, x, 0),
  ]);
  return [ctx.op1('select', [withScalar(ctx, 'less', x, -lambd), withScalar(ctx, 'add', x, bias), upper])];
});

defineImporter('Clip', (ctx, inputs) => {
  const x = requireInput(ctx, inputs, 0);
  if (ctx.opset < 11) {
    const lo = ctx.hasAttr('min') ? scalarLike(ctx, x, ctx.attrFloat('min', -FLT_MAX)) : null;
    const hi = ctx.hasAttr('max') ? scalarLike(ctx, x, ctx.attrFloat('max', FLT_MAX)) : null;
    return [clamp(ctx, x, lo, hi)];
  }
  return [clamp(ctx, x, inputs[1] ?? null, inputs[2] ?? null)];
});
