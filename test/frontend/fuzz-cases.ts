// Seeded mutations of ONNX models for the import fuzzer. A case is a seed: it picks a model from
// the pool and 1–3 mutations (bit flips, truncations, fields spliced from another place or model,
// odd integers, dropped/duplicated fields, edits of decoded nodes), so any failure is reproduced
// from its seed alone (`node --import tsx test/frontend/fuzz-child.ts SEED`).
import { SeededRandom } from '../../fixtures/prng.js';
import { decodeModel } from '../../src/frontend/import-model.js';
import type { GraphProto, ModelProto, NodeProto } from '../../src/frontend/onnx-proto.js';
import { encodeModelProto } from '../../src/frontend/onnx-writer.js';
import {
  allFields, allMessages, cloneFields, encodeField, encodeMessage, encodeVarint, parseMessage, WIRE,
  type WireField,
} from './fuzz-wire.js';

export interface PoolModel {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** Import path: external data resolves next to it. */
  readonly path: string;
  /** How often the model is picked, relative to the others. */
  readonly weight: number;
  /** The parsed tree, shared; cases clone it. */
  readonly tree: WireField[];
}

export function poolModel(name: string, bytes: Uint8Array, path: string, weight: number): PoolModel {
  return { name, bytes, path, weight, tree: parseMessage(bytes) };
}

export interface FuzzCase {
  readonly seed: number;
  readonly model: string;
  readonly path: string;
  readonly bytes: Uint8Array;
  /** What was done, in order, for failure reports. */
  readonly mutations: readonly string[];
}

/** One model in its current form: bytes, a wire tree, or a decoded ModelProto (converted lazily). */
class Subject {
  private bytes: Uint8Array | undefined;
  private tree: WireField[] | undefined;
  private model: ModelProto | undefined;

  constructor(tree: WireField[]) {
    this.tree = tree;
  }

  getBytes(): Uint8Array {
    if (!this.bytes) {
      if (this.model) this.bytes = encodeModelProto(this.model);
      else this.bytes = encodeMessage(this.tree!);
      this.tree = undefined;
      this.model = undefined;
    }
    return this.bytes;
  }

  setBytes(b: Uint8Array): void {
    this.bytes = b;
    this.tree = undefined;
    this.model = undefined;
  }

  /** The wire tree, or undefined when earlier damage makes the bytes unparseable. */
  getTree(): WireField[] | undefined {
    if (!this.tree) {
      try {
        this.tree = parseMessage(this.getBytes());
      } catch {
        return undefined;
      }
      this.bytes = undefined;
    }
    return this.tree;
  }

  getModel(): ModelProto | undefined {
    if (!this.model) {
      try {
        this.model = decodeModel(this.getBytes());
      } catch {
        return undefined;
      }
      this.bytes = undefined;
    }
    return this.model;
  }
}

type Mutation = (s: Subject, r: SeededRandom, pool: readonly PoolModel[], opTypes: readonly string[]) => string | undefined;

const pick = <T>(r: SeededRandom, xs: readonly T[]): T => xs[r.int(xs.length)]!;

/** Integers that tend to break size arithmetic: zero, signs, 2^31/2^32/2^53/2^63 edges. */
function oddInteger(r: SeededRandom, original?: bigint): bigint {
  const values = [0n, 1n, 2n, 3n, 7n, 16n, 255n, 256n, 1n << 15n, 1n << 16n, (1n << 31n) - 1n, 1n << 31n, 1n << 32n,
    (1n << 32n) + 1n, (1n << 53n) + 1n, 1n << 62n, (1n << 63n) - 1n, -1n, -2n, -(1n << 31n), -(1n << 63n)];
  const k = r.int(values.length + 3);
  if (k < values.length) return values[k]!;
  if (k === values.length) return BigInt(r.nextUint32());
  if (original !== undefined) return original + (r.int(2) ? 1n : -1n);
  return (BigInt(r.nextUint32()) << 32n) | BigInt(r.nextUint32());
}

function fieldLabel(f: WireField): string {
  return `${f.owner}.${f.field}`;
}

/** Slots of the tree, optionally filtered. */
function slots(tree: WireField[], keep: (f: WireField) => boolean = () => true) {
  return allFields(tree).filter((s) => keep(s.f));
}

