// ONNX importers: MatMul, Gemm, MatMulInteger, QLinearMatMul, Einsum, Det.
import type { DType } from '../../ir/dtype.js';
import type { Value } from '../../ir/graph.js';
import { defineImporter, type ImportContext } from '../registry.js';
import { bin, cast, i64s, rankOf, required, scalar, withScalar } from './linalg-util.js';

defineImporter('MatMul', (ctx, inputs) => [ctx.op1('matmul', [required(ctx, inputs, 0, 'A'), required(ctx, inputs, 1, 'B')])]);

// Gemm → (transpose) + matmul + mul(alpha) + add(mul(beta, C)).
defineImporter('Gemm', (ctx, inputs) => {
  let a = required(ctx, inputs, 0, 'A');
  let b = required(ctx, inputs, 1, 'B');
  const c = inputs[2] ?? null;
  const alpha = ctx.attrFloat('alpha', 1);
  const beta = ctx.attrFloat('beta', 1);
  if (ctx.attrInt('transA', 0)) a = ctx.op1('transpose', [a], { perm: [1, 0] });
  if (ctx.attrInt('transB', 0)) b = ctx.op1('transpose', [b], { perm: [1, 0] });
  let y = ctx.op1('matmul', [a, b]);
  if (alpha !== 1) y = withScalar(ctx, 'mul', y, alpha);
  if (c && beta !== 0) y = bin(ctx, 'add', y, beta === 1 ? c : withScalar(ctx, 'mul', c, beta));
  return [y];
});

/**
 * `x - zeroPoint` in i32. A per-row zero point of A ([M]) gets a trailing unit dim so it
 * broadcasts down the rows; per-column / per-channel ones broadcast as they are.
 */
function centered(ctx: ImportContext, x: Value, zeroPoint: Value | null, perRow: boolean): Value {
  const x32 = cast(ctx, x, 'i32');
  if (!zeroPoint) return x32;
  let zp = cast(ctx, zeroPoint, 'i32');
  if (perRow && rankOf(zp) === 1 && zp.type.shape![0] !== 1) zp = ctx.op1('unsqueeze', [zp, i64s(ctx, [1])]);
  return bin(ctx, 'sub', x32, zp);
}

// MatMulInteger → cast to i32, subtract zero points, i32 matmul (exact).
defineImporter('MatMulInteger', (ctx, inputs) => {
  const a = centered(ctx, required(ctx, inputs, 0, 'A'), inputs[2] ?? null, true);
  const b = centered(ctx, required(ctx, inputs, 1, 'B'), inputs[3] ?? null, false);
  return [ctx.op1('matmul', [a, b])];
});

const QUANT_RANGE: Partial<Record<DType, readonly [number, number]>> = {
  u8: [0, 255], i8: [-128, 127], u16: [0, 65535], i16: [-32768, 32767],
};

/**
 * Requantizes an i32 accumulator: round(acc * multiplier) + zeroPoint, saturated to `to`.
 * Rounding is half-to-even, as ONNX Runtime's nearbyint.
 */
export function requantize(ctx: ImportContext, acc: Value, multiplier: Value, zeroPoint: Value | null, to: DType): Value {
  const range = QUANT_RANGE[to];
  if (!range) ctx.unsupported(`quantized output type ${to}`);
  let y = ctx.op1('round', [bin(ctx, 'mul', cast(ctx, acc, 'f32'), cast(ctx, multiplier, 'f32'))]);
  if (zeroPoint) y = bin(ctx, 'add', y, cast(ctx, zeroPoint, 'f32'));
  y = bin(ctx, 'min', bin(ctx, 'max', y, scalar(ctx, 'f32', range[0])), scalar(ctx, 'f32', range[1]));
  return cast(ctx, y, to);
}

// QLinearMatMul → integer matmul, then requantize with a_scale * b_scale / y_scale.
defineImporter('QLinearMatMul', (ctx, inputs) => {
  const a = required(ctx, inputs, 0, 'a');
  const aScale = required(ctx, inputs, 1, 'a_scale');
  const b = required(ctx, inputs, 3, 'b');
  const bScale = required(ctx, inputs, 4, 'b_scale');
  const yScale = required(ctx, inputs, 6, 'y_scale');
  const yZero = inputs[7] ?? null;
  const acc = ctx.op1('matmul', [centered(ctx, a, inputs[2] ?? null, true), centered(ctx, b, inputs[5] ?? null, false)]);
  let as = cast(ctx, aScale, 'f32');
  if (rankOf(as) === 1 && as.type.shape![0] !== 1) as = ctx.op1('unsqueeze', [as, i64s(ctx, [1])]);
  const multiplier = bin(ctx, 'div', bin(ctx, 'mul', as, cast(ctx, bScale, 'f32')), cast(ctx, yScale, 'f32'));
  return [requantize(ctx, acc, multiplier, yZero, yZero?.type.dtype ?? a.type.dtype)];
});

// Einsum → the `einsum` IR op (kind special; general equations incl. diagonals and ellipsis).
defineImporter('Einsum', (ctx, inputs) => {
  const operands = inputs.map((v, i) => required(ctx, inputs, i, `Inputs[${i}]`));
  return [ctx.op1('einsum', operands, { equation: ctx.attrString('equation') })];
});

defineImporter('Det', (ctx, inputs) => [ctx.op1('det', [required(ctx, inputs, 0, 'X')])]);
