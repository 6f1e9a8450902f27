// Builds ONNX models programmatically and encodes them (tests, fixtures, model edits).
import type { DType } from '../ir/dtype.js';
import { Tensor } from '../ir/tensor.js';
import { AttrType } from './attributes.js';
import { onnxCodeOfDType } from './dtype-codes.js';
import { onnx, type AttributeProto, type FunctionProto, type GraphProto, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto } from './onnx-proto.js';
import { encodeTensorProto, encodeTensorProtoTyped } from './tensor-proto.js';

/** A graph input/output/value_info: dims are numbers, symbol names, or null for unknown. */
export interface OnnxValueSpec {
  name: string;
  /** Omitted: the value has no declared type (allowed for outputs and subgraph inputs). */
  dtype?: DType;
  /** Omitted or null: unknown rank. */
  shape?: readonly (number | string | null)[] | null;
}

/** Forces a float attribute where a plain integer number would be written as INT. */
export interface FloatAttr { readonly float: number }
export interface FloatsAttr { readonly floats: readonly number[] }

/**
 * Attribute values: integers → INT, other numbers → FLOAT, number[] → INTS if all integers else
 * FLOATS, string → STRING, string[] → STRINGS, Tensor → TENSOR, a graph spec → GRAPH;
 * `{float}` / `{floats}` force float types; `{ref}` refers to a calling function's attribute.
 */
export type OnnxAttrValue =
  | number | string | readonly number[] | readonly string[] | Tensor | OnnxGraphSpec
  | FloatAttr | FloatsAttr | { readonly ref: string; readonly type: 'int' | 'float' | 'ints' | 'floats' | 'string' | 'tensor' };

export interface OnnxNodeSpec {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  domain?: string;
  attrs?: Readonly<Record<string, OnnxAttrValue>>;
}

export interface OnnxInitializerSpec {
  name: string;
  tensor: Tensor;
  /** Store the bytes outside the model: the caller writes `externalBytes(tensor)` at that place. */
  external?: { location: string; offset?: number };
  /** Use the typed *_data fields instead of raw_data. */
  typedFields?: boolean;
}

export interface OnnxGraphSpec {
  name?: string;
  nodes: readonly OnnxNodeSpec[];
  inputs: readonly OnnxValueSpec[];
  outputs: readonly OnnxValueSpec[];
  initializers?: readonly OnnxInitializerSpec[];
  valueInfo?: readonly OnnxValueSpec[];
}

export interface OnnxFunctionSpec {
  name: string;
  domain: string;
  inputs: readonly string[];
  outputs: readonly string[];
  /** Names of the attributes the function takes. */
  attributes?: readonly string[];
  nodes: readonly OnnxNodeSpec[];
  opsets?: readonly { domain: string; version: number }[];
}

export interface OnnxModelSpec {
  graph: OnnxGraphSpec;
  /** Default-domain opset (default 17). */
  opset?: number;
  /** Further opset imports, e.g. a local functions' domain. */
  extraOpsets?: readonly { domain: string; version: number }[];
  irVersion?: number;
  producer?: string;
  functions?: readonly OnnxFunctionSpec[];
}

/** Builds and encodes a model. */
export function writeOnnxModel(spec: OnnxModelSpec): Uint8Array {
  return encodeModelProto(buildModelProto(spec));
}

