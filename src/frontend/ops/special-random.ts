// ONNX importers: RandomUniform(Like), RandomNormal(Like), Bernoulli, Multinomial.
import type { DType } from '../../ir/dtype.js';
import type { Attrs, Value } from '../../ir/graph.js';
import { Tensor } from '../../ir/tensor.js';
import { isStaticShape } from '../../ir/types.js';
import { dtypeOfOnnxCode, onnxCodeName } from '../dtype-codes.js';
import { defineImporter, type ImportContext } from '../registry.js';

/** The dtype named by the `dtype` attribute, or `dflt` when it is absent. */
function dtypeAttr(ctx: ImportContext, dflt: DType, allowed: (d: DType) => boolean): DType {
  if (!ctx.hasAttr('dtype')) return dflt;
  const code = ctx.attrInt('dtype');
  const dtype = dtypeOfOnnxCode(code);
  if (!dtype || !allowed(dtype)) return ctx.unsupported(`${ctx.node.opType} dtype ${onnxCodeName(code)} is not supported`);
  return dtype;
}

const isFloatDType = (d: DType) => d === 'f16' || d === 'bf16' || d === 'f32' || d === 'f64';

/** The seed attribute when set; absent means a fresh seed every run. */
function seedAttr(ctx: ImportContext): Attrs {
  return ctx.hasAttr('seed') ? { seed: ctx.attrFloat('seed') } : {};
}

/** `x`'s shape as an i64 value: a constant when static, else a `shape` op. */
function shapeOf(ctx: ImportContext, x: Value): Value {
  const shape = x.type.shape;
  if (isStaticShape(shape)) return ctx.constant(Tensor.fromBigInts('i64', [shape.length], shape.map(BigInt)));
  return ctx.op1('shape', [x], { start: 0, end: null });
}

const DISTRIBUTIONS = [
  ['RandomUniform', 'random_uniform', (ctx: ImportContext) => ({ low: ctx.attrFloat('low', 0), high: ctx.attrFloat('high', 1) })],
  ['RandomNormal', 'random_normal', (ctx: ImportContext) => ({ mean: ctx.attrFloat('mean', 0), scale: ctx.attrFloat('scale', 1) })],
] as const;

for (const [onnxOp, irOp, params] of DISTRIBUTIONS) {
  defineImporter(onnxOp, (ctx) => {
    const shape = ctx.attrInts('shape');
    const shapeValue = ctx.constant(Tensor.fromBigInts('i64', [shape.length], shape.map(BigInt)));
    return [ctx.op1(irOp, [shapeValue], { dtype: dtypeAttr(ctx, 'f32', isFloatDType), ...params(ctx), ...seedAttr(ctx) })];
  });

  defineImporter(`${onnxOp}Like`, (ctx, [x]) => {
    if (!x) return ctx.invalid(`${onnxOp}Like needs an input`);
    // Without a dtype attribute the result takes the input's type (which must then be a float).
    const dflt = x.type.dtype;
    if (!ctx.hasAttr('dtype') && !isFloatDType(dflt)) return ctx.unsupported(`${onnxOp}Like of a ${dflt} input needs a float dtype attribute`);
    return [ctx.op1(irOp, [shapeOf(ctx, x)], { dtype: dtypeAttr(ctx, dflt, isFloatDType), ...params(ctx), ...seedAttr(ctx) })];
  });
}

defineImporter('Bernoulli', (ctx, [x]) => {
  if (!x) return ctx.invalid('Bernoulli needs an input');
  const dtype = dtypeAttr(ctx, x.type.dtype, (d) => d !== 'string');
  return [ctx.op1('bernoulli', [x], { dtype, ...seedAttr(ctx) })];
});

defineImporter('Multinomial', (ctx, [x]) => {
  if (!x) return ctx.invalid('Multinomial needs an input');
  const dtype = dtypeAttr(ctx, 'i32', (d) => d === 'i32' || d === 'i64');
  return [ctx.op1('multinomial', [x], { dtype, sample_size: ctx.attrInt('sample_size', 1), ...seedAttr(ctx) })];
});
