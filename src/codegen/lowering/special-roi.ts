// Lowering rules: roi_align and max_roi_pool, mirroring the reference kernels operation by
// operation in f64 (so sums come out bit-equal). Batch indices read at run time are clamped into
// range: the reference rejects bad ones, a kernel must only stay in bounds.
import { attrFloat, attrInt, attrInts, attrString } from '../../ir/ops/special-util.js';
import { ROI_ALIGN_COORDINATE_MODES, ROI_ALIGN_MODES } from '../../ir/ops/special-vision.js';
import { add, cmp, i32, max, min, mul, select } from '../expr.js';
import type { Expr } from '../kernel-ir.js';
import type { LowerContext } from './registry.js';
import { defineLowering } from './registry.js';
import {
  declare, elementF64, f64, fadd, fcmp, fdiv, fmax, fmin, fmul, fromF64, fromI32, fsel, fsub, funary, hoist, or, required, roundHalfAway, set,
  toI32,
} from './special-util.js';

/** i32 clamp into [lo, hi]. */
const clampI = (e: Expr, lo: number, hi: number): Expr => min(max(e, i32(lo)), i32(hi));

/** Bilinear corners of one sampling point: (row, column) in an H×W plane and their weights. */
interface Corners {
  at: [Expr, Expr][];
  weight: Expr[];
}

/** The reference's samplingTaps for one point (y, x): all-zero weights at (0, 0) off the map. */
function bilinearCorners(ctx: LowerContext, y: Expr, x: Expr, height: number, width: number): Corners {
  const off = ctx.bind(or(or(fcmp('lt', y, f64(-1)), fcmp('gt', y, f64(height))), or(fcmp('lt', x, f64(-1)), fcmp('gt', x, f64(width)))), 'i32');
  const axis = (v: Expr, extent: number): { low: Expr; high: Expr; frac: Expr } => {
    const c = ctx.bind(fmax(v, f64(0)), 'f64');
    // trunc of a value ≥ 0; clamped so an off-map point (masked below) still converts sanely.
    const low0 = ctx.bind(toI32(funary('trunc', fmin(c, f64(extent)))), 'i32');
    const atEdge = ctx.bind(cmp('ge', low0, i32(extent - 1)), 'i32');
    const gated = (e: Expr): Expr => ctx.bind(select(off, i32(0), e, 'i32'), 'i32');
    return {
      low: gated(select(atEdge, i32(extent - 1), low0, 'i32')),
      high: gated(select(atEdge, i32(extent - 1), add(low0, i32(1)), 'i32')),
      frac: ctx.bind(fsel(atEdge, f64(0), fsub(c, fromI32(low0))), 'f64'),
    };
  };
  const ya = axis(y, height);
  const xa = axis(x, width);
  const ly = ya.frac;
  const lx = xa.frac;
  const hy = ctx.bind(fsub(f64(1), ly), 'f64');
  const hx = ctx.bind(fsub(f64(1), lx), 'f64');
  const gate = (w: Expr): Expr => ctx.bind(fsel(off, f64(0), w), 'f64');
  return {
    at: [[ya.low, xa.low], [ya.low, xa.high], [ya.high, xa.low], [ya.high, xa.high]],
    weight: [gate(fmul(hy, hx)), gate(fmul(hy, lx)), gate(fmul(ly, hx)), gate(fmul(ly, lx))],
  };
}

