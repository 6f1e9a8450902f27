// Typed access to an ONNX node's attributes, with errors that name the node.
import type { Tensor } from '../ir/tensor.js';
import { IreetsError } from '../util/errors.js';
import { longToNumber, type AttributeProto, type GraphProto, type LongLike, type SparseTensorProto, type TensorProto } from './onnx-proto.js';
import { decodeSparseTensorProto } from './sparse-tensor.js';
import { decodeTensorProto } from './tensor-proto.js';

/** AttributeProto.AttributeType codes. */
export const AttrType = {
  FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8,
  TENSORS: 9, GRAPHS: 10, SPARSE_TENSOR: 11, SPARSE_TENSORS: 12, TYPE_PROTO: 13, TYPE_PROTOS: 14,
} as const;

const TYPE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(AttrType).map(([k, v]) => [v, k]));

/** The attribute's type; old models may leave `type` unset, then the filled field tells. */
export function attributeType(a: AttributeProto): number {
  if (a.type) return a.type;
  if (a.g) return AttrType.GRAPH;
  if (a.t) return AttrType.TENSOR;
  if (a.sparseTensor) return AttrType.SPARSE_TENSOR;
  if (a.floats && a.floats.length) return AttrType.FLOATS;
  if (a.ints && a.ints.length) return AttrType.INTS;
  if (a.strings && a.strings.length) return AttrType.STRINGS;
  if (a.graphs && a.graphs.length) return AttrType.GRAPHS;
  if (a.tensors && a.tensors.length) return AttrType.TENSORS;
  if (a.s && a.s.length) return AttrType.STRING;
  if (a.f) return AttrType.FLOAT;
  return AttrType.INT;
}

export class NodeAttributes {
  private readonly byName = new Map<string, AttributeProto>();

  constructor(
    attrs: readonly AttributeProto[],
    private readonly culprit: string,
    private readonly baseDir: string,
    private readonly externalFiles?: ReadonlyMap<string, Uint8Array>,
  ) {
    for (const a of attrs) this.byName.set(a.name ?? '', a);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  proto(name: string): AttributeProto | undefined {
    return this.byName.get(name);
  }

  int(name: string, dflt?: number): number {
    const a = this.get(name, AttrType.INT, dflt);
    return a === undefined ? dflt! : longToNumber(a.i as LongLike);
  }

  float(name: string, dflt?: number): number {
    const a = this.byName.get(name);
    // Some exporters write float attributes as ints (e.g. alpha=1); accept both.
    if (a && attributeType(a) === AttrType.INT) return longToNumber(a.i as LongLike);
    const b = this.get(name, AttrType.FLOAT, dflt);
    return b === undefined ? dflt! : (b.f ?? 0);
  }

  string(name: string, dflt?: string): string {
    const a = this.get(name, AttrType.STRING, dflt);
    return a === undefined ? dflt! : new TextDecoder().decode(a.s ?? new Uint8Array());
  }

  ints(name: string, dflt?: readonly number[]): number[] {
    const a = this.get(name, AttrType.INTS, dflt);
    return a === undefined ? [...dflt!] : (a.ints ?? []).map((v) => longToNumber(v as LongLike));
  }

  floats(name: string, dflt?: readonly number[]): number[] {
    const a = this.byName.get(name);
    if (a && attributeType(a) === AttrType.INTS) return (a.ints ?? []).map((v) => longToNumber(v as LongLike));
    const b = this.get(name, AttrType.FLOATS, dflt);
    return b === undefined ? [...dflt!] : [...(b.floats ?? [])];
  }

  strings(name: string, dflt?: readonly string[]): string[] {
    const a = this.get(name, AttrType.STRINGS, dflt);
    const dec = new TextDecoder();
    return a === undefined ? [...dflt!] : (a.strings ?? []).map((s) => dec.decode(s));
  }

  tensor(name: string): Tensor | undefined {
    const a = this.byName.get(name);
    if (!a) return undefined;
    const t = attributeType(a);
    if (t === AttrType.TENSOR) return this.decodeTensor(a.t ?? {});
    if (t === AttrType.SPARSE_TENSOR) return this.decodeSparse(a.sparseTensor ?? {});
    throw this.wrongType(name, a, 'TENSOR');
  }

  graph(name: string): GraphProto {
    const a = this.byName.get(name);
    if (!a) throw new IreetsError('MODEL_INVALID', `missing graph attribute "${name}"`, this.culprit);
    if (attributeType(a) !== AttrType.GRAPH || !a.g) throw this.wrongType(name, a, 'GRAPH');
    return a.g;
  }

  private decodeTensor(t: TensorProto): Tensor {
    return decodeTensorProto(t, { baseDir: this.baseDir, externalFiles: this.externalFiles, culprit: this.culprit });
  }

  private decodeSparse(t: SparseTensorProto): Tensor {
    return decodeSparseTensorProto(t, { baseDir: this.baseDir, externalFiles: this.externalFiles, culprit: this.culprit });
  }

  private get(name: string, type: number, dflt: unknown): AttributeProto | undefined {
    const a = this.byName.get(name);
    if (!a) {
      if (dflt === undefined) throw new IreetsError('MODEL_INVALID', `missing attribute "${name}"`, this.culprit);
      return undefined;
    }
    if (attributeType(a) !== type) throw this.wrongType(name, a, TYPE_NAMES[type]!);
    return a;
  }

  private wrongType(name: string, a: AttributeProto, want: string): IreetsError {
    const got = TYPE_NAMES[attributeType(a)] ?? `type ${attributeType(a)}`;
    return new IreetsError('MODEL_INVALID', `attribute "${name}" is ${got}, expected ${want}`, this.culprit);
  }
}
