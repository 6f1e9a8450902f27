// Compile-time weight packing for the CPU strategies. A matmul's constant B [K, N] and a conv's
// constant W [OC, C, KH, KW] are stored in panels of 8 output columns/channels, each panel
// contiguous over the reduction ([N/8, K, 8], [OC/8, C, KH, KW, 8], zero padded), so a register
// tile streams its weights from one place. The operand then reads the packed constant through
// ordinary index remaps (transpose, reshape, slice) that restore the original layout: the IR
// stays exact for every consumer (the reference interpreter, the generic lowering, other
// targets), and the tiled strategies find the packed strides by fitting that access.
import { hashTensor } from '../../ir/constant-hash.js';
import { removeDeadNodes } from '../../ir/dead-nodes.js';
import { walkNodes, type ConstantEntry, type Graph, type IRModule, type Node, type Value } from '../../ir/graph.js';
import { getKernel } from '../../ir/interpret/registry.js';
import { getOpDef } from '../../ir/ops/registry.js';
import { Tensor } from '../../ir/tensor.js';
import { isStaticShape, staticSize } from '../../ir/types.js';
import { BoundedMemo } from '../../util/bounded-memo.js';
import { derivedFact, recordFact } from '../../util/derivations.js';
import { fastKernelsEnabled } from './enabled.js';
import '../../ir/interpret/kernels/index.js';
import '../../ir/ops/index.js';

/** Output columns (matmul) or channels (conv) per packed panel: the strategies' tile width. */
export const PACK_PANEL = 8;
/** Weights smaller than this stay as they are (the partition bakes ≤ 16 elements into kernels). */
const MIN_PACKED_ELEMENTS = 17;

/**
 * A packed weight: its content hash and shape, how to get its bytes, and the shape of the weight
 * it was packed from. Known from a recorded fact (derivations.ts), it is packed only when its
 * bytes are asked for: a fresh process whose cache already holds them never packs it.
 */
interface PackedWeight {
  hash: string;
  shape: readonly number[];
  load: () => Tensor;
  sourceShape: readonly number[];
}

/** Fact kind: a weight (target and source key, as packedMemo's) → its packed form's hash and shape. */
export const PACKED_FACT = 'packedWeight';

/** Loads once, then keeps the tensor (and lets go of what it was made from). */
function once(make: () => Tensor): () => Tensor {
  let t: Tensor | undefined;
  let f: (() => Tensor) | undefined = make;
  return () => {
    if (!t) {
      t = f!();
      f = undefined;
    }
    return t;
  };
}

/**
 * Packed weights by (layout, source weight key): an edit elsewhere in a model re-imports it, and
 * packing every unchanged weight again (and hashing the result) was most of that import's time.
 * The key names the weight's content (constant hash, through any index remaps), so a hit is
 * exactly what packing would produce again. Bounded; stale entries (edited weights) go first.
 */
const packedMemo = new BoundedMemo<PackedWeight>(256 << 20);

/** Makes room for the packed weights of a model of `bytes` bytes, and of the one it replaces. */
export function reservePackedFor(bytes: number): void {
  packedMemo.atLeast(2 * bytes);
}

/** Fresh ids and names for nodes and values added to a module. */
class ModuleIds {
  private nextValue = 0;
  private nextNode = 0;
  private readonly names = new Set<string>();

  constructor(mod: IRModule) {
    const seeGraph = (g: Graph): void => {
      for (const v of g.inputs) this.see(v);
    };
    seeGraph(mod.graph);
    for (const n of walkNodes(mod.graph)) {
      this.nextNode = Math.max(this.nextNode, n.id + 1);
      n.outputs.forEach((v) => this.see(v));
      n.regions.forEach(seeGraph);
    }
  }

  private see(v: Value): void {
    this.nextValue = Math.max(this.nextValue, v.id + 1);
    this.names.add(v.name);
  }

  value(name: string, type: Value['type']): Value {
    let n = name;
    for (let i = 1; this.names.has(n); i++) n = `${name}_${i}`;
    this.names.add(n);
    return { id: this.nextValue++, name: n, type };
  }

