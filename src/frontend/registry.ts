import type { OpOptions, GraphBuilder } from '../ir/builder.js';
import type { Attrs, Graph, Value } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';

/** An ONNX node as importers see it: names resolved by the import core, attributes decoded. */
export interface OnnxNodeView {
  readonly opType: string;
  readonly domain: string;
  /** ONNX node name, or `<OpType>#<index>` when the model left it empty. */
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

/** What an op importer may use: typed attribute access, the graph builder, constants, regions. */
export interface ImportContext {
  readonly b: GraphBuilder;
  readonly node: OnnxNodeView;
  /** Opset version of the node's domain in this model. */
  readonly opset: number;
  hasAttr(name: string): boolean;
  attrInt(name: string, dflt?: number): number;
  attrFloat(name: string, dflt?: number): number;
  attrString(name: string, dflt?: string): string;
  attrInts(name: string, dflt?: readonly number[]): number[];
  attrFloats(name: string, dflt?: readonly number[]): number[];
  attrStrings(name: string, dflt?: readonly string[]): string[];
  attrTensor(name: string): Tensor | undefined;
  /**
   * Imports a graph attribute (If branches, Loop/Scan bodies) as an IR region. Outer values stay
   * visible inside. `inputTypes` overrides the subgraph's declared input types where known.
   */
  region(name: string, inputTypes?: readonly (import('../ir/types.js').TensorType | null)[]): Graph;
  /** The constant behind a value, when it is one (initializer, Constant node, folded). */
  constValue(v: Value | null): Tensor | undefined;
  /** Emits an IR op with this node as origin. */
  op(op: string, inputs: readonly (Value | null)[], attrs?: Attrs, opts?: OpOptions): Value[];
  op1(op: string, inputs: readonly (Value | null)[], attrs?: Attrs, opts?: OpOptions): Value;
  /** A constant tensor as a value. */
  constant(t: Tensor): Value;
  /** Throws IreetsError('MODEL_UNSUPPORTED', msg, <this node>). */
  unsupported(msg: string): never;
  /** Throws IreetsError('MODEL_INVALID', msg, <this node>). */
  invalid(msg: string): never;
}

/**
 * Lowers one ONNX node to IR. Receives the node's inputs (null where omitted) and returns one
 * value per ONNX output (null for outputs it does not produce, e.g. Dropout's mask when unused).
 * Branch on `ctx.opset` where op versions differ.
 */
export type OpImporter = (ctx: ImportContext, inputs: readonly (Value | null)[]) => (Value | null)[];

const importers = new Map<string, OpImporter>();

function key(domain: string, opType: string): string {
  return `${domain === 'ai.onnx' ? '' : domain}:${opType}`;
}

export function defineImporter(opType: string, importer: OpImporter, domain = ''): void {
  const k = key(domain, opType);
  if (importers.has(k)) throw new Error(`importer for ${k} defined twice`);
  importers.set(k, importer);
}

export function getImporter(domain: string, opType: string): OpImporter | undefined {
  return importers.get(key(domain, opType));
}

/** Every (domain, op type) with an importer ('' is the default domain): for tests and tools. */
export function registeredOpTypes(): { domain: string; opType: string }[] {
  return [...importers.keys()].map((k) => {
    const at = k.lastIndexOf(':');
    return { domain: k.slice(0, at), opType: k.slice(at + 1) };
  });
}
