import type { Tensor } from './tensor.js';
import type { TensorType } from './types.js';

/** An SSA value: produced by exactly one node (or a graph input), read by any number of nodes. */
export interface Value {
  readonly id: number;
  /** Display name; unique within a module. ONNX tensor names are kept where they exist. */
  name: string;
  type: TensorType;
}

/** Attribute values. Tensors appear only on small attributes (e.g. a `value` of constant_of_shape). */
export type AttrValue = number | string | boolean | readonly number[] | readonly string[] | Tensor | null;
export type Attrs = Readonly<Record<string, AttrValue>>;

export interface Node {
  readonly id: number;
  /** IR op name, e.g. `add`, `matmul`, `reduce_sum`; see src/ir/ops. */
  readonly op: string;
  /** Inputs in positional order; `null` stands for an omitted optional input. */
  inputs: (Value | null)[];
  outputs: Value[];
  attrs: Attrs;
  /** Nested graphs of control flow (`if`: then, else; `loop`: body). They may read outer values. */
  regions: Graph[];
  /** Name of the ONNX node this came from, for error messages and --explain. */
  origin?: string;
}

export interface Graph {
  inputs: Value[];
  outputs: Value[];
  nodes: Node[];
}

/** A constant referenced by content hash; the bytes load on demand (external data stays on disk until needed). */
export interface ConstantEntry {
  readonly hash: string;
  readonly type: TensorType;
  load(): Tensor;
}

/** A whole model in tensor IR: the main graph, its constants pool and ONNX metadata. */
export interface IRModule {
  graph: Graph;
  constants: Map<string, ConstantEntry>;
  /** Public names of the graph's inputs/outputs, in order (the ONNX names). */
  inputNames: string[];
  outputNames: string[];
  /** Where it came from (path), ONNX producer, opset: shown in dumps. */
  metadata: Record<string, string>;
}

/** Iterates all nodes of a graph and its nested regions, outer before inner. */
export function* walkNodes(g: Graph): Generator<Node> {
  for (const n of g.nodes) {
    yield n;
    for (const r of n.regions) yield* walkNodes(r);
  }
}

export function describeNode(n: Node): string {
  return n.origin ? `node "${n.origin}" (${n.op})` : `${n.op} #${n.id}`;
}
