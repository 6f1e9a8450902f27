// Fast CPU strategy for matmul regions (f32): register tiles of MR rows × 8 columns held in f32x4
// locals across the K loop, each step broadcasting one A element per row against two B vectors
// (B's 8 columns contiguous: constant weights are pre-packed in panels of 8, see pack-weights).
// Operands may reach their buffers through fused index remaps; their access is fitted to
// constant strides (access-fit). The elementwise epilogue runs on the tile before it is stored.
import type { Value } from '../../ir/graph.js';
import type { DispatchRegion } from '../../ir/partition.js';
import { staticSize } from '../../ir/types.js';
import { add, broadcastIndex, delinearize, div, i32, min, mul, sub } from '../expr.js';
import type { Expr, Kernel, VecExpr } from '../kernel-ir.js';
import { atOrigin, divisorsDescending, fitLinear, type Coordinate } from './access-fit.js';
import { emitEpilogue } from './epilogue.js';
import { substitute } from './expr-tools.js';
import { KernelBuilder } from './kernel-builder.js';
import { elementAccess, splitRegion, staticShape, type ElementAccess } from './region-parts.js';
import { lowerDotMatmul } from './matmul-dot.js';
import { emitPanels } from './panels.js';
import { splitWork } from './work-split.js';
import type { KernelTuning } from '../kernel-tuning.js';
import { memoByRegion } from './region-memo.js';

/**
 * Rows of a register tile (MR) by default (the `tileRows` knob). MR × 2 f32x4 accumulators, 2 B
 * vectors and an A splat: on x64 (16 SIMD registers) V8 keeps MR = 4 in registers, 5 and 6 spill
 * in the K loop; arm64's 32 registers hold up to 6, the most the tuning space tries.
 */
export const MATMUL_ROWS = 4;
export const MAX_MATMUL_ROWS = 6;
export const PANEL = 8;
/** K steps per loop iteration by default (the `unroll` knob; on x64 2 and 4 already spill). */
export const MATMUL_UNROLL = 1;

const v = (name: string): Expr => ({ k: 'var', name, t: 'i32' });

/** An operand's strides: index = base(batch) + Σ coef·coord. */
export interface OperandFit {
  access: ElementAccess;
  /** Row (A: m) or panel-lane (B: n within a panel) stride, and B's panel stride. */
  outer: number;
  lane: number;
  panel: number;
  /** K chunk stride and in-chunk stride (k = chunk·G + inChunk). */
  chunk: number;
  inner: number;
}

export interface MatmulPlan {
  batch: number[];
  m: number;
  n: number;
  k: number;
  /** K is walked in chunks of `g` (g = k unless an operand's layout is piecewise in k). */
  g: number;
  a: OperandFit;
  b: OperandFit;
  /** Whether whole 8-wide panels may be loaded past n (the buffer holds them). */
  bPadded: boolean;
}

export const batchVars = (rank: number): string[] => Array.from({ length: rank }, (_, d) => `$b${d}`);

/**
 * The workgroup's batch sample (wgid.z) as indices, and A's and B's element index at the origin
 * of that sample's matrices: where every matmul micro-kernel starts its pointers.
 */
export function operandBases(b: KernelBuilder, plan: MatmulPlan): { batchIdx: Expr[]; aBase: Expr; bBase: Expr } {
  const bz = b.let({ k: 'wgid', dim: 2 }, 'bz');
  const batchIdx = delinearize(bz, plan.batch).map((e) => b.let(e, 'bi'));
  const bvars = batchVars(plan.batch.length);
  const bindBatch = (index: Expr): Expr => substitute(index, new Map(bvars.map((nm, d) => [nm, batchIdx[d]!])));
  const aBase = b.let(atOrigin(bindBatch(plan.a.access.index), ['$m', '$k']), 'abase');
  const bBase = b.let(atOrigin(bindBatch(plan.b.access.index), ['$k', '$n']), 'bbase');
  return { batchIdx, aBase, bBase };
}

function batchPoints(batch: readonly number[]): number[][] {
  const total = batch.reduce((a, b) => a * b, 1);
  const pick = total <= 64 ? Array.from({ length: total }, (_, i) => i) : [0, 1, total >> 1, total - 1];
  return pick.map((p) => {
    const idx: number[] = [];
    let rest = p;
    for (let d = batch.length - 1; d >= 0; d--) {
      idx[d] = rest % batch[d]!;
      rest = Math.floor(rest / batch[d]!);
    }
    return idx;
  });
}

/** Fits an operand's index over (outer coords, k chunk, k in chunk) at every batch point. */
function fitOperand(index: Expr, coords: Coordinate[], k: number, g: number, points: number[][], bvars: string[]): number[] | undefined {
  const kExpr = add(mul(v('$kc'), i32(g)), v('$ki'));
  const composed = substitute(index, new Map([['$k', kExpr]]));
  const all = [...coords, { name: '$kc', extent: k / g }, { name: '$ki', extent: g }];
  let coefs: number[] | undefined;
  for (const p of points) {
    const fixed = new Map(bvars.map((n, d) => [n, p[d]!]));
    const fit = fitLinear(composed, all, fixed);
    if (!fit) return undefined;
    if (coefs && fit.coefs.some((c, i) => c !== coefs![i])) return undefined;
    coefs = fit.coefs;
  }
  return coefs;
}

