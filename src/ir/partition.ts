// Partition of a graph into dispatch regions. Each region computes exactly one materialized
// value; the nodes between it and other materialized values (elementwise producers and
// consumers, index remaps) are fused into it. Weights and large constants are bindings; small
// constants (≤ INLINE_CONSTANT_ELEMENTS) are baked into the kernel.
import { IreetsError } from '../util/errors.js';
import { describeNode, type Graph, type IRModule, type Node, type Value } from './graph.js';
import { getOpDef, type OpKind } from './ops/registry.js';
import type { Tensor } from './tensor.js';
import { isStaticShape, staticSize } from './types.js';
import './ops/index.js';

export const INLINE_CONSTANT_ELEMENTS = 16;

/** Ops that only reinterpret the shape: with a materialized input they alias its buffer. */
export const VIEW_OPS: ReadonlySet<string> = new Set(['reshape', 'squeeze', 'unsqueeze']);

export interface DispatchRegion {
  /** The value the region computes and stores. */
  readonly output: Value;
  /** Nodes inside the region, in topological order; the last one produces `output`. */
  readonly nodes: readonly Node[];
  /** Materialized values and large constants read by the region, in first-use order. */
  readonly inputs: readonly Value[];
  /** Small constants baked into the kernel, by value id. */
  readonly inlined: ReadonlyMap<number, Tensor>;
  /** The heaviest op kind inside (matmul > conv > pool > reduction > movement > elementwise). */
  readonly kind: OpKind;
  /**
   * Per input, then for the output: whether the value carries the dynamic batch (see batch.ts).
   * Batched bindings hold one sample per workgroup z-slice.
   */
  readonly batchedInputs: readonly boolean[];
  readonly batchedOutput: boolean;
}

/** One step of the host program, in execution order. */
export type Step =
  | { readonly kind: 'dispatch'; readonly region: DispatchRegion }
  /** `output` shares `input`'s buffer (reshape-like views of a materialized value). */
  | { readonly kind: 'alias'; readonly output: Value; readonly input: Value; readonly node: Node }
  /** A node the host runs itself (control flow, data-dependent ops). */
  | { readonly kind: 'host'; readonly node: Node };

function sameShape(a: Value, b: Value): boolean {
  const sa = a.type.shape;
  const sb = b.type.shape;
  return !!sa && !!sb && sa.length === sb.length && sa.every((d, i) => d === sb[i]);
}

const HEAVY: ReadonlySet<OpKind> = new Set(['matmul', 'conv', 'pool', 'reduction']);
const KIND_RANK: Readonly<Record<string, number>> = { matmul: 6, conv: 5, pool: 4, reduction: 3, movement: 2, elementwise: 1 };

function opKind(n: Node): OpKind {
  const def = getOpDef(n.op);
  if (!def) throw new IreetsError('IR_INVALID', `unknown op ${n.op}`, describeNode(n));
  return def.kind;
}

export interface PartitionOptions {
  /** Values carrying the dynamic batch (batch.ts). */
  batched?: ReadonlySet<number>;
  /**
   * Whether the code generator can run a `special` or `host` node as a dispatch (a lowering rule
   * exists and its shapes are static). Such nodes become heavy dispatch roots instead of host steps.
   */
  canDispatch?: (n: Node) => boolean;
}

/**
 * Splits `graph` (shapes static) into steps. `constants` resolves `constant` nodes so small
 * ones can be inlined.
 */
