// Fast CPU strategy for 2-D convolutions (f32, one group): an implicit GEMM without an im2col
// buffer. A register tile holds 4 output pixels (the `tileRows` knob) of one output row × 8
// output channels in f32x4 locals; every (input channel, tap) step broadcasts the pixels against
// the 8 channels' weights (pre-packed contiguous per panel of 8 channels, see pack-weights). No
// bounds logic runs per tap: tiles at the row's ends (whose windows reach the padding) are emitted
// at their fixed columns with each pixel's valid taps known at compile time, rows at the border
// bound the vertical taps by their loop. Whole tiles are transposed in registers (4 pixels at a
// time) so the epilogue and the stores run along the output row. 1×1 stride-1 unpadded convs run
// as plain GEMMs over the flattened pixels.
import type { DispatchRegion } from '../../ir/partition.js';
import { add, cmp, div, i32, max, min, mul, sub } from '../expr.js';
import type { Expr, Kernel, VecExpr } from '../kernel-ir.js';
import { fitLinear } from './access-fit.js';
import { emitEpilogue, laneVector } from './epilogue.js';
import { KernelBuilder } from './kernel-builder.js';
import { elementAccess } from './region-parts.js';
import { emitPanels } from './panels.js';
import { splitWork } from './work-split.js';
import { matchConv2d } from './conv-match.js';
import type { KernelTuning } from '../kernel-tuning.js';
import { memoByRegion } from './region-memo.js';

/**
 * Output pixels of a register tile by default (the `tileRows` knob). Pixels × 2 f32x4
 * accumulators, 2 weight vectors and a pixel splat: 4 pixels stay in x64's 16 SIMD registers under
 * V8, 5 and 6 spill in the tap loop; arm64's 32 hold up to 6, the most the tuning space tries.
 */
export const CONV_PIXELS = 4;
export const MAX_CONV_PIXELS = 6;
const PANEL = 8;
/** Kernel rows up to this wide (windows up to its square) are unrolled; bigger ones loop. */
const MAX_UNROLLED_TAPS = 3;
/** Tiles per row emitted at fixed columns (their pixels lack some taps): keep the code small. */
const MAX_STATIC_TILES = 8;

const v = (name: string): Expr => ({ k: 'var', name, t: 'i32' });
const f32zero: VecExpr = { k: 'vsplat', a: { k: 'const', t: 'f32', v: 0 } };

interface ConvGeometry {
  batch: number;
  c: number;
  oc: number;
  h: number;
  w: number;
  oh: number;
  ow: number;
  kh: number;
  kw: number;
  stride: [number, number];
  dilation: [number, number];
  pad: [number, number];
}

interface Strides {
  x: { binding: number; base: number[]; c: number; h: number; w: number };
  wt: { binding: number; panel: number; lane: number; c: number; kh: number; kw: number };
}

function fitConvAccess(region: DispatchRegion, g: ConvGeometry, xv: Parameters<typeof elementAccess>[1], wv: Parameters<typeof elementAccess>[1]): Strides | undefined {
  const xa = elementAccess(region, xv, [v('$b'), v('$c'), v('$h'), v('$w')]);
  const wa = elementAccess(region, wv, [add(mul(v('$p'), i32(PANEL)), v('$j')), v('$c'), v('$kh'), v('$kw')]);
  if (!xa || !wa) return undefined;
  const base: number[] = [];
  let xs: number[] | undefined;
  for (let b = 0; b < g.batch; b++) {
    const fit = fitLinear(xa.index, [{ name: '$c', extent: g.c }, { name: '$h', extent: g.h }, { name: '$w', extent: g.w }], new Map([['$b', b]]));
    if (!fit || (xs && fit.coefs.some((c, i) => c !== xs![i]))) return undefined;
    xs = fit.coefs;
    base.push(fit.base);
  }
  // Weights over whole panels: lanes past OC must still be inside the packed buffer (checked below).
  const np = Math.ceil(g.oc / PANEL);
  const wf = fitLinear(wa.index, [{ name: '$p', extent: np }, { name: '$j', extent: PANEL }, { name: '$c', extent: g.c }, { name: '$kh', extent: g.kh }, { name: '$kw', extent: g.kw }]);
  if (!wf || !xs) return undefined;
  if (wf.coefs.some((c) => c < 0) || xs.some((c) => c < 0)) return undefined;
  const [wp, wj, wc, wkh, wkw] = wf.coefs as [number, number, number, number, number];
  const wSize = (region.inputs[wa.binding]!.type.shape as number[]).reduce((a, b) => a * b, 1);
  const wSpan = wf.base + wp * (np - 1) + wj * (PANEL - 1) + wc * (g.c - 1) + wkh * (g.kh - 1) + wkw * (g.kw - 1);
  // Unpacked weights (lanes not contiguous or no padded panel) are left to the generic lowering.
  if (wj !== 1 || wSpan >= wSize) return undefined;
  return {
    x: { binding: xa.binding, base, c: xs[0]!, h: xs[1]!, w: xs[2]! },
    wt: { binding: wa.binding, panel: wp, lane: wj, c: wc, kh: wkh, kw: wkw },
  };
}