const flipBit: Mutation = (s, r) => {
  const b = s.getBytes();
  if (b.length === 0) return undefined;
  const out = b.slice();
  const at = r.int(out.length);
  const bit = 1 << r.int(8);
  out[at] ^= bit;
  s.setBytes(out);
  return `flip byte ${at} ^0x${bit.toString(16)}`;
};

const flipInField: Mutation = (s, r) => {
  const tree = s.getTree();
  if (!tree) return flipBit(s, r, [], []);
  const all = slots(tree);
  if (all.length === 0) return undefined;
  const { f } = pick(r, all);
  const enc = encodeField(f).slice();
  // Mostly the head (tag, length, first payload bytes): that is where structure lives.
  const at = r.int(2) ? r.int(Math.min(enc.length, 12)) : r.int(enc.length);
  const bit = 1 << r.int(8);
  enc[at] ^= bit;
  f.raw = enc;
  return `flip ${fieldLabel(f)} byte ${at} ^0x${bit.toString(16)}`;
};

const truncateFile: Mutation = (s, r) => {
  const b = s.getBytes();
  const at = r.int(b.length + 1);
  s.setBytes(b.slice(0, at));
  return `truncate file at ${at}/${b.length}`;
};

const truncateField: Mutation = (s, r) => {
  const tree = s.getTree();
  if (!tree) return truncateFile(s, r, [], []);
  const all = slots(tree, (f) => f.wire === WIRE.BYTES);
  if (all.length === 0) return undefined;
  const { f } = pick(r, all);
  if (r.int(2)) {
    // Keep the framing: a shorter payload (raw data, a string, a submessage cut mid-field).
    const payload = f.children ? encodeMessage(f.children) : f.data;
    const at = r.int(payload.length + 1);
    f.children = undefined;
    f.data = payload.slice(0, at);
    return `shorten ${fieldLabel(f)} payload to ${at}/${payload.length}`;
  }
  const enc = encodeField(f);
  const at = r.int(enc.length);
  f.raw = enc.slice(0, at);
  return `cut ${fieldLabel(f)} at ${at}/${enc.length}`;
};

/** Copies a field from a donor model (maybe this one) into this one, replacing or inserting. */
const spliceField: Mutation = (s, r, pool) => {
  const tree = s.getTree();
  if (!tree) return spliceBytes(s, r, pool, []);
  const donor = pick(r, pool);
  const donorSlots = allFields(donor.tree);
  if (donorSlots.length === 0) return undefined;
  const messages = allMessages(tree);
  if (r.int(2)) {
    // Same kind of field (a node for a node, a graph for a graph): structurally plausible.
    const target = pick(r, slots(tree));
    if (!target) return undefined;
    const same = donorSlots.filter((d) => d.f.owner === target.f.owner && d.f.field === target.f.field);
    const from = same.length > 0 ? pick(r, same).f : pick(r, donorSlots).f;
    const copy = cloneFields([from])[0]!;
    copy.owner = target.f.owner;
    const over = r.int(2) === 1;
    if (over) target.list[target.index] = copy;
    else target.list.splice(target.index + 1, 0, copy);
    return `splice ${donor.name} ${fieldLabel(from)} ${over ? 'over' : 'after'} ${fieldLabel(target.f)}`;
  }
  // Any field into any message: a tensor inside a node, a node inside a type…
  const into = pick(r, messages);
  const from = pick(r, donorSlots).f;
  into.list.splice(r.int(into.list.length + 1), 0, { ...cloneFields([from])[0]!, raw: encodeField(from) });
  return `splice ${donor.name} ${fieldLabel(from)} into ${into.type}`;
};

/** Copies a byte range of a donor file over or into this file (framing not repaired). */
const spliceBytes: Mutation = (s, r, pool) => {
  const b = s.getBytes();
  const donor = pick(r, pool).bytes;
  if (donor.length === 0) return undefined;
  const from = r.int(donor.length);
  const len = 1 + r.int(Math.min(64, donor.length - from));
  const at = r.int(b.length + 1);
  const chunk = donor.subarray(from, from + len);
  let out: Uint8Array;
  const overwrite = r.int(2) === 1;
  if (overwrite) {
    out = b.slice();
    out.set(chunk.subarray(0, Math.max(0, out.length - at)), at);
  } else {
    out = new Uint8Array(b.length + chunk.length);
    out.set(b.subarray(0, at));
    out.set(chunk, at);
    out.set(b.subarray(at), at + chunk.length);
  }
  s.setBytes(out);
  return `${overwrite ? 'overwrite' : 'insert'} ${len} donor bytes from ${from} at ${at}`;
};

