// IR ↔ plain values the build cache can store (src/cache/encoding.ts: objects, arrays, typed
// arrays, strings, numbers). Two forms:
//   - a module keeps ids, names and origins, so a partition plan or a schedule made from one
//     copy (by value and node ids) applies to any other copy;
//   - a region body is canonical: no names, no origins, values numbered by position, inlined
//     constants deduplicated by content. Equal bodies ⇔ equal region keys, so a body can key
//     the executable cache across models.
// Serializing never copies tensor bytes and deserializing shares them: treat both as immutable.
import { IreetsError } from '../util/errors.js';
import { hashTensor } from './constant-hash.js';
import type { DType, TensorData } from './dtype.js';
import type { AttrValue, Attrs, ConstantEntry, Graph, IRModule, Node, Value } from './graph.js';
import type { OpKind } from './ops/registry.js';
import type { DispatchRegion } from './partition.js';
import { Tensor } from './tensor.js';
import type { Shape } from './types.js';

export interface SerializedTensor {
  dtype: DType;
  shape: number[];
  data: TensorData;
}

/** Attribute values as stored; a tensor attribute is wrapped so it can't be mistaken for an array. */
export type SerializedAttr = number | string | boolean | number[] | string[] | null | { tensor: SerializedTensor };

export interface SerializedValue {
  id: number;
  name: string;
  dtype: DType;
  shape: (number | string)[] | null;
}

export interface SerializedNode {
  id: number;
  op: string;
  /** Value ids; null for an omitted optional input. */
  inputs: (number | null)[];
  outputs: SerializedValue[];
  attrs: Record<string, SerializedAttr>;
  regions: SerializedGraph[];
  origin?: string;
}

export interface SerializedGraph {
  inputs: SerializedValue[];
  /** Value ids. */
  outputs: number[];
  nodes: SerializedNode[];
}

export interface SerializedConstant extends SerializedTensor {
  hash: string;
}

export interface SerializedModule {
  graph: SerializedGraph;
  /** Constants the graph references (walk order); unreferenced pool entries are dropped. */
  constants: SerializedConstant[];
  inputNames: string[];
  outputNames: string[];
  metadata: Record<string, string>;
}

/** Local value numbers: inputs first, then inlined constants, then node outputs in order. */
export interface SerializedRegion {
  kind: OpKind;
  inputs: { dtype: DType; shape: number[]; batched: boolean }[];
  constants: SerializedTensor[];
  nodes: { op: string; inputs: (number | null)[]; attrs: Record<string, SerializedAttr>; outputs: { dtype: DType; shape: number[] }[] }[];
  output: number;
  batchedOutput: boolean;
}

// ---- tensors and attributes ----

/** The encoder accepts exact typed-array classes only: a Node Buffer is re-viewed as Uint8Array. */
function plainData(d: TensorData): TensorData {
  if (Array.isArray(d)) return d;
  if (d instanceof Uint8Array && d.constructor !== Uint8Array) return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  return d;
}

export function serializeTensor(t: Tensor): SerializedTensor {
  return { dtype: t.dtype, shape: [...t.shape], data: plainData(t.data) };
}

export function deserializeTensor(s: SerializedTensor): Tensor {
  return new Tensor(s.dtype, s.shape, s.data);
}

function serializeAttrs(attrs: Attrs): Record<string, SerializedAttr> {
  const out: Record<string, SerializedAttr> = {};
  for (const k of Object.keys(attrs).sort()) {
    const v: AttrValue | undefined = attrs[k];
    if (v === undefined) continue;
    out[k] = v instanceof Tensor ? { tensor: serializeTensor(v) } : Array.isArray(v) ? [...(v as unknown[])] as number[] | string[] : (v as number | string | boolean | null);
  }
  return out;
}

function deserializeAttrs(attrs: Record<string, SerializedAttr>): Attrs {
  const out: Record<string, AttrValue> = {};
  for (const k of Object.keys(attrs)) {
    const v = attrs[k]!;
    out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) ? deserializeTensor(v.tensor) : v;
  }
  return out;
}

