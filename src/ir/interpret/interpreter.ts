import { IreetsError } from '../../util/errors.js';
import { describeNode, type Graph, type IRModule, type Node, type Value } from '../graph.js';
import type { Tensor } from '../tensor.js';
import '../ops/index.js';
import './kernels/index.js';
import { getKernel } from './registry.js';

/** Values computed so far, chained to the enclosing scope so regions can read outer values. */
class Scope {
  private readonly values = new Map<number, Tensor | null>();
  constructor(private readonly parent?: Scope) {}
  get(v: Value): Tensor | null {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      if (s.values.has(v.id)) return s.values.get(v.id)!;
    }
    throw new IreetsError('IR_INVALID', `value %${v.name} read before it is defined`);
  }
  set(v: Value, t: Tensor | null): void {
    this.values.set(v.id, t);
  }
}

/**
 * The reference interpreter: runs a module node by node with the reference kernels. It is the
 * oracle every backend is compared with, and the engine of constant folding.
 */
export function interpretModule(mod: IRModule, inputs: readonly Tensor[]): Tensor[] {
  const g = mod.graph;
  if (inputs.length !== g.inputs.length) {
    throw new IreetsError('INPUT_INVALID', `expected ${g.inputs.length} inputs, got ${inputs.length}`);
  }
  return runGraph(mod, g, inputs, undefined);
}

export function runGraph(mod: IRModule, g: Graph, inputs: readonly (Tensor | null)[], parent: Scope | undefined): Tensor[] {
  const scope = new Scope(parent);
  g.inputs.forEach((v, i) => scope.set(v, inputs[i] ?? null));
  for (const node of g.nodes) runNode(mod, node, scope);
  return g.outputs.map((v) => {
    const t = scope.get(v);
    if (!t) throw new IreetsError('IR_INVALID', `graph output %${v.name} is undefined`);
    return t;
  });
}

function runNode(mod: IRModule, node: Node, scope: Scope): void {
  let results: Tensor[];
  if (node.op === 'constant') {
    const hash = node.attrs['hash'] as string;
    const entry = mod.constants.get(hash);
    if (!entry) throw new IreetsError('IR_INVALID', `constant ${hash} missing from the module`, describeNode(node));
    results = [entry.load()];
  } else {
    const kernel = getKernel(node.op);
    if (!kernel) {
      throw new IreetsError('MODEL_UNSUPPORTED_OP', `no reference kernel for IR op ${node.op}`, describeNode(node));
    }
    const args = node.inputs.map((v) => (v ? scope.get(v) : null));
    try {
      results = kernel(args, node.attrs, {
        node,
        runRegion: (region, regionInputs) => runGraph(mod, region, regionInputs, scope),
      });
    } catch (e) {
      if (e instanceof IreetsError) throw e;
      throw new IreetsError('INTERNAL', (e as Error).message, describeNode(node), { cause: e });
    }
  }
  node.outputs.forEach((v, i) => scope.set(v, results[i] ?? null));
}
