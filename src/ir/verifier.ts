// Structural checks of an IR module: every op defined, SSA (each value defined once, before
// use, in its graph or an enclosing one), regions' outer reads valid, arities consistent.
import { IreetsError } from '../util/errors.js';
import { describeNode, type Graph, type IRModule, type Node, type Value } from './graph.js';
import { getOpDef } from './ops/registry.js';
import './ops/index.js';

export interface VerifyOptions {
  /** Also re-run each op's inference to check arities (default true). */
  checkArity?: boolean;
}

/** Throws IreetsError('IR_INVALID', …, <node>) at the first problem. */
export function verifyModule(mod: IRModule, opts: VerifyOptions = {}): void {
  const defined = new Set<number>();
  const names = new Map<string, number>();
  // Where a value is defined, for errors: a node (plus a suffix) or a description; described only on error.
  const define = (v: Value, at: Node | string, suffix = '') => {
    if (defined.has(v.id)) throw new IreetsError('IR_INVALID', `value %${v.name} is defined twice`, placeOf(at, suffix));
    const other = names.get(v.name);
    if (other !== undefined && other !== v.id) throw new IreetsError('IR_INVALID', `two values are named %${v.name}`, placeOf(at, suffix));
    defined.add(v.id);
    names.set(v.name, v.id);
  };
  mod.graph.inputs.forEach((v) => define(v, 'graph inputs'));
  verifyGraph(mod, mod.graph, [new Set(mod.graph.inputs.map((v) => v.id))], define, opts.checkArity ?? true);
}

function placeOf(at: Node | string, suffix: string): string {
  return typeof at === 'string' ? at : `${describeNode(at)}${suffix}`;
}

/** `visible` is a stack of value-id sets: this graph's, then each enclosing graph's up to the owner. */
function verifyGraph(
  mod: IRModule,
  g: Graph,
  visible: Set<number>[],
  define: (v: Value, at: Node | string, suffix?: string) => void,
  checkArity: boolean,
): void {
  const here = visible[visible.length - 1]!;
  const isVisible = (v: Value) => visible.some((s) => s.has(v.id));
  for (const n of g.nodes) {
    n.inputs.forEach((v, i) => {
      if (v && !isVisible(v)) throw new IreetsError('IR_INVALID', `input ${i} %${v.name} is used before it is defined`, describeNode(n));
    });
    verifyNodeShape(mod, n, checkArity);
    for (const r of n.regions) {
      const inner = new Set<number>();
      r.inputs.forEach((v) => {
        define(v, n, ' region');
        inner.add(v.id);
      });
      verifyGraph(mod, r, [...visible, inner], define, checkArity);
      r.outputs.forEach((v) => {
        if (!inner.has(v.id) && !isVisible(v)) throw new IreetsError('IR_INVALID', `region result %${v.name} is not defined`, describeNode(n));
      });
    }
    for (const v of n.outputs) {
      define(v, n);
      here.add(v.id);
    }
  }
  g.outputs.forEach((v) => {
    if (!isVisible(v)) throw new IreetsError('IR_INVALID', `graph output %${v.name} is not defined`, 'graph outputs');
  });
}

function verifyNodeShape(mod: IRModule, n: Node, checkArity: boolean): void {
  const def = getOpDef(n.op);
  if (!def) throw new IreetsError('IR_INVALID', `op ${n.op} is not defined`, describeNode(n));
  if (n.outputs.length === 0) throw new IreetsError('IR_INVALID', 'node has no results', describeNode(n));
  if (n.op === 'constant') {
    const hash = n.attrs['hash'];
    if (typeof hash !== 'string' || !mod.constants.has(hash)) {
      throw new IreetsError('IR_INVALID', `constant ${String(hash)} is not in the module's constants`, describeNode(n));
    }
    if (n.inputs.length !== 0 || n.outputs.length !== 1) throw new IreetsError('IR_INVALID', 'constant takes no inputs and gives one result', describeNode(n));
    return;
  }
  if (def.kind !== 'control' && n.regions.length > 0) throw new IreetsError('IR_INVALID', `${n.op} cannot have regions`, describeNode(n));
  if (!checkArity) return;
  let types;
  try {
    types = def.infer({ inputs: n.inputs.map((v) => v?.type ?? null), attrs: n.attrs, consts: n.inputs.map(() => undefined), regions: n.regions });
  } catch (e) {
    throw new IreetsError('IR_INVALID', (e as Error).message, describeNode(n), { cause: e });
  }
  if (types.length !== n.outputs.length) {
    throw new IreetsError('IR_INVALID', `${n.op} gives ${types.length} results, the node has ${n.outputs.length}`, describeNode(n));
  }
}
