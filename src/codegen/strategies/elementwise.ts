// Fast CPU strategy for elementwise regions with transcendentals (exp, erf, sigmoid): the
// generic loop calls the host's Math once per element; here the whole fused program runs in
// f32x4 lanes along the output's last dim, with vector forms of those functions.
import { getOpDef } from '../../ir/ops/registry.js';
import type { DispatchRegion } from '../../ir/partition.js';
import { staticSize } from '../../ir/types.js';
import { add, delinearize, i32, min, mul } from '../expr.js';
import type { Expr, Kernel, VecExpr } from '../kernel-ir.js';
import { emitEpilogue } from './epilogue.js';
import { KernelBuilder } from './kernel-builder.js';
import { staticShape } from './region-parts.js';
import { splitWork } from './work-split.js';
import type { KernelTuning } from '../kernel-tuning.js';

const VECTOR_MATH: ReadonlySet<string> = new Set(['exp', 'erf', 'sigmoid']);
/** Regions with fewer output elements stay with the generic loop. */
export const MIN_ELEMENTS = 1024;
const unused: VecExpr = { k: 'vsplat', a: { k: 'const', t: 'f32', v: 0 } };

/** Lowers an elementwise region with vector math, or returns undefined when it does not fit. Knob: `workgroups`. */
export function lowerElementwiseRegion(region: DispatchRegion, name: string, tuning: KernelTuning = {}): Kernel | undefined {
  if (region.batchedOutput || region.batchedInputs.some(Boolean)) return undefined;
  if (region.output.type.dtype !== 'f32') return undefined;
  const kinds = region.nodes.map((n) => getOpDef(n.op)?.kind);
  if (kinds.some((k) => k !== 'elementwise' && k !== 'movement')) return undefined;
  if (!region.nodes.some((n) => VECTOR_MATH.has(n.op) && n.outputs[0]!.type.dtype === 'f32')) return undefined;
  const shape = staticShape(region.output);
  const inner = shape.length > 0 ? shape[shape.length - 1]! : 1;
  const total = staticSize(shape);
  // Small regions keep the generic loop: it calls the host's Math (exactly the reference's
  // results), and the vector forms (within 2 ulp) only pay off on many elements.
  if (inner < 4 || total < MIN_ELEMENTS) return undefined;
  const rows = total / inner;
  const split = splitWork([rows], total * 8, 1, { target: tuning.workgroups });
  const rowsPer = split.per[0]!;

  const b = new KernelBuilder();
  const r0 = b.let(mul({ k: 'wgid', dim: 0 }, i32(rowsPer)), 'r0');
  const rEnd = b.let(min(add(r0, i32(rowsPer)), i32(rows)), 'rend');
  b.loop(r0, rEnd, (row) => {
    const outer = delinearize(row, shape.slice(0, -1)).map((e) => b.let(e, 'ix'));
    const site = (col: Expr, lanes: number): void => {
      emitEpilogue(b, region, null, { idx: [...outer, col], laneDim: shape.length - 1, lanes, acc: unused });
    };
    const vectors = Math.floor(inner / 4);
    b.loop(0, vectors, (q) => site(b.let(mul(q, i32(4)), 'col'), 4));
    if (inner % 4 !== 0) site(i32(vectors * 4), inner % 4);
  });
  if (containsPerLane(b.body)) return undefined;

  return b.kernel(region, name, [i32(split.count[0]!), i32(1), i32(1)]);
}

/** Whether the epilogue fell back to per-lane scalar code (then the generic loop is as good). */
function containsPerLane(stmts: Kernel['body']): boolean {
  return stmts.some((s) => s.k === 'vunpack' || (s.k === 'for' && containsPerLane(s.body)) || (s.k === 'if' && (containsPerLane(s.then) || containsPerLane(s.else ?? []))));
}
