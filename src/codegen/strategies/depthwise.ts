// Fast CPU strategy for depthwise 2-D convolutions (f32, group = channels, one filter per
// channel): f32x4 vectors of 4 consecutive output columns, the channel's taps splatted once and
// held in locals. Rows and columns whose taps reach the padding are known at compile time, so
// their code skips those taps statically (edge vectors mask single lanes); everything else runs
// without bounds logic. Stride 2 picks the even input columns with one shuffle.
import type { DispatchRegion } from '../../ir/partition.js';
import { add, i32, min, mul, sub } from '../expr.js';
import type { Expr, Kernel, VecExpr } from '../kernel-ir.js';
import { fitLinear } from './access-fit.js';
import { emitEpilogue, scalarElement } from './epilogue.js';
import { KernelBuilder } from './kernel-builder.js';
import { elementAccess } from './region-parts.js';
import { splitWork } from './work-split.js';
import type { KernelTuning } from '../kernel-tuning.js';
import { memoByRegion } from './region-memo.js';
import { matchConv2d } from './conv-match.js';

const v = (name: string): Expr => ({ k: 'var', name, t: 'i32' });
const zero: VecExpr = { k: 'vsplat', a: { k: 'const', t: 'f32', v: 0 } };

/** The input's and the weights' access fitted to strides (x contiguous along W), or undefined. */
const fitDepthwiseAccess = memoByRegion((region: DispatchRegion) => {
  const { xv, wv, xs, ws } = matchConv2d(region)!;
  const [batch, c, h, w] = xs as [number, number, number, number];
  const [kh, kw] = [ws[2]!, ws[3]!];
  const xa = elementAccess(region, xv, [v('$b'), v('$c'), v('$h'), v('$w')]);
  const wa = elementAccess(region, wv, [v('$c'), i32(0), v('$kh'), v('$kw')]);
  if (!xa || !wa) return undefined;
  const xfit = fitLinear(xa.index, [{ name: '$b', extent: batch }, { name: '$c', extent: c }, { name: '$h', extent: h }, { name: '$w', extent: w }]);
  const wfit = fitLinear(wa.index, [{ name: '$c', extent: c }, { name: '$kh', extent: kh }, { name: '$kw', extent: kw }]);
  if (!xfit || !wfit || xfit.coefs[3] !== 1) return undefined;
  return { xa, wa, xfit, wfit };
});

