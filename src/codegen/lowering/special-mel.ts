// Lowering rule: mel_weight_matrix. Its operands are run-time scalars (the static output shape
// already fixes num_mel_bins); each element recomputes the three filter edges it depends on, with
// the reference kernel's formulas, and takes the value the reference's writes leave there: the
// falling slope of filter i where it starts at the center, else the rising slope (or a single 1
// for a filter whose lower edge is its center).
import { binary, i32 } from '../expr.js';
import type { Expr } from '../kernel-ir.js';
import { defineLowering } from './registry.js';
import { andAll, f64, fadd, fcmp, fdiv, fmul, fromF64, fromI32, fsel, fsub, funary, hoist, required, scalarF64 } from './special-util.js';

defineLowering('mel_weight_matrix', (ctx, node, idx) => {
  const numMelBins = ctx.shape(node.outputs[0]!)[1]!;
  const dftLength = scalarF64(ctx, required(node, 1, 'dft_length'));
  const sampleRate = scalarF64(ctx, required(node, 2, 'sample_rate'));
  const lowerHz = scalarF64(ctx, required(node, 3, 'lower_edge_hertz'));
  const upperHz = scalarF64(ctx, required(node, 4, 'upper_edge_hertz'));
  const [bin, mel] = hoist(ctx, idx) as [Expr, Expr];

  // log10 through the natural log: the kernel IR has no log10.
  const hertzToMel = (hz: Expr): Expr => fmul(f64(2595), fdiv(funary('log', fadd(f64(1), fdiv(hz, f64(700)))), f64(Math.LN10)));
  const melToHertz = (m: Expr): Expr => fmul(f64(700), fsub(binary('pow', f64(10), fdiv(m, f64(2595)), 'f64'), f64(1)));
  const lowMel = ctx.bind(hertzToMel(lowerHz), 'f64');
  const melStep = ctx.bind(fdiv(fsub(hertzToMel(upperHz), lowMel), f64(numMelBins + 2)), 'f64');
  const edge = (k: Expr): Expr => ctx.bind(funary('floor', fdiv(fmul(fadd(dftLength, f64(1)), melToHertz(fadd(fmul(fromI32(k), melStep), lowMel))), sampleRate)), 'f64');
  const lo = edge(mel);
  const center = edge(binary('add', mel, i32(1), 'i32'));
  const hi = edge(binary('add', mel, i32(2), 'i32'));
  const j = ctx.bind(fromI32(bin), 'f64');

  const falling = andAll([fcmp('lt', center, hi), fcmp('ge', j, center), fcmp('lt', j, hi)]);
  const peak = andAll([fcmp('eq', center, lo), fcmp('eq', j, center)]);
  const rising = andAll([fcmp('gt', center, lo), fcmp('ge', j, lo), fcmp('le', j, center)]);
  const value = fsel(falling, fdiv(fsub(hi, j), fsub(hi, center)),
    fsel(peak, f64(1), fsel(rising, fdiv(fsub(j, lo), fsub(center, lo)), f64(0))));
  return fromF64(ctx, value, node.outputs[0]!.type.dtype);
});
