// Fast CPU strategy for 2-D convolutions (f32, one group): an implicit GEMM without an im2col
// buffer. A register tile holds 4 output pixels of one output row × 8 output channels in f32x4
// locals; every (input channel, tap) step broadcasts the 4 input pixels against the 8 channels'
// weights (pre-packed contiguous per panel of 8 channels, see pack-weights). Tiles whose taps all
// land inside the input run without any bounds logic (every offset a constant folded into the
// loads); border tiles restrict the vertical taps by loop bounds and mask the horizontal ones.
// 1×1 stride-1 unpadded convs run as plain GEMMs over the flattened pixels.
import { numAttr, resolveWindow, windowAttrs } from '../../ir/ops/linalg.js';
import type { DispatchRegion } from '../../ir/partition.js';
import { add, cmp, div, i32, max, min, mul, sub } from '../expr.js';
import type { Expr, Kernel, KernelBinding, VecExpr } from '../kernel-ir.js';
import { fitLinear } from './access-fit.js';
import { emitEpilogue, laneVector } from './epilogue.js';
import { KernelBuilder } from './kernel-builder.js';
import { elementAccess, splitRegion, staticShape } from './region-parts.js';
import { splitWork } from './work-split.js';

export const CONV_PIXELS = 4;
const PANEL = 8;

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

/** Lowers a 2-D conv region with register tiles, or returns undefined when it does not fit. */
export function lowerConvRegion(region: DispatchRegion, name: string): Kernel | undefined {
  if (region.batchedOutput || region.batchedInputs.some(Boolean)) return undefined;
  const parts = splitRegion(region, new Set(['conv']));
  if (!parts) return undefined;
  const root = parts.root;
  const [xv, wv, bias] = root.inputs;
  const out = root.outputs[0]!;
  if (!xv || !wv || xv.type.dtype !== 'f32' || wv.type.dtype !== 'f32' || out.type.dtype !== 'f32') return undefined;
  const xs = staticShape(xv);
  const ws = staticShape(wv);
  const os = staticShape(out);
  if (xs.length !== 4 || ws.length !== 4 || numAttr(root.attrs, 'group', 1) !== 1) return undefined;
  let win;
  try {
    win = windowAttrs(root.attrs, ws.slice(2));
  } catch {
    return undefined;
  }
  const { pads } = resolveWindow(xs.slice(2), win);
  const g: ConvGeometry = {
    batch: xs[0]!, c: xs[1]!, oc: ws[0]!, h: xs[2]!, w: xs[3]!, oh: os[2]!, ow: os[3]!, kh: ws[2]!, kw: ws[3]!,
    stride: [win.strides[0]!, win.strides[1]!], dilation: [win.dilations[0]!, win.dilations[1]!], pad: [pads[0]!, pads[1]!],
  };
  if (g.oc === 0 || g.oh === 0 || g.ow === 0 || g.c === 0 || ws[1] !== g.c) return undefined;
  const st = fitConvAccess(region, g, xv, wv);
  if (!st) return undefined;
  return emitConv(region, name, parts.root.outputs[0]!, bias ?? null, g, st);
}