/** Encodes a (possibly edited) ModelProto. */
export function encodeModelProto(model: ModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

export function buildModelProto(spec: OnnxModelSpec): ModelProto {
  return {
    irVersion: spec.irVersion ?? 8,
    producerName: spec.producer ?? 'ireets',
    opsetImport: [{ domain: '', version: spec.opset ?? 17 }, ...(spec.extraOpsets ?? [])],
    graph: buildGraphProto(spec.graph),
    functions: (spec.functions ?? []).map(buildFunctionProto),
  };
}

export function buildGraphProto(g: OnnxGraphSpec): GraphProto {
  return {
    name: g.name ?? 'graph',
    node: g.nodes.map(buildNodeProto),
    input: g.inputs.map(buildValueInfo),
    output: g.outputs.map(buildValueInfo),
    valueInfo: (g.valueInfo ?? []).map(buildValueInfo),
    initializer: (g.initializers ?? []).map(buildInitializer),
  };
}

export function buildValueInfo(v: OnnxValueSpec): ValueInfoProto {
  if (!v.dtype) return { name: v.name };
  const tensorType: NonNullable<NonNullable<ValueInfoProto['type']>['tensorType']> = { elemType: onnxCodeOfDType(v.dtype) };
  if (v.shape) {
    tensorType.shape = {
      dim: v.shape.map((d) => (d === null ? {} : typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
    };
  }
  return { name: v.name, type: { tensorType } };
}

function buildInitializer(i: OnnxInitializerSpec): TensorProto {
  if (i.external) return externalTensorProto(i.name, i.tensor, i.external.location, i.external.offset ?? 0);
  return i.typedFields ? encodeTensorProtoTyped(i.tensor, i.name) : encodeTensorProto(i.tensor, i.name);
}

/** A TensorProto whose bytes live in `location` (relative to the model) at `offset`. */
export function externalTensorProto(name: string, t: Tensor, location: string, offset = 0): TensorProto {
  const bytes = externalBytes(t);
  return {
    name,
    dataType: onnxCodeOfDType(t.dtype),
    dims: [...t.shape],
    dataLocation: 1,
    externalData: [
      { key: 'location', value: location },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(bytes.length) },
    ],
  };
}

/** The little-endian element bytes of a tensor, as external data files hold them. */
export function externalBytes(t: Tensor): Uint8Array {
  const d = t.data as ArrayBufferView;
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength).slice();
}

export function buildNodeProto(n: OnnxNodeSpec, index = 0): NodeProto {
  return {
    opType: n.op,
    name: n.name ?? `${n.op}_${index}`,
    domain: n.domain ?? '',
    input: [...n.inputs],
    output: [...n.outputs],
    attribute: Object.entries(n.attrs ?? {}).map(([name, v]) => buildAttribute(name, v)),
  };
}

function buildFunctionProto(f: OnnxFunctionSpec): FunctionProto {
  return {
    name: f.name,
    domain: f.domain,
    input: [...f.inputs],
    output: [...f.outputs],
    attribute: [...(f.attributes ?? [])],
    node: f.nodes.map(buildNodeProto),
    opsetImport: [...(f.opsets ?? [{ domain: '', version: 17 }])],
  };
}

const REF_TYPES = { int: AttrType.INT, float: AttrType.FLOAT, ints: AttrType.INTS, floats: AttrType.FLOATS, string: AttrType.STRING, tensor: AttrType.TENSOR } as const;

function buildAttribute(name: string, v: OnnxAttrValue): AttributeProto {
  if (typeof v === 'number') {
    return Number.isInteger(v) ? { name, type: AttrType.INT, i: v } : { name, type: AttrType.FLOAT, f: v };
  }
  if (typeof v === 'string') return { name, type: AttrType.STRING, s: new TextEncoder().encode(v) };
  if (v instanceof Tensor) return { name, type: AttrType.TENSOR, t: encodeTensorProto(v, name) };
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) {
      return { name, type: AttrType.STRINGS, strings: (v as string[]).map((s) => new TextEncoder().encode(s)) };
    }
    const nums = v as number[];
    return nums.every(Number.isInteger) ? { name, type: AttrType.INTS, ints: [...nums] } : { name, type: AttrType.FLOATS, floats: [...nums] };
  }
  const o = v as Exclude<OnnxAttrValue, number | string | readonly number[] | readonly string[] | Tensor>;
  if ('float' in o) return { name, type: AttrType.FLOAT, f: o.float };
  if ('floats' in o) return { name, type: AttrType.FLOATS, floats: [...o.floats] };
  if ('ref' in o) return { name, type: REF_TYPES[o.type], refAttrName: o.ref };
  return { name, type: AttrType.GRAPH, g: buildGraphProto(o) };
}