  node(op: string, inputs: Value[], output: Value, attrs: Node['attrs'], origin: string | undefined): Node {
    return { id: this.nextNode++, op, inputs, outputs: [output], attrs, regions: [], ...(origin ? { origin } : {}) };
  }
}

/**
 * A key naming the tensor behind `v` by content when it is a constant through index remaps: the
 * constant's hash, wrapped in each remap's op and attributes (undefined when some attribute is not
 * plain data, or `v` is not such a value).
 */
function remapKey(mod: IRModule, producer: ReadonlyMap<number, Node>, v: Value): string | undefined {
  const p = producer.get(v.id);
  if (!p) return undefined;
  if (p.op === 'constant') {
    const hash = p.attrs['hash'] as string;
    return mod.constants.has(hash) ? hash : undefined;
  }
  if (getOpDef(p.op)?.kind !== 'movement') return undefined;
  const attrs: string[] = [];
  for (const k of Object.keys(p.attrs).sort()) {
    const a = p.attrs[k];
    const text = attrKey(a);
    if (text === undefined) return undefined;
    attrs.push(`${k}=${text}`);
  }
  const args: string[] = [];
  for (const x of p.inputs) {
    const k = x ? remapKey(mod, producer, x) : 'null';
    if (k === undefined) return undefined;
    args.push(k);
  }
  return `${p.op}{${attrs.join(',')}}(${args.join(',')})#${p.outputs.indexOf(v)}`;
}

/** An attribute as text that tells every value apart (NaN, -0 included); undefined for a tensor. */
function attrKey(a: unknown): string | undefined {
  if (typeof a === 'number') return Object.is(a, -0) ? '-0' : String(a);
  if (typeof a === 'string') return JSON.stringify(a);
  if (typeof a === 'boolean' || a === null || a === undefined) return String(a);
  if (Array.isArray(a)) {
    const items = a.map(attrKey);
    return items.includes(undefined) ? undefined : `[${items.join(',')}]`;
  }
  return undefined;
}

/** The tensor behind `v` when it is computed from constants by index remaps only (else undefined). */
function constantThroughRemaps(mod: IRModule, producer: ReadonlyMap<number, Node>, v: Value): Tensor | undefined {
  const p = producer.get(v.id);
  if (!p) return undefined;
  if (p.op === 'constant') return mod.constants.get(p.attrs['hash'] as string)?.load();
  if (getOpDef(p.op)?.kind !== 'movement') return undefined;
  const kernel = getKernel(p.op);
  if (!kernel) return undefined;
  const args: (Tensor | null)[] = [];
  for (const x of p.inputs) {
    if (!x) {
      args.push(null);
      continue;
    }
    const t = constantThroughRemaps(mod, producer, x);
    if (!t) return undefined;
    args.push(t);
  }
  try {
    return kernel(args, p.attrs, { node: p, runRegion: () => { throw new Error('no regions here'); } })[p.outputs.indexOf(v)];
  } catch {
    return undefined;
  }
}

class Packer {
  private readonly ids: ModuleIds;
  constructor(private readonly mod: IRModule) {
    this.ids = new ModuleIds(mod);
  }

  private constant(hash: string, type: { dtype: Tensor['dtype']; shape: readonly number[] }, load: () => Tensor, name: string, origin: string | undefined, out: Node[]): Value {
    if (!this.mod.constants.has(hash)) this.mod.constants.set(hash, { hash, type: { dtype: type.dtype, shape: [...type.shape] }, load });
    const v = this.ids.value(name, { dtype: type.dtype, shape: [...type.shape] });
    out.push(this.ids.node('constant', [], v, { hash }, origin));
    return v;
  }

  private i64(values: number[], name: string, origin: string | undefined, out: Node[]): Value {
    const t = Tensor.fromBigInts('i64', [values.length], values.map(BigInt));
    return this.constant(hashTensor(t), { dtype: t.dtype, shape: t.shape }, () => t, name, origin, out);
  }