/**
 * Lowers a 2-D conv region with register tiles, or returns undefined when it does not fit. Knobs:
 * `tileRows` (output pixels of a tile), `workgroups` (the split's target).
 */
export function lowerConvRegion(region: DispatchRegion, name: string, tuning: KernelTuning = {}): Kernel | undefined {
  const plan = planConv(region);
  if (!plan) return undefined;
  return emitConv(region, name, plan.out, plan.bias, plan.g, plan.st, tuning);
}

const planConv = memoByRegion((region: DispatchRegion) => {
  const match = matchConv2d(region);
  if (!match || match.group !== 1) return undefined;
  const { parts, xv, wv, bias, xs, ws, os, win, pads } = match;
  const g: ConvGeometry = {
    batch: xs[0]!, c: xs[1]!, oc: ws[0]!, h: xs[2]!, w: xs[3]!, oh: os[2]!, ow: os[3]!, kh: ws[2]!, kw: ws[3]!,
    stride: [win.strides[0]!, win.strides[1]!], dilation: [win.dilations[0]!, win.dilations[1]!], pad: [pads[0]!, pads[1]!],
  };
  if (g.oc === 0 || g.oh === 0 || g.ow === 0 || g.c === 0 || ws[1] !== g.c) return undefined;
  const st = fitConvAccess(region, g, xv, wv);
  if (!st) return undefined;
  return { out: parts.root.outputs[0]!, bias: bias ?? null, g, st };
});

/** Transposes a 4×4 block held as four row vectors into four column vectors (8 shuffles). */
function transpose4(b: KernelBuilder, r: readonly VecExpr[]): VecExpr[] {
  const sh = (a: VecExpr, c: VecExpr, lanes: [number, number, number, number]): VecExpr => b.vlet({ k: 'vshuffle', a, b: c, lanes }, 'tr');
  const t0 = sh(r[0]!, r[1]!, [0, 4, 1, 5]);
  const t1 = sh(r[0]!, r[1]!, [2, 6, 3, 7]);
  const t2 = sh(r[2]!, r[3]!, [0, 4, 1, 5]);
  const t3 = sh(r[2]!, r[3]!, [2, 6, 3, 7]);
  return [sh(t0, t2, [0, 1, 4, 5]), sh(t0, t2, [2, 3, 6, 7]), sh(t1, t3, [0, 1, 4, 5]), sh(t1, t3, [2, 3, 6, 7])];
}

