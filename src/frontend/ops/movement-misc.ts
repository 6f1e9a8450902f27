// ONNX importers: Pad, Tile, DepthToSpace, SpaceToDepth, Trilu, ReverseSequence, Range, EyeLike.
import { FOLD_MAX_ELEMENTS } from '../../ir/fold-constants.js';
import type { Value } from '../../ir/graph.js';
import { Tensor } from '../../ir/tensor.js';
import { dtypeOfOnnxCode, onnxCodeName } from '../dtype-codes.js';
import { defineImporter, type ImportContext } from '../registry.js';
import { asI64, i64Const, input, optional } from './movement-util.js';
import { numericScalar } from './required-inputs.js';

defineImporter('Pad', (ctx, inputs) => {
  const x = input(ctx, inputs, 0, 'data');
  const mode = ctx.attrString('mode', 'constant');
  if (mode !== 'constant' && mode !== 'reflect' && mode !== 'edge' && !(mode === 'wrap' && ctx.opset >= 19)) {
    return ctx.invalid(`unknown Pad mode "${mode}"`);
  }
  if (ctx.opset < 11) {
    // pads and the fill value were attributes.
    const pads = i64Const(ctx, ctx.attrInts(ctx.opset < 2 ? 'paddings' : 'pads'));
    const value = ctx.attrFloat('value', 0);
    const cv = numericScalar(ctx, x.type.dtype, value);
    return [ctx.op1('pad', [x, pads, cv], { mode })];
  }
  const pads = asI64(ctx, input(ctx, inputs, 1, 'pads'));
  const cv = optional(inputs, 2);
  const axes = ctx.opset >= 18 ? optional(inputs, 3) : null;
  const ops: (Value | null)[] = [x, pads, cv, axes ? asI64(ctx, axes) : null];
  while (ops.length > 2 && ops[ops.length - 1] === null) ops.pop();
  return [ctx.op1('pad', ops, { mode })];
});

defineImporter('Tile', (ctx, inputs) => {
  const x = input(ctx, inputs, 0, 'data');
  return [ctx.op1('tile', [x, asI64(ctx, input(ctx, inputs, 1, 'repeats'))])];
});

/** Static C, H, W of an NCHW value, or undefined (N may be symbolic: reshapes copy it with 0). */
function staticCHW(x: Value): [number, number, number] | undefined {
  const s = x.type.shape;
  if (!s || s.length !== 4) return undefined;
  const [, c, h, w] = s;
  return typeof c === 'number' && typeof h === 'number' && typeof w === 'number' ? [c, h, w] : undefined;
}

/** reshape → transpose → reshape, the static-shape form of the block rearrangements. */
function rearrange(ctx: ImportContext, x: Value, view: number[], perm: number[], out: number[]): Value {
  const v = ctx.op1('reshape', [x, i64Const(ctx, [0, ...view])]);
  const t = ctx.op1('transpose', [v], { perm });
  return ctx.op1('reshape', [t, i64Const(ctx, [0, ...out])]);
}

defineImporter('DepthToSpace', (ctx, inputs) => {
  const x = input(ctx, inputs, 0, 'data');
  const b = ctx.attrInt('blocksize');
  const mode = ctx.opset >= 11 ? ctx.attrString('mode', 'DCR') : 'DCR';
  if (mode !== 'DCR' && mode !== 'CRD') return ctx.invalid(`unknown DepthToSpace mode "${mode}"`);
  const chw = staticCHW(x);
  if (chw && b >= 1 && chw[0] % (b * b) === 0) {
    const [c, h, w] = chw;
    const cc = c / (b * b);
    return [mode === 'DCR'
      ? rearrange(ctx, x, [b, b, cc, h, w], [0, 3, 4, 1, 5, 2], [cc, h * b, w * b])
      : rearrange(ctx, x, [cc, b, b, h, w], [0, 1, 4, 2, 5, 3], [cc, h * b, w * b])];
  }
  return [ctx.op1('depth_to_space', [x], { blocksize: b, mode })];
});

defineImporter('SpaceToDepth', (ctx, inputs) => {
  const x = input(ctx, inputs, 0, 'data');
  const b = ctx.attrInt('blocksize');
  const chw = staticCHW(x);
  if (chw && b >= 1 && chw[1] % b === 0 && chw[2] % b === 0) {
    const [c, h, w] = chw;
    return [rearrange(ctx, x, [c, h / b, b, w / b, b], [0, 3, 5, 1, 2, 4], [c * b * b, h / b, w / b])];
  }
  return [ctx.op1('space_to_depth', [x], { blocksize: b })];
});

defineImporter('Trilu', (ctx, inputs) => {
  const x = input(ctx, inputs, 0, 'data');
  const k = optional(inputs, 1);
  return [ctx.op1('trilu', k ? [x, asI64(ctx, k)] : [x], { upper: ctx.attrInt('upper', 1) })];
});

defineImporter('ReverseSequence', (ctx, inputs) => {
  const x = input(ctx, inputs, 0, 'data');
  const lens = asI64(ctx, input(ctx, inputs, 1, 'sequence_lens'));
  return [ctx.op1('reverse_sequence', [x, lens], {
    batch_axis: ctx.attrInt('batch_axis', 1),
    time_axis: ctx.attrInt('time_axis', 0),
  })];
});

defineImporter('Range', (ctx, inputs) => {
  const start = input(ctx, inputs, 0, 'start');
  const limit = input(ctx, inputs, 1, 'limit');
  const delta = input(ctx, inputs, 2, 'delta');
  return [ctx.op1('range', [start, limit, delta])];
});

defineImporter('EyeLike', (ctx, inputs) => {
  const x = input(ctx, inputs, 0, 'data');
  let dtype = x.type.dtype;
  if (ctx.hasAttr('dtype')) {
    const code = ctx.attrInt('dtype');
    const d = dtypeOfOnnxCode(code);
    if (!d) return ctx.unsupported(`EyeLike dtype ${onnxCodeName(code)} is not supported`);
    dtype = d;
  }
  const k = ctx.attrInt('k', 0);
  const s = x.type.shape;
  if (s && s.length === 2 && typeof s[0] === 'number' && typeof s[1] === 'number' && s[0] * s[1] <= FOLD_MAX_ELEMENTS) {
    // Static and small: the identity is a constant (a large one is computed at run time).
    const [rows, cols] = s;
    const t = Tensor.zeros(dtype, [rows, cols]);
    for (let i = 0; i < rows; i++) if (i + k >= 0 && i + k < cols) t.setNumber(i * cols + i + k, 1);
    return [ctx.constant(t)];
  }
  return [ctx.op1('eye_like', [x], { dtype, k })];
});
