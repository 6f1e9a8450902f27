// ONNX importers: DFT, STFT, the window functions and MelWeightMatrix.
import type { DType } from '../../ir/dtype.js';
import { isNumeric } from '../../ir/dtype.js';
import type { Value } from '../../ir/graph.js';
import { Tensor } from '../../ir/tensor.js';
import { dtypeOfOnnxCode, onnxCodeName } from '../dtype-codes.js';
import { defineImporter, type ImportContext } from '../registry.js';

function required(ctx: ImportContext, inputs: readonly (Value | null)[], i: number, what: string): Value {
  const v = inputs[i];
  if (!v) ctx.invalid(`${ctx.node.opType} needs input ${what}`);
  return v;
}

/** The numeric dtype named by the `output_datatype` attribute (default float). */
function outputDType(ctx: ImportContext): DType {
  const code = ctx.attrInt('output_datatype', 1);
  const dtype = dtypeOfOnnxCode(code);
  if (!dtype || !isNumeric(dtype)) return ctx.unsupported(`${ctx.node.opType} output_datatype ${onnxCodeName(code)} is not supported`);
  return dtype;
}

defineImporter('DFT', (ctx, inputs) => {
  const x = required(ctx, inputs, 0, 'input');
  const length = inputs[1] ?? null;
  // Opset 17 gives the axis as an attribute (default 1); opset 20 as an optional input (default -2).
  let axis: Value;
  if (ctx.opset >= 20) axis = inputs[2] ?? ctx.constant(Tensor.fromBigInts('i64', [], [-2n]));
  else axis = ctx.constant(Tensor.fromBigInts('i64', [], [BigInt(ctx.attrInt('axis', 1))]));
  return [ctx.op1('dft', [x, length, axis], {
    inverse: ctx.attrInt('inverse', 0) !== 0 ? 1 : 0,
    onesided: ctx.attrInt('onesided', 0) !== 0 ? 1 : 0,
  })];
});

defineImporter('STFT', (ctx, inputs) => [
  ctx.op1('stft', [
    required(ctx, inputs, 0, 'signal'),
    required(ctx, inputs, 1, 'frame_step'),
    inputs[2] ?? null,
    inputs[3] ?? null,
  ], { onesided: ctx.attrInt('onesided', 1) !== 0 ? 1 : 0 }),
]);

for (const [onnxOp, window] of [['HannWindow', 'hann'], ['HammingWindow', 'hamming'], ['BlackmanWindow', 'blackman']] as const) {
  defineImporter(onnxOp, (ctx, inputs) => [
    ctx.op1('window', [required(ctx, inputs, 0, 'size')], {
      window,
      periodic: ctx.attrInt('periodic', 1) !== 0 ? 1 : 0,
      dtype: outputDType(ctx),
    }),
  ]);
}

defineImporter('MelWeightMatrix', (ctx, inputs) => [
  ctx.op1('mel_weight_matrix', [
    required(ctx, inputs, 0, 'num_mel_bins'),
    required(ctx, inputs, 1, 'dft_length'),
    required(ctx, inputs, 2, 'sample_rate'),
    required(ctx, inputs, 3, 'lower_edge_hertz'),
    required(ctx, inputs, 4, 'upper_edge_hertz'),
  ], { dtype: outputDType(ctx) }),
]);