function emitConv(region: DispatchRegion, name: string, out: DispatchRegion['output'], bias: DispatchRegion['output'] | null, g: ConvGeometry, st: Strides): Kernel {
  const taps = g.kh * g.kw;
  const np = Math.ceil(g.oc / PANEL);
  // 1×1, stride 1, no padding, rows contiguous: one long row of pixels.
  const flat = taps === 1 && g.stride[0] === 1 && g.stride[1] === 1 && g.pad[0] === 0 && g.pad[1] === 0 && st.x.h === g.w * st.x.w && g.oh === g.h && g.ow === g.w;
  const rows = flat ? 1 : g.oh;
  const rowPixels = flat ? g.oh * g.ow : g.ow;
  const tilesPerRow = Math.floor(rowPixels / CONV_PIXELS);
  const partial = rowPixels % CONV_PIXELS;
  const units = flat ? Math.ceil(rowPixels / CONV_PIXELS) : rows;
  const macs = g.batch * g.oc * g.oh * g.ow * g.c * taps;
  const split = splitWork([np, units], macs, g.batch);
  const [panelsPer, unitsPer] = split.per as [number, number];

  // Which output rows / tiles have every tap inside the input.
  const [sh, sw] = g.stride;
  const [dh, dw] = g.dilation;
  const [ph, pw] = g.pad;
  const ohLo = Math.ceil(ph / sh);
  const ohHi = Math.max(ohLo, Math.floor((g.h - 1 + ph - (g.kh - 1) * dh) / sh) + 1);
  const owLo = Math.ceil(pw / sw);
  const owHi = Math.max(owLo, Math.floor((g.w - 1 + pw - (g.kw - 1) * dw) / sw) + 1);
  const tLo = Math.min(tilesPerRow, Math.ceil(owLo / CONV_PIXELS));
  const tHi = Math.max(tLo, Math.min(tilesPerRow, Math.floor(owHi / CONV_PIXELS)));

  const b = new KernelBuilder();
  const bz = b.let({ k: 'wgid', dim: 2 }, 'bz');
  const xBatch = b.let(st.x.base.length === 1 ? i32(st.x.base[0]!) : add(i32(st.x.base[0]!), mul(bz, i32(st.x.base[1]! - st.x.base[0]!))), 'xb');
  if (st.x.base.length > 1 && st.x.base.some((x, i) => x !== st.x.base[0]! + i * (st.x.base[1]! - st.x.base[0]!))) {
    throw new Error('conv input batch stride is not constant');
  }
  const p0 = b.let(mul({ k: 'wgid', dim: 0 }, i32(panelsPer)), 'p0');
  const pEnd = b.let(min(add(p0, i32(panelsPer)), i32(np)), 'pend');
  const u0 = b.let(mul({ k: 'wgid', dim: 1 }, i32(unitsPer)), 'u0');
  const uEnd = b.let(min(add(u0, i32(unitsPer)), i32(units)), 'uend');
  const unroll = taps === 1 ? 4 : 1;

  /** Accumulators of a tile of `pixels` × `lanes` channels, started from the bias. */
  const startTile = (p: Expr, pixels: number, lanes: number): VecExpr[][] => {
    const vecs = Math.ceil(lanes / 4);
    const init: VecExpr[] = [];
    for (let q = 0; q < vecs; q++) {
      const bv = bias ? laneVector(b, region, bias, [add(mul(p, i32(PANEL)), i32(q * 4))], 0, Math.min(4, lanes - q * 4)) : f32zero;
      if (!bv) throw new Error('conv bias has no vector form');
      init.push(bias ? b.vlet(bv, 'bias') : f32zero);
    }
    return Array.from({ length: pixels }, () => init.map((x) => b.vlet(x, 'acc')));
  };

  const accumulate = (acc: VecExpr[][], bVec: readonly VecExpr[], a: (r: number) => Expr): void => {
    acc.forEach((row, r) => {
      const av = b.vlet({ k: 'vsplat', a: a(r) }, 'av');
      row.forEach((cell, q) => {
        if (cell.k !== 'vvar') throw new Error('accumulators are locals');
        b.emit({ k: 'vlet', name: cell.name, value: { k: 'vbinary', op: 'add', a: cell, b: { k: 'vbinary', op: 'mul', a: av, b: bVec[q]! } } });
      });
    });
  };
  const weights = (wAt: Expr, vecs: number): VecExpr[] =>
    Array.from({ length: vecs }, (_, q) => b.vlet({ k: 'vload', binding: st.wt.binding, index: add(wAt, i32(q * 4)), stride: 1 }, 'wv'));
  const load = (index: Expr): Expr => ({ k: 'load', binding: st.x.binding, index, t: 'f32' });

  /** Input channel loop, `unroll` channels per iteration. */
  const channels = (body: (c: Expr, u: number) => void): void => {
    const whole = g.c - (g.c % unroll);
    if (whole > 0) b.loop(0, whole, (c) => { for (let u = 0; u < unroll; u++) body(c, u); }, unroll);
    for (let u = whole; u < g.c; u++) body(i32(0), u);
  };

  const finish = (acc: VecExpr[][], p: Expr, ohE: Expr, owE: (r: number) => Expr, lanes: number): void => {
    acc.forEach((row, r) => row.forEach((cell, q) => {
      const oc = add(mul(p, i32(PANEL)), i32(q * 4));
      const pixel = flat ? [div(owE(r), i32(g.ow)), remI(owE(r), g.ow)] : [ohE, owE(r)];
      emitEpilogue(b, region, out, { idx: [bz, oc, ...pixel], laneDim: 1, lanes: Math.min(4, lanes - q * 4), acc: cell });
    }));
  };

  /** A tile whose taps are all inside the input: constant offsets everywhere. */
  const interiorTile = (p: Expr, ohE: Expr, ow0: Expr, pixels: number, lanes: number): void => {
    const vecs = Math.ceil(lanes / 4);
    const acc = startTile(p, pixels, lanes);
    const xRow = b.let(add(xBatch, flat ? mul(ow0, i32(st.x.w)) : add(mul(sub(mul(ohE, i32(sh)), i32(ph)), i32(st.x.h)), mul(sub(mul(ow0, i32(sw)), i32(pw)), i32(st.x.w)))), 'xrow');
    const wPanel = b.let(mul(p, i32(st.wt.panel)), 'wpan');
    channels((c, u) => {
      const xC = b.let(add(xRow, mul(c, i32(st.x.c))), 'xc');
      const wC = b.let(add(wPanel, mul(c, i32(st.wt.c))), 'wc');
      for (let kh = 0; kh < g.kh; kh++) {
        for (let kw = 0; kw < g.kw; kw++) {
          const bVec = weights(add(wC, i32(u * st.wt.c + kh * st.wt.kh + kw * st.wt.kw)), vecs);
          accumulate(acc, bVec, (r) => load(add(xC, i32(u * st.x.c + kh * dh * st.x.h + kw * dw * st.x.w + r * (flat ? 1 : sw) * st.x.w))));
        }
      }
    });
    finish(acc, p, ohE, (r) => add(ow0, i32(r)), lanes);
  };

  /** A tile at the border: vertical taps limited by loop bounds, horizontal ones masked. */
  const borderTile = (p: Expr, ohE: Expr, ow0: Expr, pixels: number, lanes: number): void => {
    const vecs = Math.ceil(lanes / 4);
    const acc = startTile(p, pixels, lanes);
    const ihTop = b.let(sub(mul(ohE, i32(sh)), i32(ph)), 'ih');
    // Taps kh with 0 <= ihTop + kh*dh <= H-1 (all operands of the divisions are >= 0).
    const khLo = b.let(min(i32(g.kh), div(add(max(i32(0), sub(i32(0), ihTop)), i32(dh - 1)), i32(dh))), 'khlo');
    const khHi = b.let(min(i32(g.kh), div(max(i32(0), add(sub(i32(g.h - 1), ihTop), i32(dh))), i32(dh))), 'khhi');
    // Per pixel and horizontal tap: whether it is inside, and its (clamped) column offset.
    const ok: Expr[][] = [];
    const off: Expr[][] = [];
    for (let r = 0; r < pixels; r++) {
      ok.push([]);
      off.push([]);
      for (let kw = 0; kw < g.kw; kw++) {
        const iw = b.let(add(sub(mul(add(ow0, i32(r)), i32(sw)), i32(pw)), i32(kw * dw)), 'iw');
        const inside = b.let({ k: 'binary', op: 'and', a: cmp('ge', iw, i32(0)), b: cmp('lt', iw, i32(g.w)), t: 'i32' }, 'ok');
        ok[r]!.push(inside);
        off[r]!.push(b.let(mul(max(i32(0), min(iw, i32(g.w - 1))), i32(st.x.w)), 'off'));
      }
    }
    const wPanel = b.let(mul(p, i32(st.wt.panel)), 'wpan');
    b.loop(khLo, khHi, (kh) => {
      const xRow = b.let(add(xBatch, mul(add(ihTop, mul(kh, i32(dh))), i32(st.x.h))), 'xrow');
      const wKh = b.let(add(wPanel, mul(kh, i32(st.wt.kh))), 'wkh');
      channels((c, u) => {
        const xC = b.let(add(xRow, mul(c, i32(st.x.c))), 'xc');
        const wC = b.let(add(wKh, mul(c, i32(st.wt.c))), 'wc');
        for (let kw = 0; kw < g.kw; kw++) {
          const bVec = weights(add(wC, i32(u * st.wt.c + kw * st.wt.kw)), vecs);
          accumulate(acc, bVec, (r) => ({
            k: 'select', cond: ok[r]![kw]!, a: load(add(add(xC, off[r]![kw]!), i32(u * st.x.c))), b: { k: 'const', t: 'f32', v: 0 }, t: 'f32',
          }));
        }
      });
    });
    finish(acc, p, ohE, (r) => add(ow0, i32(r)), lanes);
  };

  const panel = (p: Expr, lanes: number): void => {
    if (flat) {
      // Units are tiles of the flattened pixel row; the last one may be partial.
      const fullEnd = b.let(min(uEnd, i32(tilesPerRow)), 'tend');
      b.loop(u0, fullEnd, (t) => interiorTile(p, i32(0), b.let(mul(t, i32(CONV_PIXELS)), 'ow0'), CONV_PIXELS, lanes));
      if (partial > 0) b.when(cmp('eq', uEnd, i32(units)), () => interiorTile(p, i32(0), i32(tilesPerRow * CONV_PIXELS), partial, lanes));
      return;
    }
    b.loop(u0, uEnd, (oh) => {
      const rowInside = b.let({ k: 'binary', op: 'and', a: cmp('ge', oh, i32(ohLo)), b: cmp('lt', oh, i32(ohHi)), t: 'i32' }, 'inside');
      const tile = (t: Expr, kind: 'interior' | 'border'): void => {
        const ow0 = b.let(mul(t, i32(CONV_PIXELS)), 'ow0');
        if (kind === 'interior') interiorTile(p, oh, ow0, CONV_PIXELS, lanes);
        else borderTile(p, oh, ow0, CONV_PIXELS, lanes);
      };
      b.when(rowInside, () => {
        if (tLo > 0) b.loop(0, tLo, (t) => tile(t, 'border'));
        if (tHi > tLo) b.loop(tLo, tHi, (t) => tile(t, 'interior'));
        if (tilesPerRow > tHi) b.loop(tHi, tilesPerRow, (t) => tile(t, 'border'));
      }, () => {
        if (tilesPerRow > 0) b.loop(0, tilesPerRow, (t) => tile(t, 'border'));
      });
      if (partial > 0) borderTile(p, oh, i32(tilesPerRow * CONV_PIXELS), partial, lanes);
    });
  };
  const fullPanels = Math.floor(g.oc / PANEL);
  b.loop(p0, min(pEnd, i32(fullPanels)), (p) => panel(p, PANEL));
  if (g.oc % PANEL !== 0) b.when(cmp('eq', pEnd, i32(np)), () => panel(i32(fullPanels), g.oc % PANEL));

  const bindings: KernelBinding[] = [
    ...region.inputs.map((x, i) => ({ name: `in${i}`, dtype: x.type.dtype, access: 'read' as const })),
    { name: 'out', dtype: region.output.type.dtype, access: 'write' },
  ];
  return {
    name,
    bindings,
    numParams: 0,
    workgroupCount: [i32(split.count[0]!), i32(split.count[1]!), i32(g.batch)],
    workgroupSize: [1, 1, 1],
    body: b.body,
  };
}

function remI(a: Expr, d: number): Expr {
  return { k: 'binary', op: 'rem', a, b: i32(d), t: 'i32' };
}
