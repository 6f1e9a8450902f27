// Fast CPU strategy for f32 reductions over the trailing axes — softmax's row max and sum,
// LayerNorm's means, a global average pool — with their fused elementwise producers and epilogue:
// rows of the last axis fold four lanes at a time (the producer program vectorized), then the
// lanes fold into one.
import { reductionAxes } from '../../ir/ops/reduction.js';
import type { DispatchRegion } from '../../ir/partition.js';
import { staticSize } from '../../ir/types.js';
import { add, delinearize, i32, min, mul } from '../expr.js';
import type { Expr, Kernel, VecBinaryOp, VecExpr } from '../kernel-ir.js';
import { RegionLowering } from '../lowering/region-context.js';
import { emitEpilogue, laneVector, scalarElement } from './epilogue.js';
import { KernelBuilder } from './kernel-builder.js';
import { splitRegion, staticShape } from './region-parts.js';
import { splitWork } from './work-split.js';
import type { KernelTuning } from '../kernel-tuning.js';

type Kind = 'sum' | 'mean' | 'max' | 'min';
const KINDS: Readonly<Record<string, Kind>> = { reduce_sum: 'sum', reduce_mean: 'mean', reduce_max: 'max', reduce_min: 'min' };
// max/min let a NaN through like the reference (a NaN sticks once seen).
const VEC_OP: Readonly<Record<Kind, VecBinaryOp>> = { sum: 'add', mean: 'add', max: 'maximum', min: 'minimum' };
const IDENTITY: Readonly<Record<Kind, number>> = { sum: 0, mean: 0, max: -Infinity, min: Infinity };
/** Reductions of fewer elements than this are left to the generic rule. */
export const MIN_ROW = 16;

function reducedAxes(region: DispatchRegion, root: DispatchRegion['nodes'][number], rank: number): number[] | 'noop' | undefined {
  const axesOperand = root.inputs[1] ?? null;
  if (axesOperand && staticSize(axesOperand.type.shape as number[]) > 0) {
    const t = new RegionLowering(region).constant(axesOperand);
    if (!t) return undefined;
    return reductionAxes(t, rank, root.attrs);
  }
  return reductionAxes(null, rank, root.attrs);
}

/** Lowers a trailing-axes reduction region, or returns undefined when it does not fit. Knob: `workgroups`. */
export function lowerRowReduceRegion(region: DispatchRegion, name: string, tuning: KernelTuning = {}): Kernel | undefined {
  if (region.batchedOutput || region.batchedInputs.some(Boolean)) return undefined;
  const parts = splitRegion(region, new Set(Object.keys(KINDS)));
  if (!parts) return undefined;
  const root = parts.root;
  const kind = KINDS[root.op]!;
  const x = root.inputs[0];
  const out = root.outputs[0]!;
  if (!x || x.type.dtype !== 'f32' || out.type.dtype !== 'f32') return undefined;
  const xs = staticShape(x);
  const rank = xs.length;
  const axes = reducedAxes(region, root, rank);
  if (!axes || axes === 'noop') return undefined;
  // The reduced axes must be the trailing ones (e.g. a global average pool's H and W).
  const first = rank - axes.length;
  if (first < 1 || [...axes].sort((p, q) => p - q).some((a, i) => a !== first + i)) return undefined;
  const len = xs[rank - 1]!;
  const outer = xs.slice(first, -1);
  const count = staticSize(xs.slice(first));
  // Small reductions stay with the generic rule: it is as fast there and keeps the reference's
  // exact order (vector lanes fold in another order: sums round differently, ±0 ties may flip).
  if (count < MIN_ROW || len < 4) return undefined;
  const keepdims = (root.attrs['keepdims'] ?? 1) !== 0;
  if (staticShape(out).length === 0) return undefined;
  const rowShape = xs.slice(0, first);
  const rows = staticSize(rowShape);
  if (rows === 0) return undefined;
  const split = splitWork([rows], rows * count * 4, 1, { target: tuning.workgroups });
  const rowsPer = split.per[0]!;

  const b = new KernelBuilder();
  const r0 = b.let(mul({ k: 'wgid', dim: 0 }, i32(rowsPer)), 'r0');
  const rEnd = b.let(min(add(r0, i32(rowsPer)), i32(rows)), 'rend');
  const op = VEC_OP[kind];
  let failed = false;
  b.loop(r0, rEnd, (row) => {
    const idx = delinearize(row, rowShape).map((e) => b.let(e, 'ix'));
    const vectors = Math.floor(len / 4);
    const acc = b.vlet({ k: 'vsplat', a: { k: 'const', t: 'f32', v: IDENTITY[kind] } }, 'acc');
    // Rows of the last axis (one per position of the other reduced axes): vectors, then the
    // tail elements one by one into lane 0 (the identity in the other lanes).
    const lastAxisRow = (pre: readonly Expr[]): void => {
      b.loop(0, vectors, (q) => {
        const xv = laneVector(b, region, x, [...idx, ...pre, b.let(mul(q, i32(4)), 'col')], rank - 1, 4);
        if (!xv) {
          failed = true;
          return;
        }
        b.emit({ k: 'vlet', name: acc.name, value: { k: 'vbinary', op, a: acc, b: xv } });
      });
      for (let t = vectors * 4; t < len; t++) {
        const e = scalarElement(region, x, [...idx, ...pre, i32(t)]);
        if (!e) {
          failed = true;
          break;
        }
        const id: Expr = { k: 'const', t: 'f32', v: IDENTITY[kind] };
        b.emit({ k: 'vlet', name: acc.name, value: { k: 'vbinary', op, a: acc, b: { k: 'vmake', lanes: [e, id, id, id] } } });
      }
    };
    if (outer.length === 0) lastAxisRow([]);
    else b.loop(0, staticSize(outer), (o) => lastAxisRow(delinearize(o, outer).map((e) => b.let(e, 'ox'))));
    // Across the lanes.
    const half = b.vlet({ k: 'vbinary', op, a: acc, b: { k: 'vshuffle', a: acc, b: acc, lanes: [2, 3, 0, 1] } }, 'half');
    let total: VecExpr = b.vlet({ k: 'vbinary', op, a: half, b: { k: 'vshuffle', a: half, b: half, lanes: [1, 0, 3, 2] } }, 'tot');
    if (kind === 'mean') total = b.vlet({ k: 'vbinary', op: 'div', a: total, b: { k: 'vsplat', a: { k: 'const', t: 'f32', v: count } } }, 'mean');
    const outIdx: Expr[] = keepdims ? [...idx, ...axes.map(() => i32(0))] : idx;
    emitEpilogue(b, region, out, { idx: outIdx, laneDim: outIdx.length - 1, lanes: 1, acc: total });
  });
  if (failed) return undefined;

  return b.kernel(region, name, [i32(split.count[0]!), i32(1), i32(1)]);
}
