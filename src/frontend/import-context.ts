// The ImportContext handed to op importers: typed attributes, IR emission (folding ops whose
// inputs are all small constants, so shape arithmetic is static for later importers), regions.
import type { OpOptions } from '../ir/builder.js';
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
  const { env, attrs, culprit } = a;
  const b = env.gb;
  const op = (name: string, inputs: readonly (Value | null)[], opAttrs: Attrs = {}, opts: OpOptions = {}): Value[] => {
    const full: OpOptions = { ...opts, origin: a.node.name, culprit };
    if (!opts.regions?.length && !opts.outputTypes && inputs.length > 0) {
      const consts = inputs.map((v) => (v ? b.constValue(v) : null));
      if (consts.every((t) => t !== undefined)) {
        const results = evaluateConstantOp(name, consts as (Tensor | null)[], opAttrs, inputs.map((v) => v?.type ?? null));
        if (results) return results.map((t, i) => b.constant(t, opts.names?.[i] ?? name));
      }
    }
    return b.op(name, inputs, opAttrs, full);
  };
  return {
    b,
    node: a.node,
    opset: a.opset,
    hasAttr: (n) => attrs.has(n),
    attrInt: (n, d) => attrs.int(n, d),
    attrFloat: (n, d) => attrs.float(n, d),
    attrString: (n, d) => attrs.string(n, d),
    attrInts: (n, d) => attrs.ints(n, d),
    attrFloats: (n, d) => attrs.floats(n, d),
    attrStrings: (n, d) => attrs.strings(n, d),
    attrTensor: (n) => attrs.tensor(n),
    region: (n, inputTypes) => a.importRegion(attrs.graph(n), inputTypes, n),
    constValue: (v) => b.constValue(v),
    op,
    op1: (name, inputs, opAttrs, opts) => op(name, inputs, opAttrs, opts)[0]!,
    constant: (t) => b.constant(t),
    unsupported: (msg) => {
      throw new IreetsError('MODEL_UNSUPPORTED', msg, culprit);
    },
    invalid: (msg) => {
      throw new IreetsError('MODEL_INVALID', msg, culprit);
    },
  };
}
