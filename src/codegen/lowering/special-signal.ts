// Lowering rules: dft, stft, window. A frequency bin is a direct O(n) sum (no scratch memory for
// an FFT): the twiddle factor advances by one complex multiply per term in f64, which stays far
// inside f32 tolerance of the reference's f64 FFT. Lengths and steps given as run-time scalars
// are read at run time; only the dft axis must be a compile-time constant.
import type { Node, Value } from '../../ir/graph.js';
import { attrInt, attrString, normAxis } from '../../ir/ops/special-util.js';
import { WINDOW_KINDS } from '../../ir/ops/special-signal.js';
import { cmp, i32, min, mul, add } from '../expr.js';
import type { Expr } from '../kernel-ir.js';
import type { LowerContext } from './registry.js';
import { defineLowering } from './registry.js';
import {
  constScalar, declare, elementF64, f64, fadd, fdiv, fmul, fromF64, fromI32, fsel, fsub, funary, hoist, required, scalarI32, set,
} from './special-util.js';

interface Bin {
  re: Expr;
  im: Expr;
}

/**
 * Σ_{j<count} sample(j)·e^(sign·2πi·j·k/m) in f64, for bin `k` of an `m`-point transform.
 * `sample` returns the (re, im) input at j, emitting its loads into the loop.
 */
function dftBin(ctx: LowerContext, k: Expr, m: Expr, count: Expr, inverse: boolean, sample: (j: Expr) => Bin): Bin {
  const phi = ctx.bind(fdiv(fmul(f64(2 * Math.PI), fromI32(k)), fromI32(m)), 'f64');
  const stepRe = ctx.bind(funary('cos', phi), 'f64');
  const stepIm = ctx.bind(inverse ? funary('sin', phi) : funary('neg', funary('sin', phi)), 'f64');
  const re = declare(ctx, 'bre', f64(0), 'f64');
  const im = declare(ctx, 'bim', f64(0), 'f64');
  const wr = declare(ctx, 'wre', f64(1), 'f64');
  const wi = declare(ctx, 'wim', f64(0), 'f64');
  ctx.loop(i32(0), count, (j) => {
    const x = sample(j);
    const xr = ctx.bind(x.re, 'f64');
    const xi = ctx.bind(x.im, 'f64');
    set(ctx, re, fadd(re, fsub(fmul(xr, wr), fmul(xi, wi))));
    set(ctx, im, fadd(im, fadd(fmul(xr, wi), fmul(xi, wr))));
    const nextRe = ctx.bind(fsub(fmul(wr, stepRe), fmul(wi, stepIm)), 'f64');
    set(ctx, wi, fadd(fmul(wr, stepIm), fmul(wi, stepRe)));
    set(ctx, wr, nextRe);
  });
  return { re, im };
}

/** The real or imaginary part (component c = 0 or 1) of a bin. */
function component(bin: Bin, c: Expr): Expr {
  if (c.k === 'const') return c.v === 0 ? bin.re : bin.im;
  return fsel(cmp('eq', c, i32(0)), bin.re, bin.im);
}

/** A complex sample of `x` (trailing dim 1 = real, 2 = complex) at `idx` without its last index. */
function complexSample(ctx: LowerContext, x: Value, idx: readonly Expr[]): Bin {
  const shape = ctx.shape(x);
  const re = elementF64(ctx, x, [...idx, i32(0)]);
  return { re, im: shape[shape.length - 1] === 2 ? elementF64(ctx, x, [...idx, i32(1)]) : f64(0) };
}

