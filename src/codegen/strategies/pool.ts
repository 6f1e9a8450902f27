// Fast CPU strategy for 2-D max pooling (f32, values only) with its fused elementwise producers
// (e.g. batch norm + ReLU before ResNet's pool): f32x4 vectors of 4 consecutive output columns;
// each tap's 4 input elements are computed in lanes (the producer chain vectorized, strided by
// the pool's stride) and folded in with a max. Border rows skip their padded taps statically,
// edge vectors give padded lanes -inf.
import { intsAttr, resolveWindow, windowAttrs } from '../../ir/ops/linalg.js';
import type { DispatchRegion } from '../../ir/partition.js';
import { add, i32, min, mul } from '../expr.js';
import type { Expr, Kernel, VecExpr } from '../kernel-ir.js';
import { emitEpilogue, laneVector, scalarElement } from './epilogue.js';
import { KernelBuilder } from './kernel-builder.js';
import { splitRegion, staticShape } from './region-parts.js';
import { splitWork } from './work-split.js';
import type { KernelTuning } from '../kernel-tuning.js';

/** Lowers a max-pool region, or returns undefined when it does not fit. Knob: `workgroups`. */
export function lowerMaxPoolRegion(region: DispatchRegion, name: string, tuning: KernelTuning = {}): Kernel | undefined {
  if (region.batchedOutput || region.batchedInputs.some(Boolean)) return undefined;
  const parts = splitRegion(region, new Set(['max_pool']));
  if (!parts) return undefined;
  const root = parts.root;
  const xv = root.inputs[0];
  const out = root.outputs[0]!;
  if (!xv || root.outputs.length !== 1 || xv.type.dtype !== 'f32' || out.type.dtype !== 'f32') return undefined;
  const xs = staticShape(xv);
  const os = staticShape(out);
  if (xs.length !== 4) return undefined;
  let win;
  try {
    win = windowAttrs(root.attrs, intsAttr(root.attrs, 'kernel_shape', []));
  } catch {
    return undefined;
  }
  if (win.kernel.length !== 2) return undefined;
  const { pads } = resolveWindow(xs.slice(2), win);
  const [batch, c, h, w] = xs as [number, number, number, number];
  const [oh, ow] = [os[2]!, os[3]!];
  const [kh, kw] = win.kernel as [number, number];
  const [sh, sw] = win.strides as [number, number];
  const [dh, dw] = win.dilations as [number, number];
  const [ph, pw] = [pads[0]!, pads[1]!];
  if (oh === 0 || ow === 0 || kh * kw > 25) return undefined;

  const rowTaps = (r: number): number[] => Array.from({ length: kh }, (_, t) => t).filter((t) => r * sh - ph + t * dh >= 0 && r * sh - ph + t * dh <= h - 1);
  const colOk = (o: number, t: number): boolean => o * sw - pw + t * dw >= 0 && o * sw - pw + t * dw <= w - 1;
  const vectors = Math.floor(ow / 4);
  const inside = (o: number): boolean => Array.from({ length: kw }, (_, t) => t).every((t) => colOk(o, t) && colOk(o + 3, t));
  let vLo = 0;
  while (vLo < vectors && !inside(vLo * 4)) vLo++;
  let vHi = vLo;
  while (vHi < vectors && inside(vHi * 4)) vHi++;
  let rLo = 0;
  while (rLo < oh && rowTaps(rLo).length !== kh) rLo++;
  let rHi = oh;
  while (rHi > rLo && rowTaps(rHi - 1).length !== kh) rHi--;
  if (rLo + (oh - rHi) > 8 || vLo + (vectors - vHi) > 8) return undefined;
  // Every output needs an in-bounds tap (a window wholly in the padding is left to the generic rule).
  for (let r = 0; r < oh; r++) if (rowTaps(r).length === 0) return undefined;
  for (let o = 0; o < ow; o++) if (!Array.from({ length: kw }, (_, t) => colOk(o, t)).some(Boolean)) return undefined;

  const split = splitWork([c], batch * c * oh * ow * kh * kw * 4, batch, { target: tuning.workgroups });
  const channelsPer = split.per[0]!;
  const b = new KernelBuilder();
  const bz = b.let({ k: 'wgid', dim: 2 }, 'bz');
  const c0 = b.let(mul({ k: 'wgid', dim: 0 }, i32(channelsPer)), 'c0');
  const cEnd = b.let(min(add(c0, i32(channelsPer)), i32(c)), 'cend');
  const minusInf: Expr = { k: 'const', t: 'f32', v: -Infinity };
  let failed = false;

  b.loop(c0, cEnd, (ch) => {
    const vector = (r: Expr, rows: readonly number[], o: Expr, oStatic: number | undefined, lanes: number): void => {
      let acc: VecExpr | undefined;
      const ih = (i: number): Expr => add(mul(r, i32(sh)), i32(i * dh - ph));
      for (const i of rows) {
        for (let j = 0; j < kw; j++) {
          let x: VecExpr | undefined;
          if (oStatic === undefined || inside(oStatic)) {
            x = laneVector(b, region, xv, [bz, ch, ih(i), add(mul(o, i32(sw)), i32(j * dw - pw))], 3, 4, sw);
          } else {
            const lane = (l: number): Expr => {
              if (l >= lanes || !colOk(oStatic + l, j)) return minusInf;
              return scalarElement(region, xv, [bz, ch, ih(i), i32((oStatic + l) * sw - pw + j * dw)]) ?? minusInf;
            };
            const ls = [lane(0), lane(1), lane(2), lane(3)] as const;
            if (ls.some((e, l) => e === minusInf && l < lanes && colOk(oStatic + l, j))) failed = true;
            x = { k: 'vmake', lanes: ls };
          }
          if (!x) {
            failed = true;
            return;
          }
          const xl = b.vlet(x, 'px');
          // max(x, acc) = x > acc ? x : acc: the reference's strict comparison, first tap first.
          acc = acc ? b.vlet({ k: 'vbinary', op: 'max', a: xl, b: acc }, 'mx') : xl;
        }
      }
      emitEpilogue(b, region, out, { idx: [bz, ch, r, o], laneDim: 3, lanes, acc: acc! });
    };
    const row = (r: Expr, rows: readonly number[]): void => {
      for (let q = 0; q < vLo; q++) vector(r, rows, i32(q * 4), q * 4, 4);
      if (vHi > vLo) b.loop(vLo, vHi, (q) => vector(r, rows, b.let(mul(q, i32(4)), 'ow'), undefined, 4));
      for (let q = vHi; q < vectors; q++) vector(r, rows, i32(q * 4), q * 4, 4);
      if (ow % 4 !== 0) vector(r, rows, i32(vectors * 4), vectors * 4, ow % 4);
    };
    for (let r = 0; r < rLo; r++) row(i32(r), rowTaps(r));
    if (rHi > rLo) b.loop(rLo, rHi, (r) => row(r, Array.from({ length: kh }, (_, t) => t)));
    for (let r = rHi; r < oh; r++) row(i32(r), rowTaps(r));
  });
  if (failed) return undefined;

  return b.kernel(region, name, [i32(split.count[0]!), i32(1), i32(batch)]);
}