export function planMatmul(region: DispatchRegion, a: Value, bv: Value, out: Value): MatmulPlan | undefined {
  const as = staticShape(a);
  const bs = staticShape(bv);
  const os = staticShape(out);
  if (as.length < 2 || bs.length < 2 || os.length < 2) return undefined;
  const [m, k] = [as[as.length - 2]!, as[as.length - 1]!];
  const n = bs[bs.length - 1]!;
  if (m === 0 || n === 0 || k === 0) return undefined;
  const batch = os.slice(0, -2);
  const bvars = batchVars(batch.length);
  const bIdx = bvars.map(v);
  const aAccess = elementAccess(region, a, [...broadcastIndex(bIdx, as.slice(0, -2)), v('$m'), v('$k')]);
  const bAccess = elementAccess(region, bv, [...broadcastIndex(bIdx, bs.slice(0, -2)), v('$k'), v('$n')]);
  if (!aAccess || !bAccess) return undefined;
  const points = batchPoints(batch);
  const np = Math.ceil(n / PANEL);
  const nExpr = add(mul(v('$np'), i32(PANEL)), v('$nl'));
  const bIndex = substitute(bAccess.index, new Map([['$n', nExpr]]));
  for (const g of divisorsDescending(k)) {
    const ac = fitOperand(aAccess.index, [{ name: '$m', extent: m }], k, g, points, bvars);
    if (!ac) continue;
    const bc = fitOperand(bIndex, [{ name: '$np', extent: np }, { name: '$nl', extent: PANEL }], k, g, points, bvars);
    if (!bc) return undefined;
    // Whole panels may be loaded when the padded lanes still fall inside B's buffer.
    const bSize = staticSize(region.inputs[bAccess.binding]!.type.shape as number[]);
    const span = Math.max(0, bc[0]!) * (np - 1) + Math.max(0, bc[1]!) * (PANEL - 1) + Math.max(0, bc[2]!) * (k / g - 1) + Math.max(0, bc[3]!) * (g - 1);
    const negative = bc.some((c) => c < 0);
    const bPadded = !negative && points.every((p) => {
      const base = fitLinear(bIndex, [], new Map([...bvars.map((nm, d) => [nm, p[d]!] as [string, number]), ['$np', 0], ['$nl', 0], ['$k', 0]]));
      return base !== undefined && base.base + span < bSize;
    });
    return {
      batch, m, n, k, g,
      a: { access: aAccess, outer: ac[0]!, lane: 0, panel: 0, chunk: ac[1]!, inner: ac[2]! },
      b: { access: bAccess, outer: 0, lane: bc[1]!, panel: bc[0]!, chunk: bc[2]!, inner: bc[3]! },
      bPadded,
    };
  }
  return undefined;
}

/** A matmul region the strategy takes: its plan, and whether it runs as dot products. */
export interface MatmulMatch {
  out: Value;
  plan: MatmulPlan;
  /** B's columns strided but both operands contiguous along K (attention's Q·Kᵀ): dot products. */
  dot: boolean;
}

/** The region's matmul match, or undefined when the strategy does not take it. */
export const matchMatmul = memoByRegion(matchMatmulRegion);

function matchMatmulRegion(region: DispatchRegion): MatmulMatch | undefined {
  if (region.batchedOutput || region.batchedInputs.some(Boolean)) return undefined;
  const parts = splitRegion(region, new Set(['matmul']));
  if (!parts) return undefined;
  const root = parts.root;
  const [a, bv] = root.inputs;
  const out = root.outputs[0]!;
  if (!a || !bv || a.type.dtype !== 'f32' || bv.type.dtype !== 'f32' || out.type.dtype !== 'f32') return undefined;
  const plan = planMatmul(region, a, bv, out);
  if (!plan) return undefined;
  return { out, plan, dot: plan.b.lane !== 1 && plan.a.inner === 1 && plan.b.inner === 1 && plan.g === plan.k };
}

/**
 * Lowers a matmul region with register tiles, or returns undefined when it does not fit. Knobs:
 * `tileRows` (MR), `unroll` (K steps per loop iteration), `workgroups` (the split's target).
 */
