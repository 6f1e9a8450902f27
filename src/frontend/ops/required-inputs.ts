// Required operands of an ONNX node: a missing one is the model's error, reported with the node.
import type { DType } from '../../ir/dtype.js';
import type { Value } from '../../ir/graph.js';
import { Tensor } from '../../ir/tensor.js';
import type { ImportContext } from '../registry.js';

/** The first `n` inputs, each present; otherwise MODEL_INVALID naming the missing input. */
export function requireInputs(ctx: ImportContext, inputs: readonly (Value | null)[], n: number): Value[] {
  const out: Value[] = [];
  for (let i = 0; i < n; i++) {
    const v = inputs[i];
    if (!v) return ctx.invalid(`${ctx.node.opType} needs input ${i}${ctx.node.inputs[i] ? ` ("${ctx.node.inputs[i]}")` : ''}`);
    out.push(v);
  }
  return out;
}

/** Arithmetic operands have numbers: a string tensor there is the model's error, not a crash. */
export function requireNumericDType(ctx: ImportContext, dtype: DType): DType {
  if (dtype === 'string') return ctx.invalid(`${ctx.node.opType} does not take string tensors`);
  return dtype;
}

/** A rank-0 constant of an operand's `dtype`, for arithmetic with it. */
export function numericScalar(ctx: ImportContext, dtype: DType, value: number): Value {
  return ctx.constant(Tensor.scalar(requireNumericDType(ctx, dtype), value));
}
