// ONNX importers: Conv, ConvTranspose, ConvInteger, QLinearConv.
import type { Attrs, Value } from '../../ir/graph.js';
import { resolveTransposeWindow, transposeWindowAttrs } from '../../ir/ops/linalg.js';
import { isStaticShape } from '../../ir/types.js';
import { defineImporter, type ImportContext } from '../registry.js';
import { requantize } from './linalg-matmul.js';
import { bin, cast, channelVector, rankOf, required, windowIrAttrs } from './linalg-util.js';

/** Kernel extents: the kernel_shape attribute, else the weight's static trailing dims. */
function kernelShape(ctx: ImportContext, w: Value): number[] | undefined {
  const k = ctx.attrInts('kernel_shape', []);
  if (k.length > 0) return k;
  const s = w.type.shape?.slice(2);
  return s && isStaticShape(s) ? [...s] : undefined;
}

function spatialRank(ctx: ImportContext, x: Value, w: Value): number | undefined {
  const r = rankOf(x) ?? rankOf(w);
  if (r !== undefined && r < 3) return ctx.invalid(`${ctx.node.opType} needs inputs of rank 3 or more (batch, channels, spatial dims), got rank ${r}`);
  if (r !== undefined) return r - 2;
  const k = ctx.attrInts('kernel_shape', []);
  return k.length > 0 ? k.length : undefined;
}

function convAttrs(ctx: ImportContext, x: Value, w: Value): Attrs {
  return { ...windowIrAttrs(ctx, x, kernelShape(ctx, w), spatialRank(ctx, x, w)), group: ctx.attrInt('group', 1) };
}

function conv(ctx: ImportContext, x: Value, w: Value, bias: Value | null): Value {
  return ctx.op1('conv', bias ? [x, w, bias] : [x, w], convAttrs(ctx, x, w));
}

defineImporter('Conv', (ctx, inputs) => [conv(ctx, required(ctx, inputs, 0, 'X'), required(ctx, inputs, 1, 'W'), inputs[2] ?? null)]);

// ConvTranspose: output_shape / SAME padding become explicit pads when the input extents are static.
defineImporter('ConvTranspose', (ctx, inputs) => {
  const x = required(ctx, inputs, 0, 'X');
  const w = required(ctx, inputs, 1, 'W');
  const bias = inputs[2] ?? null;
  const n = spatialRank(ctx, x, w);
  const kernel = kernelShape(ctx, w);
  // SAME padding of a transposed conv follows its own rule, resolved below.
  const attrs: Record<string, number[] | string | number> = {
    ...windowIrAttrs(ctx, x, kernel, n, false),
    group: ctx.attrInt('group', 1),
    output_padding: ctx.attrInts('output_padding', n !== undefined ? new Array(n).fill(0) : []),
    output_shape: ctx.attrInts('output_shape', []),
  };
  const spatial = x.type.shape?.slice(2);
  const needsResolve = attrs['auto_pad'] !== 'NOTSET' || (attrs['output_shape'] as number[]).length > 0;
  if (needsResolve && kernel && spatial && isStaticShape(spatial)) {
    try {
      const { pads } = resolveTransposeWindow(spatial, transposeWindowAttrs(attrs, kernel));
      attrs['pads'] = pads;
      attrs['auto_pad'] = 'NOTSET';
      attrs['output_shape'] = [];
    } catch (e) {
      ctx.invalid((e as Error).message);
    }
  }
  return [ctx.op1('conv_transpose', bias ? [x, w, bias] : [x, w], attrs)];
});

/** `x - zeroPoint` in i32; a per-output-channel zero point of W ([M]) gets trailing unit dims so it broadcasts. */
function centeredI32(ctx: ImportContext, x: Value, zeroPoint: Value | null, spatial: number | undefined, perChannel: boolean): Value {
  const x32 = cast(ctx, x, 'i32');
  if (!zeroPoint) return x32;
  let zp = cast(ctx, zeroPoint, 'i32');
  if (perChannel && rankOf(zp) === 1 && zp.type.shape![0] !== 1) {
    if (spatial === undefined) ctx.unsupported('per-channel zero points need the weight rank');
    zp = channelVector(ctx, zp, spatial + 1);
  }
  return bin(ctx, 'sub', x32, zp);
}

// ConvInteger → cast/sub zero points to i32, i32 conv. Padding with 0 after centring equals
// padding with the zero point before it, as the spec asks.
defineImporter('ConvInteger', (ctx, inputs) => {
  const x = required(ctx, inputs, 0, 'x');
  const w = required(ctx, inputs, 1, 'w');
  const n = spatialRank(ctx, x, w);
  const xc = centeredI32(ctx, x, inputs[2] ?? null, n, false);
  const wc = centeredI32(ctx, w, inputs[3] ?? null, n, true);
  return [ctx.op1('conv', [xc, wc], convAttrs(ctx, x, w))];
});

// QLinearConv → i32 conv (+ i32 bias), requantized with x_scale * w_scale / y_scale.
defineImporter('QLinearConv', (ctx, inputs) => {
  const x = required(ctx, inputs, 0, 'x');
  const xScale = required(ctx, inputs, 1, 'x_scale');
  const w = required(ctx, inputs, 3, 'w');
  const wScale = required(ctx, inputs, 4, 'w_scale');
  const yScale = required(ctx, inputs, 6, 'y_scale');
  const yZero = inputs[7] ?? null;
  const bias = inputs[8] ?? null;
  const n = spatialRank(ctx, x, w);
  const xc = centeredI32(ctx, x, inputs[2] ?? null, n, false);
  const wc = centeredI32(ctx, w, inputs[5] ?? null, n, true);
  const acc = ctx.op1('conv', bias ? [xc, wc, cast(ctx, bias, 'i32')] : [xc, wc], convAttrs(ctx, x, w));
  let ws = cast(ctx, wScale, 'f32');
  if (rankOf(ws) === 1 && ws.type.shape![0] !== 1) {
    if (n === undefined) return ctx.unsupported('per-channel scales need the input rank');
    ws = channelVector(ctx, ws, n);
  }
  const multiplier = bin(ctx, 'div', bin(ctx, 'mul', cast(ctx, xScale, 'f32'), ws), cast(ctx, yScale, 'f32'));
  return [requantize(ctx, acc, multiplier, yZero, yZero?.type.dtype ?? x.type.dtype)];
});