defineLowering('dft', (ctx, node, idx) => {
  const x = required(node, 0, 'input');
  const shape = ctx.shape(x);
  const rank = shape.length;
  const axisValue = constScalar(ctx, required(node, 2, 'axis'));
  if (axisValue === undefined) throw new Error('dft: the axis must be a compile-time constant for the CPU code generator');
  const axis = normAxis(axisValue, rank, 'dft axis');
  const inverse = attrInt(node.attrs, 'inverse', 0) !== 0;
  const onesided = attrInt(node.attrs, 'onesided', 0) !== 0;
  const n = shape[axis]!;
  const outShape = ctx.shape(node.outputs[0]!);
  const lengthOperand = node.inputs[1];
  // Without onesided the output extent is the transform length; otherwise it is read.
  const m = !lengthOperand ? i32(n) : !onesided ? i32(outShape[axis]!) : scalarI32(ctx, lengthOperand);
  const out = hoist(ctx, idx);
  const bin = dftBin(ctx, out[axis]!, m, min(i32(n), m), inverse, (j) =>
    complexSample(ctx, x, out.slice(0, rank - 1).map((e, d) => (d === axis ? j : e))));
  const value = component(bin, out[rank - 1]!);
  return fromF64(ctx, inverse ? fdiv(value, fromI32(m)) : value, node.outputs[0]!.type.dtype);
});

/** stft's frame length: the operand, else the window's size, else the whole signal. */
function frameLength(ctx: LowerContext, node: Node, window: Value | null | undefined, signalLength: number): Expr {
  const operand = node.inputs[3];
  if (operand) return scalarI32(ctx, operand);
  if (window) return i32(ctx.shape(window)[0]!);
  return i32(signalLength);
}

defineLowering('stft', (ctx, node, idx) => {
  const signal = required(node, 0, 'signal');
  const [, length] = ctx.shape(signal) as [number, number, number];
  const step = scalarI32(ctx, required(node, 1, 'frame_step'));
  const window = node.inputs[2];
  const frame = frameLength(ctx, node, window, length);
  const [b, f, k, c] = hoist(ctx, idx) as [Expr, Expr, Expr, Expr];
  const start = ctx.bind(mul(f, step), 'i32');
  const bin = dftBin(ctx, k, frame, frame, false, (j) => {
    // Clamped: a run-time step or length that disagrees with the static shape must not read out of bounds.
    const s = complexSample(ctx, signal, [b, min(add(start, j), i32(length - 1))]);
    if (!window) return s;
    const w = ctx.bind(elementF64(ctx, window, [min(j, i32(ctx.shape(window)[0]! - 1))]), 'f64');
    return { re: fmul(s.re, w), im: fmul(s.im, w) };
  });
  return fromF64(ctx, component(bin, c), node.outputs[0]!.type.dtype);
});

/** Cosine-sum coefficients a0 − a1·cos(θ) + a2·cos(2θ), as in the reference kernel. */
const WINDOW_COEFFICIENTS: Record<(typeof WINDOW_KINDS)[number], readonly [number, number, number]> = {
  hann: [0.5, 0.5, 0],
  hamming: [25 / 46, 21 / 46, 0],
  blackman: [0.42, 0.5, 0.08],
};

// The window's size operand is a run-time scalar whose value the static output shape already
// states, so the rule takes the size from the shape.
defineLowering('window', (ctx, node, idx) => {
  const size = ctx.shape(node.outputs[0]!)[0]!;
  const [a0, a1, a2] = WINDOW_COEFFICIENTS[attrString(node.attrs, 'window', WINDOW_KINDS, 'hann')];
  const periodic = attrInt(node.attrs, 'periodic', 1) !== 0;
  const dtype = node.outputs[0]!.type.dtype;
  if (size === 1 && !periodic) return fromF64(ctx, f64(1), dtype);
  const intervals = periodic ? size : size - 1;
  const theta = ctx.bind(intervals > 0 ? fdiv(fmul(f64(2 * Math.PI), fromI32(idx[0]!)), f64(intervals)) : f64(0), 'f64');
  const value = fadd(fsub(f64(a0), fmul(f64(a1), funary('cos', theta))), fmul(f64(a2), funary('cos', fmul(f64(2), theta))));
  return fromF64(ctx, value, dtype);
});