const shapeOf = (s: Shape | null): (number | string)[] | null => (s ? [...s] : null);

// ---- modules ----

function serializeValue(v: Value): SerializedValue {
  return { id: v.id, name: v.name, dtype: v.type.dtype, shape: shapeOf(v.type.shape) };
}

export function serializeModule(mod: IRModule): SerializedModule {
  return serializeModuleWithout(mod, () => false).module;
}

/**
 * serializeModule, less the constants `leaveOut` picks: those are returned as they are, in walk
 * order, never loaded (a caller that keeps weights elsewhere need not have their bytes).
 */
export function serializeModuleWithout(mod: IRModule, leaveOut: (entry: ConstantEntry) => boolean): { module: SerializedModule; leftOut: ConstantEntry[] } {
  const constants: SerializedConstant[] = [];
  const leftOut: ConstantEntry[] = [];
  const seen = new Set<string>();
  const graph = (g: Graph): SerializedGraph => ({
    inputs: g.inputs.map(serializeValue),
    outputs: g.outputs.map((v) => v.id),
    nodes: g.nodes.map((n): SerializedNode => {
      if (n.op === 'constant') {
        const hash = n.attrs['hash'] as string;
        if (!seen.has(hash)) {
          seen.add(hash);
          const entry = mod.constants.get(hash);
          if (!entry) throw new IreetsError('IR_INVALID', `constant ${hash} is missing from the module's pool`, `constant #${n.id}`);
          if (leaveOut(entry)) leftOut.push(entry);
          else constants.push({ hash, ...serializeTensor(entry.load()) });
        }
      }
      const node: SerializedNode = {
        id: n.id,
        op: n.op,
        inputs: n.inputs.map((v) => (v ? v.id : null)),
        outputs: n.outputs.map(serializeValue),
        attrs: serializeAttrs(n.attrs),
        regions: n.regions.map(graph),
      };
      if (n.origin !== undefined) node.origin = n.origin;
      return node;
    }),
  });
  const g = graph(mod.graph);
  return { module: { graph: g, constants, inputNames: [...mod.inputNames], outputNames: [...mod.outputNames], metadata: { ...mod.metadata } }, leftOut };
}

export function deserializeModule(s: SerializedModule): IRModule {
  // Values first (regions may read outer values), then nodes that refer to them by id.
  const values = new Map<number, Value>();
  const define = (sv: SerializedValue): Value => {
    if (values.has(sv.id)) throw new IreetsError('IR_INVALID', `value id ${sv.id} is defined twice`, `%${sv.name}`);
    const v: Value = { id: sv.id, name: sv.name, type: { dtype: sv.dtype, shape: sv.shape } };
    values.set(sv.id, v);
    return v;
  };
  const defineAll = (g: SerializedGraph): void => {
    g.inputs.forEach(define);
    for (const n of g.nodes) {
      n.outputs.forEach(define);
      n.regions.forEach(defineAll);
    }
  };
  defineAll(s.graph);
  const ref = (id: number): Value => {
    const v = values.get(id);
    if (!v) throw new IreetsError('IR_INVALID', `reference to undefined value id ${id}`);
    return v;
  };
  const graph = (g: SerializedGraph): Graph => ({
    inputs: g.inputs.map((v) => ref(v.id)),
    outputs: g.outputs.map(ref),
    nodes: g.nodes.map((n): Node => {
      const node: Node = {
        id: n.id,
        op: n.op,
        inputs: n.inputs.map((id) => (id === null ? null : ref(id))),
        outputs: n.outputs.map((v) => ref(v.id)),
        attrs: deserializeAttrs(n.attrs),
        regions: n.regions.map(graph),
      };
      if (n.origin !== undefined) node.origin = n.origin;
      return node;
    }),
  });
  return { graph: graph(s.graph), constants: deserializeConstants(s.constants), inputNames: [...s.inputNames], outputNames: [...s.outputNames], metadata: { ...s.metadata } };
}