  /**
   * Nodes that read `packed` ([panels, ...reduction, 8]) back as [panels·8 → `extent`, ...reduction]
   * moved to `axis` (0 for conv weights, 1 for matmul's B); returns the final value.
   */
  view(packed: Value, reduction: readonly number[], extent: number, axis: 0 | 1, name: string, origin: string | undefined, out: Node[]): Value {
    const panels = (packed.type.shape as number[])[0]!;
    const r = reduction.length;
    // Packed dims: 0 panel, 1..r reduction, r+1 lane.
    const perm = axis === 0 ? [0, r + 1, ...reduction.map((_, i) => i + 1)] : [1, 0, 2];
    const tShape = perm.map((d) => (packed.type.shape as number[])[d]!);
    const t = this.ids.value(`${name}.unpack`, { dtype: 'f32', shape: tShape });
    out.push(this.ids.node('transpose', [packed], t, { perm }, origin));
    const merged = axis === 0 ? [panels * PACK_PANEL, ...reduction] : [reduction[0]!, panels * PACK_PANEL];
    const shapeConst = this.i64(merged, `${name}.unpack_shape`, origin, out);
    const rs = this.ids.value(`${name}.unpack`, { dtype: 'f32', shape: merged });
    out.push(this.ids.node('reshape', [t, shapeConst], rs, {}, origin));
    if (panels * PACK_PANEL === extent) return rs;
    const final = [...merged];
    final[axis] = extent;
    const sl = this.ids.value(`${name}.unpack`, { dtype: 'f32', shape: final });
    const args = [this.i64([0], `${name}.starts`, origin, out), this.i64([extent], `${name}.ends`, origin, out), this.i64([axis], `${name}.axes`, origin, out), this.i64([1], `${name}.steps`, origin, out)];
    out.push(this.ids.node('slice', [rs, ...args], sl, {}, origin));
    return sl;
  }

  /** Puts a packed weight in the module and returns the value that reads it in `node`'s original layout. */
  use(node: Node, target: 'matmul' | 'conv', w: PackedWeight, out: Node[]): Value {
    const name = node.inputs[1]!.name;
    const packed = this.constant(w.hash, { dtype: 'f32', shape: w.shape }, w.load, `${name}.packed`, node.origin, out);
    if (target === 'matmul') return this.view(packed, [w.sourceShape[0]!], w.sourceShape[1]!, 1, name, node.origin, out);
    const [oc, ...red] = w.sourceShape;
    return this.view(packed, red, oc!, 0, name, node.origin, out);
  }
}

/** Packed B [ceil(N/8), K, 8] of a matmul's B [K, N]. */
function packMatmul(b: Tensor): Tensor {
  const [k, n] = b.shape as [number, number];
  const panels = Math.ceil(n / PACK_PANEL);
  const src = b.data as Float32Array;
  const dst = new Float32Array(panels * k * PACK_PANEL);
  // Row by row: the source is read in order (a panel-major walk read 32 bytes per row of B).
  const full = Math.floor(n / PACK_PANEL);
  const panelStride = k * PACK_PANEL;
  for (let kk = 0; kk < k; kk++) {
    const row = kk * n;
    let o = kk * PACK_PANEL;
    for (let p = 0; p < full; p++, o += panelStride) {
      const s = row + p * PACK_PANEL;
      for (let j = 0; j < PACK_PANEL; j++) dst[o + j] = src[s + j]!;
    }
    for (let j = 0; full * PACK_PANEL + j < n; j++) dst[o + j] = src[row + full * PACK_PANEL + j]!;
  }
  return new Tensor('f32', [panels, k, PACK_PANEL], dst);
}

/** Packed W [ceil(OC/8), C, KH, KW, 8] of a conv's W [OC, C, KH, KW]. */
function packConv(w: Tensor): Tensor {
  const [oc, ...red] = w.shape as number[];
  const per = red.reduce((a, b) => a * b, 1);
  const panels = Math.ceil(oc! / PACK_PANEL);
  const src = w.data as Float32Array;
  const dst = new Float32Array(panels * per * PACK_PANEL);
  for (let o = 0; o < oc!; o++) {
    const p = Math.floor(o / PACK_PANEL);
    const j = o % PACK_PANEL;
    for (let r = 0; r < per; r++) dst[(p * per + r) * PACK_PANEL + j] = src[o * per + r]!;
  }
  return new Tensor('f32', [panels, ...red, PACK_PANEL], dst);
}