/** Lowers a depthwise conv region, or returns undefined when it does not fit. Knob: `workgroups`. */
export function lowerDepthwiseRegion(region: DispatchRegion, name: string, tuning: KernelTuning = {}): Kernel | undefined {
  const match = matchConv2d(region);
  if (!match) return undefined;
  const { bias, out, xs, ws, os, group, win, pads } = match;
  if (group !== xs[1] || ws[0] !== group || ws[1] !== 1 || group < 2) return undefined;
  const [batch, c, h, w] = xs as [number, number, number, number];
  const [oh, ow] = [os[2]!, os[3]!];
  const [kh, kw] = [ws[2]!, ws[3]!];
  const [sh, sw] = [win.strides[0]!, win.strides[1]!];
  const [dh, dw] = [win.dilations[0]!, win.dilations[1]!];
  const [ph, pw] = [pads[0]!, pads[1]!];
  if (sw > 2 || oh === 0 || ow === 0 || kh * kw > 25) return undefined;

  const fits = fitDepthwiseAccess(region);
  if (!fits) return undefined;
  const { xa, wa, xfit, wfit } = fits;
  const [xb, xc, xh] = xfit.coefs as [number, number, number];
  const [wc, wkh, wkw] = wfit.coefs as [number, number, number];

  const split = splitWork([c], batch * c * oh * ow * kh * kw, batch, { target: tuning.workgroups });
  const channelsPer = split.per[0]!;
  const b = new KernelBuilder();
  const bz = b.let({ k: 'wgid', dim: 2 }, 'bz');
  const c0 = b.let(mul({ k: 'wgid', dim: 0 }, i32(channelsPer)), 'c0');
  const cEnd = b.let(min(add(c0, i32(channelsPer)), i32(c)), 'cend');

  // Output columns whose vector of 4 reads only columns inside the input (stride 2 loads 8).
  const span = (o: number, tap: number): [number, number] => [o * sw - pw + tap * dw, (o + 3) * sw - pw + tap * dw + (sw === 2 ? 1 : 0)];
  const vectors = Math.floor(ow / 4);
  const inside = (o: number): boolean => Array.from({ length: kw }, (_, t) => span(o, t)).every(([lo, hi]) => lo >= 0 && hi <= w - 1);
  let vLo = 0;
  while (vLo < vectors && !inside(vLo * 4)) vLo++;
  let vHi = vLo;
  while (vHi < vectors && inside(vHi * 4)) vHi++;
  const rowTaps = (r: number): number[] => Array.from({ length: kh }, (_, t) => t).filter((t) => r * sh - ph + t * dh >= 0 && r * sh - ph + t * dh <= h - 1);
  const allTaps = Array.from({ length: kh }, (_, t) => t);
  let rLo = 0;
  while (rLo < oh && rowTaps(rLo).length !== kh) rLo++;
  let rHi = oh;
  while (rHi > rLo && rowTaps(rHi - 1).length !== kh) rHi--;

  // Border rows and edge vectors are emitted one by one: keep that code small.
  if (rLo + (oh - rHi) > 8 || vLo + (vectors - vHi) > 8) return undefined;

  b.loop(c0, cEnd, (ch) => {
    const xChan = b.let(add(mul(bz, i32(xb)), add(i32(xfit.base), mul(ch, i32(xc)))), 'xch');
    const wChan = b.let(add(i32(wfit.base), mul(ch, i32(wc))), 'wch');
    const taps: VecExpr[][] = [];
    for (let i = 0; i < kh; i++) {
      taps.push([]);
      for (let j = 0; j < kw; j++) taps[i]!.push(b.vlet({ k: 'vsplat', a: { k: 'load', binding: wa.binding, index: add(wChan, i32(i * wkh + j * wkw)), t: 'f32' } }, 'tap'));
    }
    const biasE = bias ? scalarElement(region, bias, [ch]) : undefined;
    if (bias && !biasE) throw new Error('depthwise bias has no scalar form');
    const biasV = biasE ? b.vlet({ k: 'vsplat', a: biasE }, 'bias') : zero;
    const load = (index: Expr): Expr => ({ k: 'load', binding: xa.binding, index, t: 'f32' });

    /** One output vector at row `r` (expr) whose input row of tap i starts at rowBase(i). */
    const vector = (r: Expr, rowBase: (i: number) => Expr, rows: readonly number[], o: Expr, oStatic: number | undefined, lanes: number): void => {
      // One partial sum per kernel row (independent chains), added up at the end.
      const sums: VecExpr[] = [];
      const masked = oStatic !== undefined && !inside(oStatic);
      for (const i of rows) {
        // Column of tap 0 for lane 0: the taps' loads are then this plus constant offsets.
        const start = masked ? undefined : b.let(add(rowBase(i), sub(mul(o, i32(sw)), i32(pw))), 'xs');
        let acc: VecExpr | undefined;
        for (let j = 0; j < kw; j++) {
          let x: VecExpr;
          if (start) {
            const at = add(start, i32(j * dw));
            x = sw === 1
              ? { k: 'vload', binding: xa.binding, index: at, stride: 1 }
              : { k: 'vshuffle', a: { k: 'vload', binding: xa.binding, index: at, stride: 1 }, b: { k: 'vload', binding: xa.binding, index: add(at, i32(4)), stride: 1 }, lanes: [0, 2, 4, 6] };
          } else {
            // Edge vector: lanes whose column falls in the padding are 0.
            const o0 = oStatic ?? 0;
            const lane = (l: number): Expr => {
              const col = (o0 + l) * sw - pw + j * dw;
              return l < lanes && col >= 0 && col <= w - 1 ? load(add(rowBase(i), i32(col))) : { k: 'const', t: 'f32', v: 0 };
            };
            x = { k: 'vmake', lanes: [lane(0), lane(1), lane(2), lane(3)] };
          }
          const term: VecExpr = { k: 'vbinary', op: 'mul', a: x, b: taps[i]![j]! };
          acc = b.vlet(acc ? { k: 'vbinary', op: 'add', a: acc, b: term } : term, 'acc');
        }
        if (acc) sums.push(acc);
      }
      const total = sums.reduce<VecExpr>((a, x) => b.vlet({ k: 'vbinary', op: 'add', a, b: x }, 'sum'), biasV);
      emitEpilogue(b, region, out, { idx: [bz, ch, r, o], laneDim: 3, lanes, acc: total });
    };

    const row = (r: Expr, rows: readonly number[]): void => {
      const ih0 = b.let(add(mul(r, i32(sh)), i32(-ph)), 'ih');
      const bases = new Map<number, Expr>();
      for (const i of rows) bases.set(i, b.let(add(xChan, mul(add(ih0, i32(i * dh)), i32(xh))), 'xrow'));
      const rowBase = (i: number): Expr => bases.get(i)!;
      for (let q = 0; q < vLo; q++) vector(r, rowBase, rows, i32(q * 4), q * 4, 4);
      if (vHi > vLo) b.loop(vLo, vHi, (q) => vector(r, rowBase, rows, b.let(mul(q, i32(4)), 'ow'), undefined, 4));
      for (let q = vHi; q < vectors; q++) vector(r, rowBase, rows, i32(q * 4), q * 4, 4);
      if (ow % 4 !== 0) vector(r, rowBase, rows, i32(vectors * 4), vectors * 4, ow % 4);
    };
    for (let r = 0; r < rLo; r++) row(i32(r), rowTaps(r));
    if (rHi > rLo) b.loop(rLo, rHi, (r) => row(r, allTaps));
    for (let r = rHi; r < oh; r++) row(i32(r), rowTaps(r));
  });

  return b.kernel(region, name, [i32(split.count[0]!), i32(1), i32(batch)]);
}