export function partitionGraph(mod: IRModule, graph: Graph = mod.graph, options: PartitionOptions = {}): Step[] {
  const batched = options.batched ?? new Set<number>();
  const canDispatch = options.canDispatch ?? (() => false);
  // Special/host nodes the code generator can run count as heavy roots (like a reduction).
  // Asked many times per node (users, walks back): computed once each.
  const kinds = new Map<Node, OpKind>();
  const kindOf = (n: Node): OpKind => {
    let kind = kinds.get(n);
    if (kind === undefined) {
      const k = opKind(n);
      kind = (k === 'special' || k === 'host') && canDispatch(n) ? 'reduction' : k;
      kinds.set(n, kind);
    }
    return kind;
  };
  const producer = new Map<number, Node>();
  const consumers = new Map<number, Node[]>();
  // Position of each node in the graph: a region lists its nodes in graph order.
  const position = new Map<Node, number>();
  graph.nodes.forEach((n, index) => {
    position.set(n, index);
    for (const o of n.outputs) producer.set(o.id, n);
    for (const i of n.inputs) if (i) (consumers.get(i.id) ?? consumers.set(i.id, []).get(i.id)!).push(n);
  });
  const graphOutputs = new Set(graph.outputs.map((v) => v.id));
  const constantValue = (v: Value): Tensor | undefined => {
    const p = producer.get(v.id);
    if (!p || p.op !== 'constant') return undefined;
    return mod.constants.get(p.attrs['hash'] as string)?.load();
  };
  const isConstant = (v: Value): boolean => producer.get(v.id)?.op === 'constant';
  const isInlined = (v: Value): boolean => {
    if (!isConstant(v) || !isStaticShape(v.type.shape)) return false;
    return staticSize(v.type.shape) <= INLINE_CONSTANT_ELEMENTS;
  };

  for (const v of [...graph.inputs, ...graph.nodes.flatMap((n) => n.outputs)]) {
    if (!isStaticShape(v.type.shape)) {
      throw new IreetsError('MODEL_UNSUPPORTED', `value %${v.name} has dynamic shape ${JSON.stringify(v.type.shape)}; the CPU code generator needs static shapes here`, producer.get(v.id) ? describeNode(producer.get(v.id)!) : `input ${v.name}`);
    }
  }

  /** Heavy nodes that would be fused into the region computing `v` (walking back through unmaterialized values). */
  const heavyNodesFeeding = (v: Value): Node[] => {
    const out: Node[] = [];
    const seen = new Set<number>();
    const stack = [v];
    while (stack.length > 0) {
      const x = stack.pop()!;
      const p = producer.get(x.id);
      if (!p || p.op === 'constant' || seen.has(p.id)) continue;
      seen.add(p.id);
      if (HEAVY.has(kindOf(p))) out.push(p);
      for (const i of p.inputs) if (i && !materialized.has(i.id)) stack.push(i);
    }
    return out;
  };

  // Which values get a buffer of their own.
  const materialized = new Set<number>();
  for (const v of graph.inputs) materialized.add(v.id);
  for (const n of graph.nodes) {
    if (n.op === 'constant') continue;
    const kind = kindOf(n);
    for (const o of n.outputs) {
      const users = consumers.get(o.id) ?? [];
      const userKinds = users.map(kindOf);
      const out =
        graphOutputs.has(o.id)
        || kind === 'control' || kind === 'special' || kind === 'host'
        || users.some((u) => ['control', 'special', 'host'].includes(kindOf(u)))
        // Heavy results feed at most one elementwise epilogue of the same shape; anything else
        // (including a consumer that broadcasts the result, e.g. softmax's row sums) reads a
        // buffer, so a reduction is never recomputed per consumer element.
        || (HEAVY.has(kind) && !(users.length === 1 && userKinds[0] === 'elementwise' && sameShape(users[0]!.outputs[0]!, o)))
        // Multi-use values are recomputed only when cheap (elementwise among elementwise).
        || (users.length > 1 && !(kind === 'elementwise' && userKinds.every((k) => k === 'elementwise') && users.length <= 4))
        // Matmul and conv read operands many times: only pure index remaps fuse into them.
        || users.some((u) => (kindOf(u) === 'matmul' || kindOf(u) === 'conv') && kind !== 'movement')
        || n.outputs.length > 1;
      if (out) materialized.add(o.id);
    }
  }
  // Matmul and conv operands: walking back through fused index remaps, the first producer that
  // computes anything must be materialized (else it would run once per use, K times over).
  for (const n of graph.nodes) {
    const k = n.op === 'constant' ? undefined : kindOf(n);
    if (k !== 'matmul' && k !== 'conv') continue;
    const stack = n.inputs.filter((v): v is Value => v !== null);
    while (stack.length > 0) {
      const v = stack.pop()!;
      const p = producer.get(v.id);
      if (!p || p.op === 'constant' || materialized.has(v.id)) continue;
      if (kindOf(p) === 'movement') stack.push(...p.inputs.filter((x): x is Value => x !== null));
      else materialized.add(v.id);
    }
  }
  // A region holds at most one heavy node, and only at its root with a same-shape epilogue:
  // otherwise the heavy node would be re-evaluated for every element of its consumer.
  for (let changed = true; changed;) {
    changed = false;
    for (const n of graph.nodes) {
      if (n.op === 'constant') continue;
      for (const o of n.outputs) {
        if (!materialized.has(o.id)) continue;
        const heavy = heavyNodesFeeding(o);
        const root = producer.get(o.id);
        const rootIsHeavy = HEAVY.has(kindOf(root!));
        for (const h of heavy) {
          if (h === root) continue;
          const out = h.outputs[0]!;
          if ((rootIsHeavy || heavy.length > 1 || !sameShape(out, o)) && !materialized.has(out.id)) {
            materialized.add(out.id);
            changed = true;
          }
        }
      }
    }
  }

  const steps: Step[] = [];
  for (const n of graph.nodes) {
    if (n.op === 'constant') continue;
    const kind = kindOf(n);
    if (kind === 'control' || kind === 'special' || kind === 'host') {
      steps.push({ kind: 'host', node: n });
      continue;
    }
    for (const o of n.outputs) {
      if (!materialized.has(o.id)) continue;
      const input = n.inputs[0];
      if (VIEW_OPS.has(n.op) && input && (materialized.has(input.id) || (isConstant(input) && !isInlined(input)))) {
        steps.push({ kind: 'alias', output: o, input, node: n });
        continue;
      }
      steps.push({ kind: 'dispatch', region: collectRegion(o, n) });
    }
  }
  return steps;

  function collectRegion(output: Value, root: Node): DispatchRegion {
    const inside = new Set<Node>();
    const inputs: Value[] = [];
    const seenInputs = new Set<number>();
    const inlined = new Map<number, Tensor>();
    const visit = (n: Node): void => {
      if (inside.has(n)) return;
      inside.add(n);
      for (const i of n.inputs) {
        if (!i) continue;
        if (isInlined(i)) {
          inlined.set(i.id, constantValue(i)!);
          continue;
        }
        const p = producer.get(i.id);
        if (materialized.has(i.id) || !p || p.op === 'constant') {
          if (!seenInputs.has(i.id)) {
            seenInputs.add(i.id);
            inputs.push(i);
          }
          continue;
        }
        visit(p);
      }
    };
    visit(root);
    const nodes = [...inside].sort((x, y) => position.get(x)! - position.get(y)!);
    let kind: OpKind = 'elementwise';
    for (const n of nodes) {
      const k = kindOf(n);
      if ((KIND_RANK[k] ?? 0) > (KIND_RANK[kind] ?? 0)) kind = k;
    }
    return { output, nodes, inputs, inlined, kind, batchedInputs: inputs.map((v) => batched.has(v.id)), batchedOutput: batched.has(output.id) };
  }
}
