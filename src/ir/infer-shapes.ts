// Re-runs every op's type inference in order, with small constants visible, and updates value
// types: after edits or folding, symbolic dims become static wherever the constants allow.
import { IreetsError } from '../util/errors.js';
import { describeNode, type Graph, type IRModule } from './graph.js';
import { getOpDef } from './ops/registry.js';
import './ops/index.js';
import type { Tensor } from './tensor.js';
import { formatType, isStaticShape, staticSize, type TensorType } from './types.js';

/** Constants with at most this many elements are loaded so inference can read them. */
const CONST_VISIBLE_ELEMENTS = 65_536;

/**
 * Updates every value's type in place. Throws IreetsError('SHAPE_MISMATCH', …, <node>) where
 * inference fails, and IR_INVALID where a node's result count is not what its op gives.
 */
export function inferShapes(mod: IRModule): void {
  inferGraph(mod, mod.graph, new Map());
}

function inferGraph(mod: IRModule, g: Graph, consts: Map<number, Tensor>): void {
  for (const n of g.nodes) {
    if (n.op === 'constant') {
      const entry = mod.constants.get(n.attrs['hash'] as string);
      if (!entry) continue;
      n.outputs[0]!.type = entry.type;
      if (isStaticShape(entry.type.shape) && staticSize(entry.type.shape) <= CONST_VISIBLE_ELEMENTS) consts.set(n.outputs[0]!.id, entry.load());
      continue;
    }
    for (const r of n.regions) inferGraph(mod, r, consts);
    const def = getOpDef(n.op);
    if (!def) throw new IreetsError('IR_INVALID', `op ${n.op} is not defined`, describeNode(n));
    let types: TensorType[];
    try {
      types = def.infer({
        inputs: n.inputs.map((v) => v?.type ?? null),
        attrs: n.attrs,
        consts: n.inputs.map((v) => (v ? consts.get(v.id) : undefined)),
        regions: n.regions,
      });
    } catch (e) {
      const message = withOperandTypes((e as Error).message, n.inputs.map((v) => v?.type ?? null));
      throw new IreetsError('SHAPE_MISMATCH', message, describeNode(n), { cause: e });
    }
    if (types.length !== n.outputs.length) {
      throw new IreetsError('IR_INVALID', `${n.op} gives ${types.length} results, the node has ${n.outputs.length}`, describeNode(n));
    }
    for (let i = 0; i < types.length; i++) n.outputs[i]!.type = refineType(types[i]!, n.outputs[i]!.type);
  }
}

/**
 * An inference error with the operand types appended, so a mismatch shows every shape involved
 * (e.g. "matmul inner dims differ: 3 vs 4 (operands f32[2,3], f32[4,5])"); left as is when the
 * message already names every operand shape.
 */
export function withOperandTypes(message: string, inputs: readonly (TensorType | null)[]): string {
  const present = inputs.filter((t): t is TensorType => t !== null);
  if (present.length === 0) return message;
  const shapes = present.map((t) => (t.shape === null ? null : `[${t.shape.join(',')}]`));
  if (shapes.every((s) => s !== null && message.includes(s))) return message;
  return `${message} (operands ${inputs.map((t) => (t ? formatType(t) : 'none')).join(', ')})`;
}

/**
 * The more specific of two types for one value (`inferred` from inference, `known` from the
 * model or an earlier pass): static dims win over symbols; a known rank wins over an unknown one.
 */
export function refineType(inferred: TensorType, known: TensorType | undefined): TensorType {
  if (!known || known.dtype !== inferred.dtype || known.shape === null) return inferred;
  if (inferred.shape === null) return known;
  if (inferred.shape.length !== known.shape.length) return inferred;
  let changed = false;
  const shape = inferred.shape.map((d, i) => {
    const e = known.shape![i]!;
    if (typeof d !== 'number' && typeof e === 'number') {
      changed = true;
      return e;
    }
    return d;
  });
  return changed ? { dtype: inferred.dtype, shape } : inferred;
}
