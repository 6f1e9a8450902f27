// The protobuf wire format of ONNX models as an editable tree, for the import fuzzer: mutations
// can edit one field deep inside a model and re-frame every enclosing length, so the damage stays
// local instead of making the whole file unparseable.

/** Message types of ONNX's length-delimited fields that are themselves messages (onnx.proto numbers). */
const SCHEMA: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  ModelProto: { 7: 'GraphProto', 8: 'OperatorSetIdProto', 14: 'StringStringEntryProto', 25: 'FunctionProto' },
  GraphProto: { 1: 'NodeProto', 5: 'TensorProto', 11: 'ValueInfoProto', 12: 'ValueInfoProto', 13: 'ValueInfoProto', 15: 'SparseTensorProto' },
  NodeProto: { 5: 'AttributeProto' },
  AttributeProto: { 5: 'TensorProto', 6: 'GraphProto', 10: 'TensorProto', 11: 'GraphProto', 14: 'TypeProto', 15: 'TypeProto', 22: 'SparseTensorProto', 23: 'SparseTensorProto' },
  ValueInfoProto: { 2: 'TypeProto' },
  TypeProto: { 1: 'TypeTensor', 4: 'TypeElement', 5: 'TypeMap', 8: 'TypeTensor', 9: 'TypeElement' },
  TypeTensor: { 2: 'TensorShapeProto' },
  TypeElement: { 1: 'TypeProto' },
  TypeMap: { 2: 'TypeProto' },
  TensorShapeProto: { 1: 'Dimension' },
  Dimension: {},
  TensorProto: { 13: 'StringStringEntryProto' },
  SparseTensorProto: { 1: 'TensorProto', 2: 'TensorProto' },
  FunctionProto: { 7: 'NodeProto', 9: 'OperatorSetIdProto' },
  OperatorSetIdProto: {},
  StringStringEntryProto: {},
};

export const WIRE = { VARINT: 0, FIXED64: 1, BYTES: 2, FIXED32: 5 } as const;

/** One field occurrence. `children` is set for submessages; `raw` replaces the whole encoding. */
export interface WireField {
  field: number;
  wire: number;
  /** The message type this field belongs to. */
  owner: string;
  /** Varint: the value's bytes; fixed: its 4/8 bytes; bytes: the payload. */
  data: Uint8Array;
  /** Set for submessages (then `data` is ignored when encoding). */
  children?: WireField[];
  /** The message type of `children`. */
  type?: string;
  /** Bytes written verbatim instead of this field (a mutation broke its framing). */
  raw?: Uint8Array;
}

export class WireError extends Error {}

function readVarint(b: Uint8Array, at: number): [bigint, number] {
  let v = 0n;
  for (let shift = 0n, i = at; i < b.length && shift < 70n; i++, shift += 7n) {
    v |= BigInt(b[i]! & 0x7f) << shift;
    if ((b[i]! & 0x80) === 0) return [v, i + 1];
  }
  throw new WireError(`bad varint at ${at}`);
}

/** Parses the fields of a message of type `type` (ModelProto at the top). */
export function parseMessage(b: Uint8Array, type = 'ModelProto'): WireField[] {
  const out: WireField[] = [];
  let at = 0;
  while (at < b.length) {
    const [tag, afterTag] = readVarint(b, at);
    const field = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    let end: number;
    let dataStart = afterTag;
    if (wire === WIRE.VARINT) end = readVarint(b, afterTag)[1];
    else if (wire === WIRE.FIXED64) end = afterTag + 8;
    else if (wire === WIRE.FIXED32) end = afterTag + 4;
    else if (wire === WIRE.BYTES) {
      const [len, afterLen] = readVarint(b, afterTag);
      dataStart = afterLen;
      end = afterLen + Number(len);
    } else throw new WireError(`wire type ${wire} at ${at}`);
    if (end > b.length || field === 0) throw new WireError(`field at ${at} overruns the message`);
    const f: WireField = { field, wire, owner: type, data: b.subarray(dataStart, end) };
    const sub = SCHEMA[type]?.[field];
    if (sub && wire === WIRE.BYTES) {
      f.type = sub;
      f.children = parseMessage(f.data, sub);
    }
    out.push(f);
    at = end;
  }
  return out;
}

export function encodeVarint(v: bigint): number[] {
  let x = BigInt.asUintN(64, v);
  const out: number[] = [];
  do {
    const byte = Number(x & 0x7fn);
    x >>= 7n;
    out.push(x > 0n ? byte | 0x80 : byte);
  } while (x > 0n);
  return out;
}

/** The bytes of one field (tag, length, payload). */
export function encodeField(f: WireField): Uint8Array {
  if (f.raw) return f.raw;
  const payload = f.children ? encodeMessage(f.children) : f.data;
  const head = encodeVarint(BigInt(f.field * 8 + f.wire));
  if (f.wire === WIRE.BYTES) head.push(...encodeVarint(BigInt(payload.length)));
  const out = new Uint8Array(head.length + payload.length);
  out.set(head);
  out.set(payload, head.length);
  return out;
}

export function encodeMessage(fields: readonly WireField[]): Uint8Array {
  const parts = fields.map(encodeField);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A field together with the list holding it, so mutations can replace, drop or insert. */
export interface FieldSlot {
  readonly list: WireField[];
  readonly index: number;
  readonly f: WireField;
}

/** Every field of the tree, depth first. */
export function allFields(fields: WireField[], out: FieldSlot[] = []): FieldSlot[] {
  fields.forEach((f, index) => {
    out.push({ list: fields, index, f });
    if (f.children) allFields(f.children, out);
  });
  return out;
}

/** Every message's field list (the top level included), with its type: places to insert into. */
export function allMessages(fields: WireField[], type = 'ModelProto', out: { list: WireField[]; type: string }[] = []): { list: WireField[]; type: string }[] {
  out.push({ list: fields, type });
  for (const f of fields) if (f.children) allMessages(f.children, f.type!, out);
  return out;
}

/** A deep copy (payload bytes shared: mutations replace them, never write into them). */
export function cloneFields(fields: readonly WireField[]): WireField[] {
  return fields.map((f) => ({ ...f, children: f.children ? cloneFields(f.children) : undefined }));
}
