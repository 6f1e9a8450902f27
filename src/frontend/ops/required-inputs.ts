// Required operands of an ONNX node: a missing one is the model's error, reported with the node.
import type { Value } from '../../ir/graph.js';
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