/** A module's constants pool alone (e.g. to write weights without rebuilding the graph). */
export function deserializeConstants(list: readonly SerializedConstant[]): Map<string, ConstantEntry> {
  const constants = new Map<string, ConstantEntry>();
  for (const c of list) {
    let tensor: Tensor | undefined;
    constants.set(c.hash, { hash: c.hash, type: { dtype: c.dtype, shape: c.shape }, load: () => (tensor ??= deserializeTensor(c)) });
  }
  return constants;
}

// ---- regions ----

export function serializeRegion(region: DispatchRegion): SerializedRegion {
  const local = new Map<number, number>();
  region.inputs.forEach((v, i) => local.set(v.id, i));
  // Inlined constants are numbered by first use and shared by content, as the region key sees them.
  const byContent = new Map<string, number>();
  const constants: SerializedTensor[] = [];
  const constantRefs = new Map<number, number>();
  for (const n of region.nodes) {
    for (const v of n.inputs) {
      if (!v || local.has(v.id) || constantRefs.has(v.id)) continue;
      const t = region.inlined.get(v.id);
      if (!t) continue;
      const hash = hashTensor(t);
      let k = byContent.get(hash);
      if (k === undefined) {
        k = region.inputs.length + constants.length;
        byContent.set(hash, k);
        constants.push(serializeTensor(t));
      }
      constantRefs.set(v.id, k);
    }
  }
  for (const [id, k] of constantRefs) local.set(id, k);
  let next = region.inputs.length + constants.length;
  const nodes = region.nodes.map((n) => {
    if (n.regions.length > 0) throw new IreetsError('INTERNAL', 'a dispatch region cannot hold control flow', `${n.op} #${n.id}`);
    const inputs = n.inputs.map((v) => {
      if (!v) return null;
      const k = local.get(v.id);
      if (k === undefined) throw new IreetsError('INTERNAL', `region reads %${v.name}, which it neither computes, binds nor inlines`, `${n.op} #${n.id}`);
      return k;
    });
    const outputs = n.outputs.map((o) => {
      local.set(o.id, next++);
      return { dtype: o.type.dtype, shape: [...(o.type.shape as readonly number[])] };
    });
    return { op: n.op, inputs, attrs: serializeAttrs(n.attrs), outputs };
  });
  const output = local.get(region.output.id);
  if (output === undefined) throw new IreetsError('INTERNAL', `region output %${region.output.name} is not computed inside it`);
  return {
    kind: region.kind,
    inputs: region.inputs.map((v, i) => ({ dtype: v.type.dtype, shape: [...(v.type.shape as readonly number[])], batched: region.batchedInputs[i]! })),
    constants,
    nodes,
    output,
    batchedOutput: region.batchedOutput,
  };
}

/** A self-contained region: fresh values named in0…, c0…, v0…; node ids are positions. */
export function deserializeRegion(s: SerializedRegion): DispatchRegion {
  const values: Value[] = [];
  const inputs = s.inputs.map((t, i) => {
    const v: Value = { id: values.length, name: `in${i}`, type: { dtype: t.dtype, shape: t.shape } };
    values.push(v);
    return v;
  });
  const inlined = new Map<number, Tensor>();
  s.constants.forEach((c, i) => {
    const v: Value = { id: values.length, name: `c${i}`, type: { dtype: c.dtype, shape: c.shape } };
    values.push(v);
    inlined.set(v.id, deserializeTensor(c));
  });
  const ref = (k: number): Value => {
    const v = values[k];
    if (!v) throw new IreetsError('IR_INVALID', `region body refers to value ${k} before defining it`);
    return v;
  };
  const nodes = s.nodes.map((n, i): Node => ({
    id: i,
    op: n.op,
    inputs: n.inputs.map((k) => (k === null ? null : ref(k))),
    outputs: n.outputs.map((t) => {
      const v: Value = { id: values.length, name: `v${values.length}`, type: { dtype: t.dtype, shape: t.shape } };
      values.push(v);
      return v;
    }),
    attrs: deserializeAttrs(n.attrs),
    regions: [],
  }));
  return {
    output: ref(s.output),
    nodes,
    inputs,
    inlined,
    kind: s.kind,
    batchedInputs: s.inputs.map((t) => t.batched),
    batchedOutput: s.batchedOutput,
  };
}
