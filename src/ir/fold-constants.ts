// Constant folding with the reference kernels: a node whose inputs are all constants and whose
// results are small becomes `constant` nodes, so shape arithmetic (Shape→Gather→Concat→Reshape)
// collapses wherever shapes are static.
import { walkNodes, type Attrs, type Graph, type IRModule, type Node, type Value } from './graph.js';
import { getKernel } from './interpret/registry.js';
import { shapeRange } from './ops/core.js';
import { getOpDef } from './ops/registry.js';
import { hashTensor } from './constant-hash.js';
import { Tensor } from './tensor.js';
import { isStaticShape, staticSize, type TensorType } from './types.js';
import { removeDeadNodes } from './dead-nodes.js';
import './ops/index.js';
import './interpret/kernels/index.js';

/** Results with more elements than this stay computed at run time (keeps modules small). */
export const FOLD_MAX_ELEMENTS = 65_536;

/** Ops never folded: control flow, ops with side effects or randomness, and the opaque specials. */
export function isFoldableOp(op: string): boolean {
  const def = getOpDef(op);
  if (!def || def.kind === 'control' || def.kind === 'special' || def.kind === 'constant') return false;
  return !/random|bernoulli|multinomial/.test(op);
}

/**
 * Evaluates `op` on constant inputs when that is allowed and cheap; undefined when it is not
 * (unknown op, not foldable, a result too large, or the kernel refuses the inputs — the caller
 * then emits the op normally, and inference reports any error with the node as culprit).
 */
export function evaluateConstantOp(
  op: string,
  inputs: readonly (Tensor | null)[],
  attrs: Attrs,
  inputTypes?: readonly (TensorType | null)[],
): Tensor[] | undefined {
  if (!isFoldableOp(op)) return undefined;
  const def = getOpDef(op)!;
  const kernel = getKernel(op);
  if (!kernel) return undefined;
  let types: TensorType[];
  try {
    types = def.infer({
      inputs: inputTypes ?? inputs.map((t) => (t ? { dtype: t.dtype, shape: t.shape } : null)),
      attrs,
      consts: inputs.map((t) => t ?? undefined),
      regions: [],
    });
  } catch {
    return undefined;
  }
  // Inference bounds the work when it knows the result shapes; unknown shapes are checked after.
  for (const t of types) if (isStaticShape(t.shape) && staticSize(t.shape) > FOLD_MAX_ELEMENTS) return undefined;
  let results: Tensor[];
  try {
    results = kernel(inputs, attrs, {
      node: { id: -1, op, inputs: [], outputs: [], attrs, regions: [] },
      runRegion: () => {
        throw new Error('folding does not run regions');
      },
    });
  } catch {
    return undefined;
  }
  if (results.length < types.length || results.some((t) => !(t instanceof Tensor) || t.size > FOLD_MAX_ELEMENTS)) return undefined;
  return results;
}

/**
 * Folds every foldable node of the module (regions included) whose inputs are constants, then
 * removes nodes nothing reads. Mutates `mod`; returns how many nodes were folded.
 */
export function foldConstants(mod: IRModule): number {
  const known = new Map<number, Tensor>();
  let maxId = 0;
  for (const n of walkNodes(mod.graph)) maxId = Math.max(maxId, n.id);
  const ids = { next: maxId + 1 };
  const folded = foldGraph(mod, mod.graph, known, ids);
  removeDeadNodes(mod);
  return folded;
}

function foldGraph(mod: IRModule, g: Graph, known: Map<number, Tensor>, ids: { next: number }): number {
  let folded = 0;
  const out: Node[] = [];
  for (const node of g.nodes) {
    if (node.op === 'constant') {
      const entry = mod.constants.get(node.attrs['hash'] as string);
      // Only constants small enough to fold with are loaded (external weights stay on disk).
      if (entry && isStaticShape(entry.type.shape) && staticSize(entry.type.shape) <= FOLD_MAX_ELEMENTS) {
        known.set(node.outputs[0]!.id, entry.load());
      }
      out.push(node);
      continue;
    }
    for (const r of node.regions) folded += foldGraph(mod, r, known, ids);
    const args = node.inputs.map((v) => (v ? known.get(v.id) : null));
    const foldable = node.regions.length === 0 && node.inputs.length > 0 && args.every((t) => t !== undefined);
    const results = foldable
      ? evaluateConstantOp(node.op, args as (Tensor | null)[], node.attrs, node.inputs.map((v) => v?.type ?? null))
      : foldShapeQuery(node);
    if (!results) {
      out.push(node);
      continue;
    }
    folded++;
    node.outputs.forEach((v, i) => {
      const t = results[i]!;
      out.push(constantNode(mod, v, t, node, ids.next++));
      known.set(v.id, t);
    });
  }
  g.nodes = out;
  return folded;
}

/** A `constant` node that defines `v` (keeping its id and name) as tensor `t`. */
function constantNode(mod: IRModule, v: Value, t: Tensor, from: Node, id: number): Node {
  const hash = hashTensor(t);
  if (!mod.constants.has(hash)) mod.constants.set(hash, { hash, type: { dtype: t.dtype, shape: t.shape }, load: () => t });
  v.type = { dtype: t.dtype, shape: t.shape };
  return { id, op: 'constant', inputs: [], outputs: [v], attrs: { hash }, regions: [], origin: from.origin };
}

/** `shape` and `size` of a statically shaped value are constants even when the value is not. */
function foldShapeQuery(node: Node): Tensor[] | undefined {
  if (node.op !== 'shape' && node.op !== 'size') return undefined;
  const shape = node.inputs[0]?.type.shape ?? null;
  if (!isStaticShape(shape)) return undefined;
  if (node.op === 'size') return [Tensor.fromBigInts('i64', [], [BigInt(staticSize(shape))])];
  const [s, e] = shapeRange(shape.length, Number(node.attrs['start'] ?? 0), (node.attrs['end'] ?? null) as number | null);
  return [Tensor.fromBigInts('i64', [e - s], shape.slice(s, e).map(BigInt))];
}
