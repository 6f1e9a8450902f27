// Matmul tiles as dot products, for operands that are both contiguous along K while B's columns
// are not contiguous (attention's Q·Kᵀ reads K's rows): a tile of 2 rows × 4 columns keeps 8
// f32x4 partial sums over K, four K steps per load; at the end each row's four sums fold across
// their lanes (a 4×4 transpose and three adds) into one vector along the output row.
import type { Value } from '../../ir/graph.js';
import type { DispatchRegion } from '../../ir/partition.js';
import { add, div, i32, min, mul, sub } from '../expr.js';
import type { Expr, Kernel, VecExpr } from '../kernel-ir.js';
import { emitEpilogue } from './epilogue.js';
import { KernelBuilder } from './kernel-builder.js';
import { operandBases, type MatmulPlan } from './matmul.js';
import { splitWork } from './work-split.js';
import type { KernelTuning } from '../kernel-tuning.js';

/**
 * Rows of a tile by default (the `tileRows` knob). ROWS × 4 accumulators, 4 B vectors and ROWS A
 * vectors: 2 rows fit x64's 16 SIMD registers, 3 spill there (not on arm64's 32).
 */
export const DOT_ROWS = 2;
export const MAX_DOT_ROWS = 3;
const COLS = 4;

/** Folds four vectors' lanes: lane j of the result = sum of the lanes of v[j]. */
function sumLanes(b: KernelBuilder, v: readonly VecExpr[]): VecExpr {
  const sh = (x: VecExpr, y: VecExpr, lanes: [number, number, number, number]): VecExpr => b.vlet({ k: 'vshuffle', a: x, b: y, lanes }, 'tr');
  const add4 = (x: VecExpr, y: VecExpr): VecExpr => ({ k: 'vbinary', op: 'add', a: x, b: y });
  // (v0 v1 interleaved) + (the other halves) pairs lanes; then once more across the pairs.
  const t0 = b.vlet(add4(sh(v[0]!, v[1]!, [0, 4, 1, 5]), sh(v[0]!, v[1]!, [2, 6, 3, 7])), 'sum');
  const t1 = b.vlet(add4(sh(v[2]!, v[3]!, [0, 4, 1, 5]), sh(v[2]!, v[3]!, [2, 6, 3, 7])), 'sum');
  return b.vlet(add4(sh(t0, t1, [0, 1, 4, 5]), sh(t0, t1, [2, 3, 6, 7])), 'sum');
}

/** Knobs: `tileRows` (rows of a tile), `workgroups` (the split's target). */
export function lowerDotMatmul(region: DispatchRegion, name: string, out: Value, plan: MatmulPlan, tuning: KernelTuning = {}): Kernel {
  const ROWS = Math.max(1, tuning.tileRows ?? DOT_ROWS);
  const { batch, m, n, k } = plan;
  const nb = batch.reduce((x, y) => x * y, 1);
  const colTiles = Math.ceil(n / COLS);
  const rowTiles = Math.ceil(m / ROWS);
  const split = splitWork([colTiles, rowTiles], nb * m * n * k, nb, { target: tuning.workgroups });
  const [colsPer, rowsPerTiles] = split.per as [number, number];
  const rowsPer = rowsPerTiles * ROWS;

  const b = new KernelBuilder();
  const { batchIdx, aBase, bBase } = operandBases(b, plan);
  const c0 = b.let(mul({ k: 'wgid', dim: 0 }, i32(colsPer)), 'c0');
  const cEnd = b.let(min(add(c0, i32(colsPer)), i32(colTiles)), 'cend');
  const m0 = b.let(mul({ k: 'wgid', dim: 1 }, i32(rowsPer)), 'm0');
  const mEnd = b.let(min(add(m0, i32(rowsPer)), i32(m)), 'mend');
  const fullRowTiles = b.let(div(sub(mEnd, m0), i32(ROWS)), 'tiles');
  const kFull = k - (k % 4);

  const tile = (n0: Expr, row0: Expr, rows: number, cols: number): void => {
    const acc = Array.from({ length: rows }, () => Array.from({ length: COLS }, () => b.vlet({ k: 'vsplat', a: { k: 'const', t: 'f32', v: 0 } }, 'acc')));
    const aRow = b.let(add(aBase, mul(row0, i32(plan.a.outer))), 'arow');
    // Column j of B starts at bCol + j·(column stride); columns past n repeat the last one.
    const bCol = b.let(add(bBase, mul(n0, i32(plan.b.lane))), 'bcol');
    /** Four K steps at A element `a` and B element `bk` (pointers plus constant offsets). */
    const step = (a: Expr, bk: Expr, lanes: number): void => {
      const part = lanes < 4 ? { lanes } : {};
      const bv = Array.from({ length: COLS }, (_, j) => b.vlet({ k: 'vload', binding: plan.b.access.binding, index: add(bk, i32(Math.min(j, cols - 1) * plan.b.lane)), stride: 1, ...part }, 'bv'));
      for (let r = 0; r < rows; r++) {
        const av = b.vlet({ k: 'vload', binding: plan.a.access.binding, index: add(a, i32(r * plan.a.outer)), stride: 1, ...part }, 'av');
        acc[r]!.forEach((cell, j) => {
          if (cell.k !== 'vvar') throw new Error('accumulators are locals');
          b.emit({ k: 'vlet', name: cell.name, value: { k: 'vbinary', op: 'add', a: cell, b: { k: 'vbinary', op: 'mul', a: av, b: bv[j]! } } });
        });
      }
    };
    if (kFull > 0) {
      // The loop walks B's element index and carries A's along.
      const aName = b.fresh('ap');
      b.emit({ k: 'var', name: aName, value: aRow });
      const ap: Expr = { k: 'var', name: aName, t: 'i32' };
      b.loop(bCol, add(bCol, i32(kFull)), (bk) => {
        step(ap, bk, 4);
        b.emit({ k: 'assign', name: aName, value: add(ap, i32(4)) });
      }, 4);
    }
    if (k % 4 !== 0) step(add(aRow, i32(kFull)), add(bCol, i32(kFull)), k % 4);
    for (let r = 0; r < rows; r++) {
      emitEpilogue(b, region, out, { idx: [...batchIdx, add(row0, i32(r)), n0], laneDim: batch.length + 1, lanes: cols, acc: sumLanes(b, acc[r]!) });
    }
  };

  const rowsOf = (n0: Expr, cols: number): void => {
    b.loop(0, fullRowTiles, (t) => tile(n0, b.let(add(m0, mul(t, i32(ROWS))), 'row'), ROWS, cols));
    if (m % ROWS !== 0) b.when({ k: 'binary', op: 'eq', a: mEnd, b: i32(m), t: 'i32' }, () => tile(n0, i32(m - (m % ROWS)), m % ROWS, cols));
  };
  const fullCols = Math.floor(n / COLS);
  b.loop(c0, min(cEnd, i32(fullCols)), (c) => rowsOf(b.let(mul(c, i32(COLS)), 'n0'), COLS));
  if (n % COLS !== 0) b.when({ k: 'binary', op: 'eq', a: cEnd, b: i32(colTiles), t: 'i32' }, () => rowsOf(i32(fullCols * COLS), n % COLS));

  return b.kernel(region, name, [i32(split.count[0]!), i32(split.count[1]!), i32(nb)]);
}