/** Weights packed by this process (tests check that recorded facts spare a fresh process the work). */
export const packCounts = { packed: 0 };

function pack(target: 'matmul' | 'conv', w: Tensor): Tensor {
  packCounts.packed++;
  return target === 'matmul' ? packMatmul(w) : packConv(w);
}

/** The packed form of operand 1 of `n` (memoized by content), or undefined when it is not a constant f32 weight. */
function packedWeightOf(mod: IRModule, producer: ReadonlyMap<number, Node>, n: Node, target: 'matmul' | 'conv'): PackedWeight | undefined {
  const source = remapKey(mod, producer, n.inputs[1]!);
  const key = source === undefined ? undefined : `${target}:${source}`;
  const known = key === undefined ? undefined : packedMemo.get(key);
  if (known) return known;
  const direct = directConstant(mod, producer, n.inputs[1]!);
  const fact = key === undefined || !direct ? undefined : derivedFact<{ hash: string; shape: number[] }>(PACKED_FACT, key);
  if (fact && typeof fact.hash === 'string' && Array.isArray(fact.shape)) {
    // Packed by an earlier process: its hash and shape are known; pack only if its bytes are asked for.
    const packed: PackedWeight = { hash: fact.hash, shape: fact.shape, load: once(() => pack(target, direct!.load())), sourceShape: [...(direct!.type.shape as number[])] };
    packedMemo.set(key!, packed, 4 * staticSize(fact.shape));
    return packed;
  }
  const w = constantThroughRemaps(mod, producer, n.inputs[1]!);
  if (!w || w.dtype !== 'f32') return undefined;
  const tensor = pack(target, w);
  const packed: PackedWeight = { hash: hashTensor(tensor), shape: tensor.shape, load: () => tensor, sourceShape: [...(w.shape as number[])] };
  if (key !== undefined) {
    packedMemo.set(key, packed, (tensor.data as Float32Array).byteLength);
    if (direct) recordFact(PACKED_FACT, key, { hash: packed.hash, shape: [...tensor.shape] });
  }
  return packed;
}

/** The constant entry `v` reads directly (no remaps between), if any. */
function directConstant(mod: IRModule, producer: ReadonlyMap<number, Node>, v: Value): ConstantEntry | undefined {
  const p = producer.get(v.id);
  return p?.op === 'constant' ? mod.constants.get(p.attrs['hash'] as string) : undefined;
}

const isF32Static = (v: Value | null | undefined): v is Value => !!v && v.type.dtype === 'f32' && isStaticShape(v.type.shape);

/** Which operand of `n` the CPU strategies want packed, if any. */
function packTarget(n: Node): 'matmul' | 'conv' | undefined {
  const [a, w] = n.inputs;
  if (!isF32Static(a) || !isF32Static(w) || !isF32Static(n.outputs[0])) return undefined;
  const ws = w.type.shape as number[];
  if (staticSize(ws) < MIN_PACKED_ELEMENTS) return undefined;
  if (n.op === 'matmul' && ws.length === 2 && (a.type.shape as number[]).length >= 2) return 'matmul';
  if (n.op === 'conv' && ws.length === 4 && Number(n.attrs['group'] ?? 1) === 1) return 'conv';
  return undefined;
}

/**
 * Packs the constant weights of the main graph's matmul and conv nodes (see above). Mutates
 * `mod`; returns how many operands were packed. Weights no longer read unpacked are dropped.
 */
export function packWeights(mod: IRModule): number {
  if (!fastKernelsEnabled()) return 0;
  const g = mod.graph;
  const producer = new Map<number, Node>();
  for (const n of g.nodes) for (const o of n.outputs) producer.set(o.id, n);
  const packer = new Packer(mod);
  const nodes: Node[] = [];
  let packed = 0;
  for (const n of g.nodes) {
    const target = packTarget(n);
    const w = target ? packedWeightOf(mod, producer, n, target) : undefined;
    if (target && w) {
      n.inputs[1] = packer.use(n, target, w, nodes);
      packed++;
    }
    nodes.push(n);
  }
  g.nodes = nodes;
  if (packed > 0) removeDeadNodes(mod);
  return packed;
}
