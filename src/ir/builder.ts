import { IreetsError } from '../util/errors.js';
import { hashTensor } from './constant-hash.js';
import type { Attrs, ConstantEntry, Graph, IRModule, Node, Value } from './graph.js';
import { getOpDef } from './ops/registry.js';
import { withOperandTypes } from './infer-shapes.js';
import type { Tensor } from './tensor.js';
import type { TensorType } from './types.js';

/** Shared state of one module under construction: id counters, unique names, the constants pool. */
export class ModuleBuilder {
  private nextValueId = 0;
  private nextNodeId = 0;
  private readonly usedNames = new Set<string>();
  /** Per base name, the suffix uniqueName tries first. */
  private readonly nextSuffix = new Map<string, number>();
  readonly constants = new Map<string, ConstantEntry>();
  /** Constant values by value id, so importers and inference can see through `constant` nodes. */
  readonly constValues = new Map<number, Tensor>();

  newValue(name: string, type: TensorType): Value {
    return { id: this.nextValueId++, name: this.uniqueName(name), type };
  }

  newNodeId(): number {
    return this.nextNodeId++;
  }

  uniqueName(base: string): string {
    const clean = base.length > 0 ? base : 'v';
    if (!this.usedNames.has(clean)) {
      this.usedNames.add(clean);
      return clean;
    }
    // The smallest free suffix. Names are never released, so every suffix below the one found
    // last time is still taken: the search resumes there (hundreds of `add`s stay linear).
    for (let i = this.nextSuffix.get(clean) ?? 1; ; i++) {
      const n = `${clean}_${i}`;
      if (!this.usedNames.has(n)) {
        this.usedNames.add(n);
        this.nextSuffix.set(clean, i + 1);
        return n;
      }
    }
  }

  graph(): GraphBuilder {
    return new GraphBuilder(this);
  }

  finish(graph: Graph, inputNames: string[], outputNames: string[], metadata: Record<string, string>): IRModule {
    return { graph, constants: this.constants, inputNames, outputNames, metadata };
  }
}

export interface OpOptions {
  /** Number of results when the op has several (split, top_k, loop). Default 1. */
  numOutputs?: number;
  regions?: Graph[];
  /** ONNX node name, kept for errors and explain output. */
  origin?: string;
  /** Named in errors instead of `node "<origin>" (<op>)`, e.g. with the ONNX op type. */
  culprit?: string;
  /** Preferred names for the results (ONNX tensor names). */
  names?: readonly string[];
  /** Output types, when the caller knows better than inference (e.g. ONNX value_info). */
  outputTypes?: readonly TensorType[];
}

/** Appends nodes to one graph (the main graph or a region), inferring result types as it goes. */
export class GraphBuilder {
  readonly mod: ModuleBuilder;
  readonly inputs: Value[] = [];
  readonly nodes: Node[] = [];

  constructor(mod: ModuleBuilder) {
    this.mod = mod;
  }

  input(name: string, type: TensorType): Value {
    const v = this.mod.newValue(name, type);
    this.inputs.push(v);
    return v;
  }

  /** A constant from a tensor in memory; identical tensors share one pool entry. */
  constant(t: Tensor, name = 'cst'): Value {
    const hash = hashTensor(t);
    if (!this.mod.constants.has(hash)) {
      this.mod.constants.set(hash, { hash, type: { dtype: t.dtype, shape: t.shape }, load: () => t });
    }
    return this.constantRef(hash, name, t);
  }

  /** A constant whose bytes load later (external data); `hash` must be its content hash. */
  lazyConstant(entry: ConstantEntry, name = 'cst'): Value {
    if (!this.mod.constants.has(entry.hash)) this.mod.constants.set(entry.hash, entry);
    return this.constantRef(entry.hash, name, undefined);
  }

  private constantRef(hash: string, name: string, value: Tensor | undefined): Value {
    const entry = this.mod.constants.get(hash)!;
    const v = this.mod.newValue(name, entry.type);
    this.nodes.push({ id: this.mod.newNodeId(), op: 'constant', inputs: [], outputs: [v], attrs: { hash }, regions: [] });
    if (value) this.mod.constValues.set(v.id, value);
    return v;
  }

  /** The tensor behind a value if it is a constant already in memory. */
  constValue(v: Value | null): Tensor | undefined {
    return v ? this.mod.constValues.get(v.id) : undefined;
  }

  op(op: string, inputs: readonly (Value | null)[], attrs: Attrs = {}, opts: OpOptions = {}): Value[] {
    const def = getOpDef(op);
    if (!def) throw new IreetsError('INTERNAL', `IR op "${op}" is not defined`, opts.origin);
    const regions = opts.regions ?? [];
    let types: readonly TensorType[];
    if (opts.outputTypes) {
      types = opts.outputTypes;
    } else {
      try {
        types = def.infer({
          inputs: inputs.map((v) => v?.type ?? null),
          attrs,
          consts: inputs.map((v) => this.constValue(v)),
          regions,
        });
      } catch (e) {
        const where = opts.culprit ?? (opts.origin ? `node "${opts.origin}" (${op})` : `op ${op}`);
        const message = withOperandTypes((e as Error).message, inputs.map((v) => v?.type ?? null));
        throw new IreetsError('MODEL_INVALID', message, where, { cause: e });
      }
    }
    const n = opts.numOutputs ?? types.length;
    const outputs: Value[] = [];
    for (let i = 0; i < n; i++) {
      const type = types[i] ?? { dtype: types[0]?.dtype ?? 'f32', shape: null };
      outputs.push(this.mod.newValue(opts.names?.[i] ?? op, type));
    }
    this.nodes.push({ id: this.mod.newNodeId(), op, inputs: [...inputs], outputs, attrs, regions, origin: opts.origin });
    return outputs;
  }

  /** `op` for single-result ops. */
  op1(op: string, inputs: readonly (Value | null)[], attrs: Attrs = {}, opts: OpOptions = {}): Value {
    return this.op(op, inputs, attrs, opts)[0]!;
  }

  finish(outputs: Value[]): Graph {
    return { inputs: this.inputs, outputs, nodes: this.nodes };
  }
}