defineLowering('roi_align', (ctx, node, idx) => {
  const x = required(node, 0, 'X');
  const rois = required(node, 1, 'rois');
  const batchIndices = required(node, 2, 'batch_indices');
  const [batches, , height, width] = ctx.shape(x) as [number, number, number, number];
  const mode = attrString(node.attrs, 'mode', ROI_ALIGN_MODES, 'avg');
  const halfPixel = attrString(node.attrs, 'coordinate_transformation_mode', ROI_ALIGN_COORDINATE_MODES, 'half_pixel') === 'half_pixel';
  const outH = attrInt(node.attrs, 'output_height', 1);
  const outW = attrInt(node.attrs, 'output_width', 1);
  const samplingRatio = attrInt(node.attrs, 'sampling_ratio', 0);
  const scale = attrFloat(node.attrs, 'spatial_scale', 1);
  const offset = halfPixel ? 0.5 : 0;
  const [r, c, ph, pw] = hoist(ctx, idx) as [Expr, Expr, Expr, Expr];

  const batch = ctx.bind(clampI(ctx.bind(toI32(elementF64(ctx, batchIndices, [r])), 'i32'), 0, batches - 1), 'i32');
  const coord = (j: number): Expr => ctx.bind(fsub(fmul(elementF64(ctx, rois, [r, i32(j)]), f64(scale)), f64(offset)), 'f64');
  const startW = coord(0);
  const startH = coord(1);
  let roiW = fsub(coord(2), startW);
  let roiH = fsub(coord(3), startH);
  if (!halfPixel) {
    roiW = fmax(roiW, f64(1));
    roiH = fmax(roiH, f64(1));
  }
  roiW = ctx.bind(roiW, 'f64');
  roiH = ctx.bind(roiH, 'f64');
  const binH = ctx.bind(fdiv(roiH, f64(outH)), 'f64');
  const binW = ctx.bind(fdiv(roiW, f64(outW)), 'f64');
  const gridOf = (extent: Expr, out: number): Expr =>
    samplingRatio > 0 ? i32(samplingRatio) : ctx.bind(toI32(fmax(f64(0), funary('ceil', fdiv(extent, f64(out))))), 'i32');
  const gridH = gridOf(roiH, outH);
  const gridW = gridOf(roiW, outW);
  const samples = ctx.bind(mul(gridH, gridW), 'i32');

  const acc = declare(ctx, 'raacc', f64(mode === 'avg' ? 0 : -Infinity), 'f64');
  const cellY = ctx.bind(fadd(startH, fmul(fromI32(ph), binH)), 'f64');
  const cellX = ctx.bind(fadd(startW, fmul(fromI32(pw), binW)), 'f64');
  ctx.loop(i32(0), gridH, (iy) => {
    const y = ctx.bind(fadd(cellY, fdiv(fmul(fadd(fromI32(iy), f64(0.5)), binH), fromI32(gridH))), 'f64');
    ctx.loop(i32(0), gridW, (ix) => {
      const xx = ctx.bind(fadd(cellX, fdiv(fmul(fadd(fromI32(ix), f64(0.5)), binW), fromI32(gridW))), 'f64');
      const corners = bilinearCorners(ctx, y, xx, height, width);
      const values = corners.at.map(([yy, xw], t) => fmul(corners.weight[t]!, elementF64(ctx, x, [batch, c, yy, xw])));
      if (mode === 'avg') {
        set(ctx, acc, values.reduce((a, v) => fadd(a, v), acc as Expr));
      } else {
        // Max mode takes the largest weighted corner; a NaN corner makes the sample NaN, which never wins.
        const v = ctx.bind(values.reduce((a, b) => fmax(a, b)), 'f64');
        set(ctx, acc, fsel(fcmp('gt', v, acc), v, acc));
      }
    });
  });
  const result = mode === 'avg'
    ? fdiv(acc, fromI32(max(samples, i32(1))))
    : fsel(cmp('eq', samples, i32(0)), f64(0), acc);
  return fromF64(ctx, result, node.outputs[0]!.type.dtype);
});

defineLowering('max_roi_pool', (ctx, node, idx) => {
  const x = required(node, 0, 'X');
  const rois = required(node, 1, 'rois');
  const [batches, , height, width] = ctx.shape(x) as [number, number, number, number];
  const [pooledH, pooledW] = attrInts(node.attrs, 'pooled_shape') as [number, number];
  const scale = attrFloat(node.attrs, 'spatial_scale', 1);
  const [r, c, ph, pw] = hoist(ctx, idx) as [Expr, Expr, Expr, Expr];

  const field = (j: number): Expr => elementF64(ctx, rois, [r, i32(j)]);
  const batch = ctx.bind(clampI(toI32(funary('trunc', field(0))), 0, batches - 1), 'i32');
  const corner = (j: number): Expr => ctx.bind(roundHalfAway(ctx, fmul(field(j), f64(scale))), 'f64');
  const startW = corner(1);
  const startH = corner(2);
  const endW = corner(3);
  const endH = corner(4);
  const binH = ctx.bind(fdiv(fmax(fadd(fsub(endH, startH), f64(1)), f64(1)), f64(pooledH)), 'f64');
  const binW = ctx.bind(fdiv(fmax(fadd(fsub(endW, startW), f64(1)), f64(1)), f64(pooledW)), 'f64');
  // Bounds of the bin, clamped into [0, extent] (in f64, then exact small integers).
  const bound = (cell: Expr, bin: Expr, start: Expr, round: 'floor' | 'ceil', extent: number): Expr =>
    ctx.bind(toI32(fmin(fmax(fadd(funary(round, fmul(cell, bin)), start), f64(0)), f64(extent))), 'i32');
  const h0 = bound(fromI32(ph), binH, startH, 'floor', height);
  const h1 = bound(fromI32(add(ph, i32(1))), binH, startH, 'ceil', height);
  const w0 = bound(fromI32(pw), binW, startW, 'floor', width);
  const w1 = bound(fromI32(add(pw, i32(1))), binW, startW, 'ceil', width);

  const empty = or(cmp('le', h1, h0), cmp('le', w1, w0));
  const best = declare(ctx, 'rpmax', fsel(empty, f64(0), f64(-Infinity)), 'f64');
  ctx.loop(h0, h1, (h) => {
    ctx.loop(w0, w1, (w) => {
      const v = ctx.bind(elementF64(ctx, x, [batch, c, h, w]), 'f64');
      set(ctx, best, fsel(fcmp('gt', v, best), v, best));
    });
  });
  return fromF64(ctx, best, node.outputs[0]!.type.dtype);
});