const setVarint: Mutation = (s, r) => {
  const tree = s.getTree();
  if (!tree) return flipBit(s, r, [], []);
  const all = slots(tree, (f) => f.wire === WIRE.VARINT && !f.raw);
  if (all.length === 0) return undefined;
  const { f } = pick(r, all);
  let original = 0n;
  f.data.forEach((byte, i) => (original |= BigInt(byte & 0x7f) << BigInt(7 * i)));
  const v = oddInteger(r, BigInt.asIntN(64, original));
  f.data = new Uint8Array(encodeVarint(v));
  return `set ${fieldLabel(f)} = ${v}`;
};

/** An odd integer written into a small tensor's raw data: shapes, axes, pads, k, scales read by importers. */
const setTensorValue: Mutation = (s, r) => {
  const tree = s.getTree();
  if (!tree) return flipBit(s, r, [], []);
  const all = slots(tree, (f) => f.owner === 'TensorProto' && f.field === 9 && f.data.length > 0 && f.data.length <= 512 && !f.raw);
  if (all.length === 0) return setVarint(s, r, [], []);
  const { f } = pick(r, all);
  const width = f.data.length % 8 === 0 && r.int(3) > 0 ? 8 : f.data.length >= 4 ? 4 : 1;
  const data = f.data.slice();
  const at = width * r.int(Math.max(1, Math.floor(data.length / width)));
  const v = oddInteger(r);
  const view = new DataView(data.buffer);
  if (width === 1) view.setUint8(at, Number(BigInt.asUintN(8, v)));
  else if (width === 8) view.setBigInt64(at, BigInt.asIntN(64, v), true);
  else if (r.int(2)) view.setInt32(at, Number(BigInt.asIntN(32, v)), true);
  else view.setFloat32(at, Number(v), true);
  f.data = data;
  return `set ${fieldLabel(f)} element at byte ${at} (${width} bytes) to ${v}`;
};

const dropField: Mutation = (s, r) => {
  const tree = s.getTree();
  if (!tree) return truncateFile(s, r, [], []);
  const all = slots(tree);
  if (all.length === 0) return undefined;
  const { list, index, f } = pick(r, all);
  list.splice(index, 1);
  return `drop ${fieldLabel(f)}`;
};

const duplicateField: Mutation = (s, r) => {
  const tree = s.getTree();
  if (!tree) return flipBit(s, r, [], []);
  const all = slots(tree);
  if (all.length === 0) return undefined;
  const { list, index, f } = pick(r, all);
  list.splice(index + 1 + r.int(list.length - index), 0, cloneFields([f])[0]!);
  return `duplicate ${fieldLabel(f)}`;
};

/** Every graph of a decoded model, subgraphs and function bodies as node lists. */
function nodeLists(m: ModelProto): { nodes: NodeProto[]; graph?: GraphProto }[] {
  const out: { nodes: NodeProto[]; graph?: GraphProto }[] = [];
  const visit = (g: GraphProto | null | undefined) => {
    if (!g) return;
    g.node ??= [];
    out.push({ nodes: g.node, graph: g });
    for (const n of g.node) for (const a of n.attribute ?? []) {
      visit(a.g);
      for (const sub of a.graphs ?? []) visit(sub);
    }
  };
  visit(m.graph);
  for (const f of m.functions ?? []) out.push({ nodes: (f.node ??= []) });
  return out;
}

