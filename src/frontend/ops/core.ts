// ONNX importers: core ops — Constant, Identity, Shape, Size, Cast, CastLike, Dropout, ConstantOfShape.
import type { Value } from '../../ir/graph.js';
import { Tensor } from '../../ir/tensor.js';
import { shapeRange } from '../../ir/ops/core.js';
import { isStaticShape, staticSize } from '../../ir/types.js';
import { dtypeOfOnnxCode, onnxCodeName } from '../dtype-codes.js';
import { defineImporter, type ImportContext } from '../registry.js';
import { numericScalar, requireInputs, requireNumericDType } from './required-inputs.js';

defineImporter('Constant', (ctx) => [ctx.constant(constantAttribute(ctx))]);

/** The tensor a Constant node holds, from whichever of its attribute forms is set. */
function constantAttribute(ctx: ImportContext): Tensor {
  if (ctx.hasAttr('value') || ctx.hasAttr('sparse_value')) return ctx.attrTensor(ctx.hasAttr('value') ? 'value' : 'sparse_value')!;
  if (ctx.hasAttr('value_float')) return Tensor.scalar('f32', ctx.attrFloat('value_float'));
  if (ctx.hasAttr('value_floats')) {
    const v = ctx.attrFloats('value_floats');
    return Tensor.fromNumbers('f32', [v.length], v);
  }
  if (ctx.hasAttr('value_int')) return Tensor.scalar('i64', ctx.attrInt('value_int'));
  if (ctx.hasAttr('value_ints')) {
    const v = ctx.attrInts('value_ints');
    return Tensor.fromNumbers('i64', [v.length], v);
  }
  if (ctx.hasAttr('value_string')) return new Tensor('string', [], [ctx.attrString('value_string')]);
  if (ctx.hasAttr('value_strings')) {
    const v = ctx.attrStrings('value_strings');
    return new Tensor('string', [v.length], v);
  }
  return ctx.invalid('Constant has no value attribute');
}

defineImporter('Identity', (ctx, inputs) => requireInputs(ctx, inputs, 1));

defineImporter('Shape', (ctx, inputs) => {
  const [x] = requireInputs(ctx, inputs, 1);
  const start = ctx.opset >= 15 ? ctx.attrInt('start', 0) : 0;
  const end = ctx.opset >= 15 && ctx.hasAttr('end') ? ctx.attrInt('end') : null;
  return [shapeOf(ctx, x, start, end)];
});

/** x's dims [start, end) as an i64 vector; a constant when they are static, so later importers see it. */
function shapeOf(ctx: ImportContext, x: Value, start = 0, end: number | null = null): Value {
  const shape = x.type.shape;
  if (isStaticShape(shape)) {
    const [s, e] = shapeRange(shape.length, start, end);
    return ctx.constant(Tensor.fromBigInts('i64', [e - s], shape.slice(s, e).map(BigInt)));
  }
  return ctx.op1('shape', [x], { start, end });
}

defineImporter('Size', (ctx, inputs) => {
  const [x] = requireInputs(ctx, inputs, 1);
  const shape = x.type.shape;
  if (isStaticShape(shape)) return [ctx.constant(Tensor.fromBigInts('i64', [], [BigInt(staticSize(shape))]))];
  return [ctx.op1('size', [x])];
});

defineImporter('Cast', (ctx, inputs) => {
  const [x] = requireInputs(ctx, inputs, 1);
  const code = ctx.attrInt('to');
  const to = dtypeOfOnnxCode(code);
  if (!to) return ctx.unsupported(`Cast to ${onnxCodeName(code)} is not supported`);
  return [x.type.dtype === to ? x : ctx.op1('cast', [x], { to })];
});

defineImporter('CastLike', (ctx, inputs) => {
  const [x, like] = requireInputs(ctx, inputs, 2);
  const to = like.type.dtype;
  return [x.type.dtype === to ? x : ctx.op1('cast', [x], { to })];
});

defineImporter('Dropout', (ctx, inputs) => {
  const [x] = requireInputs(ctx, inputs, 1);
  const wantMask = ctx.node.outputs.length > 1 && ctx.node.outputs[1] !== '';
  if (ctx.opset >= 12 && inputs[2]) {
    const training = ctx.constValue(inputs[2]);
    const ratio = inputs[1] ? ctx.constValue(inputs[1])?.getNumber(0) : 0.5;
    // Training mode decided at run time, or on with a non-zero ratio: drop at random.
    if (!training || (training.getNumber(0) !== 0 && ratio !== 0)) return trainingDropout(ctx, x!, inputs[1] ?? null, inputs[2], wantMask);
  } else if (ctx.opset < 7 && ctx.attrInt('is_test', 0) === 0) {
    return ctx.unsupported('Dropout in training mode (is_test=0) is not supported');
  }
  // Inference: the identity, and a mask that keeps everything.
  if (!wantMask) return [x, null];
  const maskValue = ctx.opset >= 10 ? Tensor.fromNumbers('bool', [1], [1]) : Tensor.fromNumbers(requireNumericDType(ctx, x.type.dtype), [1], [1]);
  const shape = shapeOf(ctx, x);
  return [x, ctx.op1('constant_of_shape', [shape], { value: maskValue })];
});

/**
 * Dropout-12+ with training_mode: keep = uniform(0,1) >= r (r = ratio when training, else 0),
 * y = keep ? x / (1 - r) : 0, mask = keep.
 */
function trainingDropout(ctx: ImportContext, x: Value, ratioIn: Value | null, training: Value, wantMask: boolean): (Value | null)[] {
  const dtype = x.type.dtype;
  const scalar = (v: number) => numericScalar(ctx, dtype, v);
  const ratio = ratioIn ? (ratioIn.type.dtype === dtype ? ratioIn : ctx.op1('cast', [ratioIn], { to: dtype })) : scalar(0.5);
  const r = ctx.op1('select', [training, ratio, scalar(0)]);
  const attrs: Record<string, number | string> = { dtype, low: 0, high: 1 };
  if (ctx.hasAttr('seed')) attrs['seed'] = ctx.attrInt('seed');
  const shape = shapeOf(ctx, x);
  const u = ctx.op1('random_uniform', [shape], attrs);
  const keep = ctx.op1('greater_equal', [u, r]);
  const scale = ctx.op1('div', [scalar(1), ctx.op1('sub', [scalar(1), r])]);
  const y = ctx.op1('select', [keep, ctx.op1('mul', [x, scale]), scalar(0)]);
  return [y, wantMask ? keep : null];
}

defineImporter('ConstantOfShape', (ctx, inputs) => {
  const [shape] = requireInputs(ctx, inputs, 1);
  const value = ctx.attrTensor('value') ?? Tensor.fromNumbers('f32', [1], [0]);
  return [ctx.op1('constant_of_shape', [shape], { value })];
});
