// ONNX importers: linear quantization (QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear),
// decomposed into elementwise ops, `cast`, `reshape` (per-axis scales) and reduce_min/max.
import { isFloat, type DType } from '../../ir/dtype.js';
import type { Value } from '../../ir/graph.js';
import { Tensor } from '../../ir/tensor.js';
import { dtypeOfOnnxCode } from '../dtype-codes.js';
import { defineImporter, type ImportContext } from '../registry.js';
import { requireInput, scalarLike, withScalar } from './elementwise-util.js';

/** Representable range of each quantized integer type. */
const QUANT_RANGE: Partial<Record<DType, readonly [number, number]>> = {
  u8: [0, 255], i8: [-128, 127], u16: [0, 65535], i16: [-32768, 32767], i32: [-(2 ** 31), 2 ** 31 - 1],
};

function quantRange(ctx: ImportContext, dtype: DType): readonly [number, number] {
  const r = QUANT_RANGE[dtype];
  if (!r) ctx.unsupported(`${ctx.node.opType} to ${dtype} is not supported`);
  return r;
}

function cast(ctx: ImportContext, x: Value, to: DType): Value {
  return x.type.dtype === to ? x : ctx.op1('cast', [x], { to });
}

/**
 * Makes a scale or zero point broadcast against `x` along `axis`: a 1-D operand of length
 * x.shape[axis] becomes [C, 1, ..., 1]; scalars and one-element operands broadcast as they are.
 */
function alongAxis(ctx: ImportContext, x: Value, operand: Value, axisAttr: number): Value {
  const s = operand.type.shape;
  if (s === null) ctx.unsupported(`${ctx.node.opType} needs the rank of its scale`);
  if (s.length === 0 || (s.length === 1 && s[0] === 1)) return operand;
  if (s.length !== 1) ctx.unsupported(`${ctx.node.opType} with a rank-${s.length} scale (blocked quantization) is not supported`);
  const xs = x.type.shape;
  if (xs === null) ctx.unsupported(`${ctx.node.opType} per-axis needs the rank of its input`);
  const rank = xs.length;
  const axis = axisAttr < 0 ? axisAttr + rank : axisAttr;
  if (axis < 0 || axis >= rank) ctx.invalid(`axis ${axisAttr} is out of range for rank ${rank}`);
  const trailing = rank - axis - 1;
  if (trailing === 0) return operand;
  const target = Tensor.fromNumbers('i64', [trailing + 1], [-1, ...new Array<number>(trailing).fill(1)]);
  return ctx.op1('reshape', [operand, ctx.constant(target)]);
}

/** saturate(round(x) + zp) in x's float type, then cast to the quantized type. */
function roundAndSaturate(ctx: ImportContext, scaled: Value, zeroPoint: Value | null, to: DType): Value {
  const [lo, hi] = quantRange(ctx, to);
  let q = ctx.op1('round', [scaled]);
  if (zeroPoint) q = ctx.op1('add', [q, cast(ctx, zeroPoint, q.type.dtype)]);
  q = ctx.op1('min', [ctx.op1('max', [q, scalarLike(ctx, q, lo)]), scalarLike(ctx, q, hi)]);
  return ctx.op1('cast', [q], { to });
}

defineImporter('QuantizeLinear', (ctx, inputs) => {
  const x = requireInput(ctx, inputs, 0);
  const scaleIn = requireInput(ctx, inputs, 1);
  const zpIn = inputs[2] ?? null;
  if (ctx.attrInt('block_size', 0) !== 0) ctx.unsupported('blocked QuantizeLinear is not supported');
  let to: DType = 'u8';
  if (zpIn) to = zpIn.type.dtype;
  else if (ctx.hasAttr('output_dtype')) {
    const code = ctx.attrInt('output_dtype');
    to = dtypeOfOnnxCode(code) ?? ctx.unsupported(`QuantizeLinear output_dtype ${code} is not supported`);
  }
  const axis = ctx.attrInt('axis', 1);
  const scale = alongAxis(ctx, x, scaleIn, axis);
  // Integer inputs (opset 10 allows int32) are scaled in the scale's float type.
  const xf = isFloat(x.type.dtype) ? x : cast(ctx, x, scale.type.dtype);
  const scaled = ctx.op1('div', [xf, cast(ctx, scale, xf.type.dtype)]);
  const zp = zpIn ? alongAxis(ctx, x, zpIn, axis) : null;
  return [roundAndSaturate(ctx, scaled, zp, to)];
});

defineImporter('DequantizeLinear', (ctx, inputs) => {
  const x = requireInput(ctx, inputs, 0);
  const scaleIn = requireInput(ctx, inputs, 1);
  const zpIn = inputs[2] ?? null;
  if (ctx.attrInt('block_size', 0) !== 0) ctx.unsupported('blocked DequantizeLinear is not supported');
  const axis = ctx.attrInt('axis', 1);
  const scale = alongAxis(ctx, x, scaleIn, axis);
  const ft = scale.type.dtype;
  let y = cast(ctx, x, ft);
  if (zpIn) y = ctx.op1('sub', [y, cast(ctx, alongAxis(ctx, x, zpIn, axis), ft)]);
  return [ctx.op1('mul', [y, scale])];
});

/**
 * DynamicQuantizeLinear (u8): the range [min(x, 0), max(x, 0)] maps onto [0, 255].
 * Outputs y (u8), y_scale (f32 scalar), y_zero_point (u8 scalar).
 */
defineImporter('DynamicQuantizeLinear', (ctx, inputs) => {
  const x = requireInput(ctx, inputs, 0);
  const reduceAll = { keepdims: 0, noop_with_empty_axes: 0 };
  const lo = withScalar(ctx, 'min', ctx.op1('reduce_min', [x], reduceAll), 0);
  const hi = withScalar(ctx, 'max', ctx.op1('reduce_max', [x], reduceAll), 0);
  const scale = withScalar(ctx, 'div', ctx.op1('sub', [hi, lo]), 255);
  const zeroF = ctx.op1('min', [
    ctx.op1('max', [ctx.op1('round', [ctx.op1('neg', [ctx.op1('div', [lo, scale])])]), scalarLike(ctx, lo, 0)]),
    scalarLike(ctx, lo, 255),
  ]);
  const y = roundAndSaturate(ctx, ctx.op1('div', [x, scale]), zeroF, 'u8');
  return [y, scale, ctx.op1('cast', [zeroF], { to: 'u8' })];
});