/** Edits of the decoded model: another op's importer on this node's inputs and attributes, lost inputs, odd attributes. */
const editNode: Mutation = (s, r, _pool, opTypes) => {
  const m = s.getModel();
  if (!m) return flipBit(s, r, [], []);
  const lists = nodeLists(m).filter((l) => l.nodes.length > 0);
  if (lists.length === 0) return undefined;
  const { nodes, graph } = pick(r, lists);
  const i = r.int(nodes.length);
  const node = nodes[i]!;
  const what = r.int(12);
  const label = `node ${i} (${node.opType})`;
  switch (what) {
    case 0: case 1: case 2: {
      node.opType = pick(r, opTypes);
      return `${label}: op type → ${node.opType}`;
    }
    case 3: {
      if (!node.input?.length) return undefined;
      const k = r.int(node.input.length);
      node.input.splice(k, 1);
      return `${label}: remove input ${k}`;
    }
    case 4: {
      if (!node.input?.length) return undefined;
      const k = r.int(node.input.length);
      node.input[k] = '';
      return `${label}: omit input ${k}`;
    }
    case 5: {
      const names = nodes.flatMap((n) => n.output ?? []);
      if (names.length === 0) return undefined;
      (node.input ??= []).push(pick(r, names));
      return `${label}: extra input`;
    }
    case 6: {
      const a = node.attribute?.[r.int(node.attribute.length)];
      if (!a) return undefined;
      a.type = r.int(15);
      return `${label}: attribute ${a.name} type → ${a.type}`;
    }
    case 7: {
      const a = node.attribute?.[r.int(node.attribute.length)];
      if (!a) return undefined;
      const v = oddInteger(r);
      a.i = Number(v);
      if (a.ints?.length) a.ints[r.int(a.ints.length)] = Number(v);
      return `${label}: attribute ${a.name} = ${v}`;
    }
    case 8: {
      if (!node.attribute?.length) return undefined;
      const [a] = node.attribute.splice(r.int(node.attribute.length), 1);
      return `${label}: drop attribute ${a!.name}`;
    }
    case 9: {
      if (!node.output?.length) return undefined;
      node.output[0] = `renamed${r.int(100)}`;
      return `${label}: rename output`;
    }
    case 10: {
      if (nodes.length < 2) return undefined;
      const j = r.int(nodes.length);
      [nodes[i], nodes[j]] = [nodes[j]!, nodes[i]!];
      return `swap nodes ${i} and ${j}`;
    }
    default: {
      const inits = graph?.initializer ?? [];
      const t = inits[r.int(inits.length)];
      if (!t) return undefined;
      if (r.int(2)) t.dataType = r.int(26);
      else t.dims = [Number(oddInteger(r)), ...(t.dims ?? []).slice(1)];
      return `initializer ${t.name}: dtype ${t.dataType}, dims [${(t.dims ?? []).join(',')}]`;
    }
  }
};

/** Mutations and their relative weights. */
const MUTATIONS: readonly [Mutation, number][] = [
  [flipBit, 12], [flipInField, 14], [truncateFile, 8], [truncateField, 8], [spliceField, 16],
  [spliceBytes, 8], [setVarint, 12], [setTensorValue, 8], [dropField, 6], [duplicateField, 6], [editNode, 18],
];

function weighted<T>(r: SeededRandom, xs: readonly (readonly [T, number])[]): T {
  let k = r.next() * xs.reduce((n, [, w]) => n + w, 0);
  for (const [x, w] of xs) if ((k -= w) < 0) return x;
  return xs[xs.length - 1]![0];
}

/** The mutated model of one seed. `opTypes` are the op types with importers (edits swap them in). */
export function buildCase(seed: number, pool: readonly PoolModel[], opTypes: readonly string[]): FuzzCase {
  const r = new SeededRandom(seed);
  const model = weighted(r, pool.map((m) => [m, m.weight] as const));
  const s = new Subject(cloneFields(model.tree));
  const mutations: string[] = [];
  const count = 1 + r.int(3);
  for (let tries = 0; mutations.length < count && tries < 10; tries++) {
    const done = weighted(r, MUTATIONS)(s, r, pool, opTypes);
    if (done) mutations.push(done);
  }
  return { seed, model: model.name, path: model.path, bytes: s.getBytes(), mutations };
}

/** Random bytes (not a model at all), for seeds of the second series. */
export function randomBytesCase(seed: number): FuzzCase {
  const r = new SeededRandom(seed);
  const bytes = new Uint8Array(r.int(257));
  for (let i = 0; i < bytes.length; i++) bytes[i] = r.int(256);
  return { seed, model: 'random bytes', path: '/nonexistent/random.onnx', bytes, mutations: [`${bytes.length} random bytes`] };
}
