// The shape of a region a fast strategy handles: one heavy root (matmul, conv), index remaps
// before it that feed its operands, and an elementwise epilogue after it of the root's shape
// (bias, batch norm, activation, residual add), computed right where the root's tile is.
import type { Node, Value } from '../../ir/graph.js';
import { getOpDef } from '../../ir/ops/registry.js';
import type { DispatchRegion } from '../../ir/partition.js';
import { RegionLowering } from '../lowering/region-context.js';
import type { Expr } from '../kernel-ir.js';
import { inlineLets } from './expr-tools.js';
import '../lowering/index.js';

export interface RegionParts {
  root: Node;
  /** Nodes computed from the root's result, in order; the last one's output is the region's. */
  epilogue: Node[];
}

/** Splits `region` around its one node with op in `rootOps`; undefined if the region has another form. */
export function splitRegion(region: DispatchRegion, rootOps: ReadonlySet<string>): RegionParts | undefined {
  const roots = region.nodes.filter((n) => rootOps.has(n.op));
  if (roots.length !== 1) return undefined;
  const root = roots[0]!;
  if (root.outputs.length !== 1) return undefined;
  const rootShape = root.outputs[0]!.type.shape;
  const outShape = region.output.type.shape;
  if (!rootShape || !outShape || rootShape.length !== outShape.length || rootShape.some((d, i) => d !== outShape[i])) return undefined;
  const at = region.nodes.indexOf(root);
  // Everything before the root must be an index remap (operands of the root, or of the epilogue).
  for (const n of region.nodes.slice(0, at)) {
    const kind = getOpDef(n.op)?.kind;
    if (kind !== 'movement' && kind !== 'elementwise') return undefined;
  }
  const dependsOnRoot = new Set<number>([root.outputs[0]!.id]);
  const epilogue: Node[] = [];
  for (const n of region.nodes.slice(at + 1)) {
    const reads = n.inputs.some((v) => v && dependsOnRoot.has(v.id));
    if (!reads) {
      // A side computation the epilogue reads (e.g. a cast of a bias): fine if it is elementwise or a remap.
      const kind = getOpDef(n.op)?.kind;
      if (kind !== 'movement' && kind !== 'elementwise') return undefined;
      continue;
    }
    if (getOpDef(n.op)?.kind !== 'elementwise') return undefined;
    const s = n.outputs[0]?.type.shape;
    if (n.outputs.length !== 1 || !s || s.length !== rootShape.length || s.some((d, i) => d !== rootShape[i])) return undefined;
    dependsOnRoot.add(n.outputs[0]!.id);
    epilogue.push(n);
  }
  if (!dependsOnRoot.has(region.output.id)) return undefined;
  return { root, epilogue };
}

/** A read of one element of an operand: which binding, at which element index. */
export interface ElementAccess {
  binding: number;
  index: Expr;
}

/**
 * How the region reads element `idx` of `v` (through fused index remaps): a plain f32 load from a
 * binding, or undefined (computed values, padding selects, other dtypes).
 */
export function elementAccess(region: DispatchRegion, v: Value, idx: readonly Expr[]): ElementAccess | undefined {
  let e: Expr;
  const ctx = new RegionLowering(region);
  try {
    e = ctx.value(v, idx);
  } catch {
    return undefined;
  }
  const full = inlineLets(ctx.statements, e);
  if (!full || full.k !== 'load' || full.t !== 'f32') return undefined;
  if (region.inputs[full.binding]?.type.dtype !== 'f32') return undefined;
  return { binding: full.binding, index: full.index };
}

export function staticShape(v: Value): number[] {
  return v.type.shape as number[];
}
