// The ImportContext handed to op importers: typed attributes, IR emission (folding ops whose
// inputs are all small constants, so shape arithmetic is static for later importers), regions.
import type { GraphBuilder, OpOptions } from '../ir/builder.js';
import { evaluateConstantOp } from '../ir/fold-constants.js';
import type { Attrs, Graph, Value } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import type { TensorType } from '../ir/types.js';
import { IreetsError } from '../util/errors.js';
import type { NodeAttributes } from './attributes.js';
import type { GraphEnv } from './import-graph.js';
import type { GraphProto } from './onnx-proto.js';
import type { ImportContext, OnnxNodeView } from './registry.js';

export interface ImportContextArgs {
  readonly env: GraphEnv;
  readonly node: OnnxNodeView;
  readonly attrs: NodeAttributes;
  readonly opset: number;
  /** `node "name" (OpType)`, for errors. */
  readonly culprit: string;
  /** `attr`: the graph attribute's name, for reports. */
  readonly importRegion: (g: GraphProto, inputTypes: readonly (TensorType | null)[] | undefined, attr: string) => Graph;
}

export function createImportContext(a: ImportContextArgs): ImportContext {
  return new NodeImportContext(a);
}

/** A class, not an object of closures: one is made per node, and its methods are shared. */
class NodeImportContext implements ImportContext {
  readonly b: GraphBuilder;
  readonly node: OnnxNodeView;
  readonly opset: number;
  private readonly attrs: NodeAttributes;
  private readonly culprit: string;

  constructor(private readonly a: ImportContextArgs) {
    this.b = a.env.gb;
    this.node = a.node;
    this.opset = a.opset;
    this.attrs = a.attrs;
    this.culprit = a.culprit;
  }

  op(name: string, inputs: readonly (Value | null)[], opAttrs: Attrs = {}, opts: OpOptions = {}): Value[] {
    const b = this.b;
    const full: OpOptions = { ...opts, origin: this.node.name, culprit: this.culprit };
    if (!opts.regions?.length && !opts.outputTypes && inputs.length > 0) {
      const consts = inputs.map((v) => (v ? b.constValue(v) : null));
      if (consts.every((t) => t !== undefined)) {
        const results = evaluateConstantOp(name, consts as (Tensor | null)[], opAttrs, inputs.map((v) => v?.type ?? null));
        if (results) return results.map((t, i) => b.constant(t, opts.names?.[i] ?? name));
      }
    }
    return b.op(name, inputs, opAttrs, full);
  }

  op1(name: string, inputs: readonly (Value | null)[], opAttrs?: Attrs, opts?: OpOptions): Value {
    return this.op(name, inputs, opAttrs, opts)[0]!;
  }

  hasAttr(n: string): boolean {
    return this.attrs.has(n);
  }

  attrInt(n: string, d?: number): number {
    return this.attrs.int(n, d);
  }

  attrFloat(n: string, d?: number): number {
    return this.attrs.float(n, d);
  }

  attrString(n: string, d?: string): string {
    return this.attrs.string(n, d);
  }

  attrInts(n: string, d?: readonly number[]): number[] {
    return this.attrs.ints(n, d);
  }

  attrFloats(n: string, d?: readonly number[]): number[] {
    return this.attrs.floats(n, d);
  }

  attrStrings(n: string, d?: readonly string[]): string[] {
    return this.attrs.strings(n, d);
  }

  attrTensor(n: string): Tensor | undefined {
    return this.attrs.tensor(n);
  }

  region(n: string, inputTypes?: readonly (TensorType | null)[]): Graph {
    return this.a.importRegion(this.attrs.graph(n), inputTypes, n);
  }

  constValue(v: Value | null): Tensor | undefined {
    return this.b.constValue(v);
  }

  constant(t: Tensor): Value {
    return this.b.constant(t);
  }

  unsupported(msg: string): never {
    throw new IreetsError('MODEL_UNSUPPORTED', msg, this.culprit);
  }

  invalid(msg: string): never {
    throw new IreetsError('MODEL_INVALID', msg, this.culprit);
  }
}