export function lowerMatmulRegion(region: DispatchRegion, name: string, tuning: KernelTuning = {}): Kernel | undefined {
  const match = matchMatmul(region);
  if (!match) return undefined;
  const { out, plan } = match;
  if (match.dot) return lowerDotMatmul(region, name, out, plan, tuning);
  const MR = Math.max(1, tuning.tileRows ?? MATMUL_ROWS);
  const UNROLL = Math.max(1, tuning.unroll ?? MATMUL_UNROLL);
  const { batch, m, n, k, g } = plan;
  const np = Math.ceil(n / PANEL);
  const nb = batch.reduce((x, y) => x * y, 1);
  const mTiles = Math.ceil(m / MR);
  const split = splitWork([np, mTiles], nb * m * n * k, nb, { target: tuning.workgroups });
  const [panelsPer, tilesPer] = split.per as [number, number];
  const rowsPer = tilesPer * MR;

  const b = new KernelBuilder();
  const { batchIdx, aBase, bBase } = operandBases(b, plan);
  const p0 = b.let(mul({ k: 'wgid', dim: 0 }, i32(panelsPer)), 'p0');
  const pEnd = b.let(min(add(p0, i32(panelsPer)), i32(np)), 'pend');
  const m0 = b.let(mul({ k: 'wgid', dim: 1 }, i32(rowsPer)), 'm0');
  const mEnd = b.let(min(add(m0, i32(rowsPer)), i32(m)), 'mend');
  const fullTiles = b.let(div(sub(mEnd, m0), i32(MR)), 'tiles');
  const mTail = m % MR;

  const tile = (p: Expr, row0: Expr, rows: number, lanes: number): void => {
    const vecs = Math.ceil(lanes / 4);
    const acc = Array.from({ length: rows }, () => Array.from({ length: vecs }, () => b.vlet({ k: 'vsplat', a: { k: 'const', t: 'f32', v: 0 } }, 'acc')));
    const aRow = b.let(add(aBase, mul(row0, i32(plan.a.outer))), 'arow');
    const bPanel = b.let(add(bBase, mul(p, i32(plan.b.panel))), 'bpan');
    const step = (aK: Expr, bK: Expr, kk: Expr, u: number): void => {
      const bVec: VecExpr[] = [];
      for (let q = 0; q < vecs; q++) {
        const at = add(add(bK, mul(kk, i32(plan.b.inner))), i32(u * plan.b.inner + q * 4 * plan.b.lane));
        const laneCount = Math.min(4, lanes - q * 4);
        const full = plan.bPadded || laneCount === 4;
        bVec.push(b.vlet({ k: 'vload', binding: plan.b.access.binding, index: at, stride: plan.b.lane, ...(full ? {} : { lanes: laneCount }) }, 'bv'));
      }
      for (let r = 0; r < rows; r++) {
        const at = add(add(aK, mul(kk, i32(plan.a.inner))), i32(u * plan.a.inner + r * plan.a.outer));
        const av = b.vlet({ k: 'vsplat', a: { k: 'load', binding: plan.a.access.binding, index: at, t: 'f32' } }, 'av');
        for (let q = 0; q < vecs; q++) {
          const cell = acc[r]![q]!;
          b.emit({ k: 'vlet', name: cell.name, value: { k: 'vbinary', op: 'add', a: cell, b: { k: 'vbinary', op: 'mul', a: av, b: bVec[q]! } } });
        }
      }
    };
    const chunkBody = (aK: Expr, bK: Expr): void => {
      const unrolled = g - (g % UNROLL);
      if (unrolled > 0) {
        // The loop walks B's element index and carries A's along: each step's loads are then
        // a pointer plus constant offsets (no index arithmetic per step).
        const aPtr = b.fresh('ap');
        b.emit({ k: 'var', name: aPtr, value: aK });
        const ap: Expr = { k: 'var', name: aPtr, t: 'i32' };
        const bStep = UNROLL * plan.b.inner;
        if (bStep > 0) {
          b.loop(bK, add(bK, i32(unrolled * plan.b.inner)), (bp) => {
            for (let u = 0; u < UNROLL; u++) step(ap, bp, i32(0), u);
            b.emit({ k: 'assign', name: aPtr, value: add(ap, i32(UNROLL * plan.a.inner)) });
          }, bStep);
        } else {
          b.loop(0, unrolled, (kk) => { for (let u = 0; u < UNROLL; u++) step(aK, bK, kk, u); }, UNROLL);
        }
      }
      for (let u = unrolled; u < g; u++) step(aK, bK, i32(0), u);
    };
    if (k === g) {
      chunkBody(aRow, bPanel);
    } else {
      b.loop(0, k / g, (kc) => chunkBody(b.let(add(aRow, mul(kc, i32(plan.a.chunk))), 'ak'), b.let(add(bPanel, mul(kc, i32(plan.b.chunk))), 'bk')));
    }
    const n0 = mul(p, i32(PANEL));
    for (let r = 0; r < rows; r++) {
      for (let q = 0; q < vecs; q++) {
        emitEpilogue(b, region, out, {
          idx: [...batchIdx, add(row0, i32(r)), add(n0, i32(q * 4))],
          laneDim: batch.length + 1,
          lanes: Math.min(4, lanes - q * 4),
          acc: acc[r]![q]!,
        });
      }
    }
  };

  const panelColumns = (p: Expr, lanes: number): void => {
    b.loop(0, fullTiles, (t) => tile(p, b.let(add(m0, mul(t, i32(MR))), 'row'), MR, lanes));
    if (mTail > 0) b.when({ k: 'binary', op: 'eq', a: mEnd, b: i32(m), t: 'i32' }, () => tile(p, i32(m - mTail), mTail, lanes));
  };
  emitPanels(b, np, n, p0, pEnd, panelColumns);

  return b.kernel(region, name, [i32(split.count[0]!), i32(split.count[1]!), i32(nb)]);
}