function emitConv(region: DispatchRegion, name: string, out: DispatchRegion['output'], bias: DispatchRegion['output'] | null, g: ConvGeometry, st: Strides, tuning: KernelTuning): Kernel | undefined {
  const tilePixels = Math.max(1, tuning.tileRows ?? CONV_PIXELS);
  const taps = g.kh * g.kw;
  const np = Math.ceil(g.oc / PANEL);
  const [sh, sw] = g.stride;
  const [dh, dw] = g.dilation;
  const [ph, pw] = g.pad;
  // 1×1, stride 1, no padding, rows contiguous: one long row of pixels.
  const flat = taps === 1 && sh === 1 && sw === 1 && ph === 0 && pw === 0 && st.x.h === g.w * st.x.w && g.oh === g.h && g.ow === g.w;
  const rows = flat ? 1 : g.oh;
  const rowPixels = flat ? g.oh * g.ow : g.ow;
  const macs = g.batch * g.oc * g.oh * g.ow * g.c * taps;

  // Output rows with every vertical tap inside the input; columns likewise for horizontal taps.
  const ohLo = Math.min(rows, Math.ceil(ph / sh));
  const ohHi = flat ? 1 : Math.max(ohLo, Math.min(g.oh, Math.floor((g.h - 1 + ph - (g.kh - 1) * dh) / sh) + 1));
  const colTaps = (o: number): number[] => Array.from({ length: g.kw }, (_, t) => t).filter((t) => flat || (o * sw - pw + t * dw >= 0 && o * sw - pw + t * dw <= g.w - 1));
  // Tiles sit at columns t·tilePixels (and a last, partial one). Those whose every pixel has every tap
  // form one run [tLo, tHi) that loops; the others are emitted at their fixed columns, each pixel
  // with its own taps.
  const tiles = Math.floor(rowPixels / tilePixels);
  const rest = rowPixels % tilePixels;
  const full = (t: number): boolean => Array.from({ length: tilePixels }, (_, r) => r).every((r) => colTaps(t * tilePixels + r).length === g.kw);
  let tLo = 0;
  while (tLo < tiles && !full(tLo)) tLo++;
  let tHi = tLo;
  while (tHi < tiles && full(tHi)) tHi++;
  if (tLo + (tiles - tHi) > MAX_STATIC_TILES) return undefined;
  // Whole tiles store through 4×4 transposes (lanes along the output row) when the row holds
  // them: tiles of a multiple of 4 pixels whose groups of 4 stay within one output row.
  const pixelLanes = tilePixels % 4 === 0 && (!flat || g.ow % 4 === 0);

  const units = flat ? tiles + (rest > 0 ? 1 : 0) : rows;
  // Panels split first: each workgroup then streams its weights (often past L2) only once.
  const split = splitWork([np, units], macs, g.batch, { firstAxis: 0, target: tuning.workgroups });
  const [panelsPer, unitsPer] = split.per as [number, number];

  const b = new KernelBuilder();
  const bz = b.let({ k: 'wgid', dim: 2 }, 'bz');
  if (st.x.base.length > 1 && st.x.base.some((x, i) => x !== st.x.base[0]! + i * (st.x.base[1]! - st.x.base[0]!))) return undefined;
  const xBatch = b.let(st.x.base.length === 1 ? i32(st.x.base[0]!) : add(i32(st.x.base[0]!), mul(bz, i32(st.x.base[1]! - st.x.base[0]!))), 'xb');
  const p0 = b.let(mul({ k: 'wgid', dim: 0 }, i32(panelsPer)), 'p0');
  const pEnd = b.let(min(add(p0, i32(panelsPer)), i32(np)), 'pend');
  const u0 = b.let(mul({ k: 'wgid', dim: 1 }, i32(unitsPer)), 'u0');
  const uEnd = b.let(min(add(u0, i32(unitsPer)), i32(units)), 'uend');
  const load = (index: Expr): Expr => ({ k: 'load', binding: st.x.binding, index, t: 'f32' });

  /** Accumulators of a tile of `pixels` × `lanes` channels, started from the bias. */
  const startTile = (p: Expr, pixels: number, lanes: number): (VecExpr & { k: 'vvar' })[][] => {
    const vecs = Math.ceil(lanes / 4);
    const init: VecExpr[] = [];
    for (let q = 0; q < vecs; q++) {
      if (!bias) {
        init.push(f32zero);
        continue;
      }
      const bv = laneVector(b, region, bias, [add(mul(p, i32(PANEL)), i32(q * 4))], 0, Math.min(4, lanes - q * 4));
      if (!bv) throw new Error('conv bias has no vector form');
      init.push(b.vlet(bv, 'bias'));
    }
    return Array.from({ length: pixels }, () => init.map((x) => b.vlet(x, 'acc')));
  };

  /**
   * A loop of `count` steps that walks the weights' element index (by `wStride`) and carries the
   * input's along (by `xStride`): `body(x, w)` addresses its step as a pointer plus constant
   * offsets, with no index arithmetic per step.
   */
  const walk = (x0: Expr, w0: Expr, count: number, xStride: number, wStride: number, body: (x: Expr, w: Expr) => void): void => {
    if (count === 1) {
      body(x0, w0);
      return;
    }
    const xName = b.fresh('xp');
    b.emit({ k: 'var', name: xName, value: x0 });
    const xp: Expr = { k: 'var', name: xName, t: 'i32' };
    b.loop(w0, add(w0, i32(count * wStride)), (wp) => {
      body(xp, wp);
      b.emit({ k: 'assign', name: xName, value: add(xp, i32(xStride)) });
    }, wStride);
  };
  const channels = (x0: Expr, w0: Expr, body: (x: Expr, w: Expr) => void): void => walk(x0, w0, g.c, st.x.c, st.wt.c, body);

  /**
   * One tile: `pixels` output pixels from column `ow0` of row `ohE`, pixel r with horizontal taps
   * `kwTaps(r)`; vertical taps all (interior row) or [khLo, khHi) (border row, a loop).
   */
  const tile = (p: Expr, ohE: Expr, interiorRow: boolean, ow0: Expr, pixels: number, kwTaps: (r: number) => readonly number[], lanes: number): void => {
    const vecs = Math.ceil(lanes / 4);
    const acc = startTile(p, pixels, lanes);
    const wPanel = b.let(mul(p, i32(st.wt.panel)), 'wpan');
    const pixelStep = (flat ? 1 : sw) * st.x.w;
    // Input index of tap (0, 0) for pixel 0 (its row may be in the padding when the row is at the border).
    const ih0 = flat ? i32(0) : b.let(sub(mul(ohE, i32(sh)), i32(ph)), 'ih');
    const xTile = b.let(add(add(xBatch, mul(ih0, i32(st.x.h))), flat ? mul(ow0, i32(st.x.w)) : mul(sub(mul(ow0, i32(sw)), i32(pw)), i32(st.x.w))), 'xt');
    /** One tap of one channel: `x`, `w` point at the channel's tap (0, 0); `kh`, `kw` add constant offsets. */
    const tap = (x: Expr, w: Expr, kh: number, kw: number, rows: readonly number[]): void => {
      const wOff = kh * st.wt.kh + kw * st.wt.kw;
      const xOff = kh * dh * st.x.h + kw * dw * st.x.w;
      const bVec = Array.from({ length: vecs }, (_, q) => b.vlet({ k: 'vload', binding: st.wt.binding, index: add(w, i32(wOff + q * 4)), stride: 1 }, 'wv'));
      rows.forEach((r) => {
        const row = acc[r]!;
        const av = b.vlet({ k: 'vsplat', a: load(add(x, i32(xOff + r * pixelStep))) }, 'av');
        row.forEach((cell, q) => b.emit({ k: 'vlet', name: cell.name, value: { k: 'vbinary', op: 'add', a: cell, b: { k: 'vbinary', op: 'mul', a: av, b: bVec[q]! } } }));
      });
    };
    const allPixels = acc.map((_, r) => r);
    const everyTap = allPixels.every((r) => kwTaps(r).length === g.kw);
    /**
     * The taps of kernel row kh (constant, or folded into x/w): each tap runs the whole channel
     * loop, so the innermost body is one tap — a body TurboFan keeps in registers (a tap-unrolled
     * body spills the accumulators).
     */
    const kernelRow = (x: Expr, w: Expr, kh: number): void => {
      if (g.kw > MAX_UNROLLED_TAPS && everyTap) {
        // The longer of the two loops innermost (a 3-channel loop would be all overhead).
        if (g.kw > g.c) {
          for (let c = 0; c < g.c; c++) walk(add(x, i32(c * st.x.c)), add(w, i32(c * st.wt.c)), g.kw, dw * st.x.w, st.wt.kw, (xp, wp) => tap(xp, wp, kh, 0, allPixels));
        } else {
          b.loop(0, g.kw, (kw) => {
            const xKw = b.let(add(x, mul(kw, i32(dw * st.x.w))), 'xkw');
            const wKw = b.let(add(w, mul(kw, i32(st.wt.kw))), 'wkw');
            channels(xKw, wKw, (xp, wp) => tap(xp, wp, kh, 0, allPixels));
          });
        }
        return;
      }
      for (let kw = 0; kw < g.kw; kw++) {
        const rows = allPixels.filter((r) => kwTaps(r).includes(kw));
        if (rows.length > 0) channels(x, w, (xp, wp) => tap(xp, wp, kh, kw, rows));
      }
    };
    if (interiorRow && g.kh * g.kw <= MAX_UNROLLED_TAPS * MAX_UNROLLED_TAPS) {
      for (let kh = 0; kh < g.kh; kh++) kernelRow(xTile, wPanel, kh);
    } else {
      // Taps kh with 0 <= ih0 + kh*dh <= H-1 (the divisions' operands are >= 0); all of them in an
      // interior row with a big window.
      const khLo = interiorRow ? i32(0) : b.let(min(i32(g.kh), div(add(max(i32(0), sub(i32(0), ih0)), i32(dh - 1)), i32(dh))), 'khlo');
      const khHi = interiorRow ? i32(g.kh) : b.let(min(i32(g.kh), div(max(i32(0), add(sub(i32(g.h - 1), ih0), i32(dh))), i32(dh))), 'khhi');
      b.loop(khLo, khHi, (kh) => {
        const xKh = b.let(add(xTile, mul(kh, i32(dh * st.x.h))), 'xkh');
        const wKh = b.let(add(wPanel, mul(kh, i32(st.wt.kh))), 'wkh');
        kernelRow(xKh, wKh, 0);
      });
    }
    const oc0 = mul(p, i32(PANEL));
    const pixelIdx = (r: number): Expr[] => {
      const at = add(ow0, i32(r));
      return flat ? [div(at, i32(g.ow)), remI(at, g.ow)] : [ohE, at];
    };
    if (pixels === tilePixels && pixelLanes) {
      for (let p4 = 0; p4 < pixels; p4 += 4) {
        for (let q = 0; q < vecs; q++) {
          const cols = transpose4(b, acc.slice(p4, p4 + 4).map((row) => row[q]!));
          for (let j = 0; j < Math.min(4, lanes - q * 4); j++) {
            emitEpilogue(b, region, out, { idx: [bz, add(oc0, i32(q * 4 + j)), ...pixelIdx(p4)], laneDim: 3, lanes: 4, acc: cols[j]! });
          }
        }
      }
      return;
    }
    acc.forEach((row, r) => row.forEach((cell, q) => {
      emitEpilogue(b, region, out, { idx: [bz, add(oc0, i32(q * 4)), ...pixelIdx(r)], laneDim: 1, lanes: Math.min(4, lanes - q * 4), acc: cell });
    }));
  };

  const allKw = (): readonly number[] => colTaps(tLo * tilePixels);
  const fixed = (o: number, pixels: number) => (p: Expr, ohE: Expr, interiorRow: boolean, lanes: number): void =>
    tile(p, ohE, interiorRow, i32(o), pixels, (r) => colTaps(o + r), lanes);
  /** Every pixel of one output row (or of the flat row's units in this workgroup). */
  const row = (p: Expr, ohE: Expr, interiorRow: boolean, lanes: number): void => {
    if (flat) {
      const tEnd = b.let(min(uEnd, i32(tiles)), 'tend');
      b.loop(u0, tEnd, (t) => tile(p, ohE, true, b.let(mul(t, i32(tilePixels)), 'ow0'), tilePixels, allKw, lanes));
      if (rest > 0) b.when(cmp('eq', uEnd, i32(units)), () => tile(p, ohE, true, i32(tiles * tilePixels), rest, allKw, lanes));
      return;
    }
    for (let t = 0; t < tLo; t++) fixed(t * tilePixels, tilePixels)(p, ohE, interiorRow, lanes);
    if (tHi > tLo) b.loop(tLo, tHi, (t) => tile(p, ohE, interiorRow, b.let(mul(t, i32(tilePixels)), 'ow0'), tilePixels, allKw, lanes));
    for (let t = tHi; t < tiles; t++) fixed(t * tilePixels, tilePixels)(p, ohE, interiorRow, lanes);
    if (rest > 0) fixed(tiles * tilePixels, rest)(p, ohE, interiorRow, lanes);
  };

  const panel = (p: Expr, lanes: number): void => {
    if (flat) {
      row(p, i32(0), true, lanes);
      return;
    }
    b.loop(u0, uEnd, (oh) => {
      const rowInside = b.let({ k: 'binary', op: 'and', a: cmp('ge', oh, i32(ohLo)), b: cmp('lt', oh, i32(ohHi)), t: 'i32' }, 'inside');
      b.when(rowInside, () => row(p, oh, true, lanes), () => row(p, oh, false, lanes));
    });
  };
  emitPanels(b, np, g.oc, p0, pEnd, panel);

  return b.kernel(region, name, [i32(split.count[0]!), i32(split.count[1]!), i32(g.batch)]);
}

function remI(a: Expr, d: number): Expr {
  return { k: 'binary', op: 'rem', a, b: i32(d), t: 'i32' };
}
