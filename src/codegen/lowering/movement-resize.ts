// Lowering rule: resize (nearest, linear, cubic; every coordinate_transformation_mode). Scales,
// sizes and roi are compile-time constants, so each resized axis's source coordinate is a short
// f64 formula of the output index; the formula is written once over an arithmetic interface and
// run both on numbers (to find identity axes at compile time) and on kernel-IR expressions, with
// the same operations in the same order as the reference kernel, so nearest indices round alike.
import type { Node } from '../../ir/graph.js';
import { attrFloat, attrInt, attrInts, attrString } from '../../ir/ops/movement-util.js';
import { presentConst, resizeAxes, resizePlan } from '../../ir/ops/movement-resize.js';
import { add, binary, cast, constant, i32, select, unary } from '../expr.js';
import type { Expr, ScalarType } from '../kernel-ir.js';
import { clampIndex, inRange } from './movement-util.js';
import { defineLowering, type LowerContext } from './registry.js';

interface Arith<T> {
  num(v: number): T;
  add(a: T, b: T): T;
  sub(a: T, b: T): T;
  mul(a: T, b: T): T;
  div(a: T, b: T): T;
}

const numbers: Arith<number> = {
  num: (v) => v,
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
};

const f64 = (v: number): Expr => constant('f64', v);
const exprs: Arith<Expr> = {
  num: f64,
  add: (a, b) => binary('add', a, b, 'f64'),
  sub: (a, b) => binary('sub', a, b, 'f64'),
  mul: (a, b) => binary('mul', a, b, 'f64'),
  div: (a, b) => binary('div', a, b, 'f64'),
};

/** What the coordinate transform of one axis needs, all known at compile time. */
interface AxisGeometry {
  mode: string;
  inLen: number;
  outLen: number;
  scale: number;
  /** Unrounded output length in f32, as the reference uses for align_corners and tf_crop_and_resize. */
  outF: number;
  roiStart: number;
  roiEnd: number;
}

/** Source coordinate of output index `o` (the reference's formulas, operation for operation). */
function sourceCoordinate<T>(A: Arith<T>, o: T, g: AxisGeometry): T {
  const halfPixel = (): T => A.sub(A.div(A.add(o, A.num(0.5)), A.num(g.scale)), A.num(0.5));
  switch (g.mode) {
    case 'half_pixel':
      return halfPixel();
    case 'half_pixel_symmetric': {
      const adjustment = g.outLen / (g.scale * g.inLen);
      const offset = (g.inLen / 2) * (1 - adjustment);
      return A.sub(A.add(A.num(offset), A.div(A.add(o, A.num(0.5)), A.num(g.scale))), A.num(0.5));
    }
    case 'pytorch_half_pixel':
      return g.outF > 1 ? halfPixel() : A.num(0);
    case 'align_corners':
      return g.outF === 1 ? A.num(0) : A.div(A.mul(o, A.num(g.inLen - 1)), A.num(g.outF - 1));
    case 'asymmetric':
      return A.div(o, A.num(g.scale));
    case 'tf_half_pixel_for_nn':
      return A.div(A.add(o, A.num(0.5)), A.num(g.scale));
    case 'tf_crop_and_resize':
      return g.outF !== 1
        ? A.add(
          A.num(g.roiStart * (g.inLen - 1)),
          A.div(A.mul(A.mul(o, A.num(g.roiEnd - g.roiStart)), A.num(g.inLen - 1)), A.num(g.outF - 1)),
        )
        : A.num(0.5 * (g.roiStart + g.roiEnd) * (g.inLen - 1));
    default:
      throw new Error(`unknown coordinate_transformation_mode ${g.mode}`);
  }
}

/** True when every output index reads exactly its own input index (the axis can be skipped). */
function isIdentityAxis(g: AxisGeometry): boolean {
  if (g.inLen !== g.outLen) return false;
  for (let o = 0; o < g.outLen; o++) if (sourceCoordinate(numbers, o, g) !== o) return false;
  return true;
}

/** Nearest input index of coordinate `v` (f64) under a nearest_mode, as an f64 whole number. */
function nearest(ctx: LowerContext, v: Expr, mode: string): Expr {
  const r = ctx.bind(unary('floor', v, 'f64'), 'f64');
  const frac = binary('sub', v, r, 'f64'); // exact
  const up = binary('add', r, f64(1), 'f64');
  switch (mode) {
    case 'round_prefer_floor': return select(binary('gt', frac, f64(0.5), 'f64'), up, r, 'f64');
    case 'round_prefer_ceil': return select(binary('ge', frac, f64(0.5), 'f64'), up, r, 'f64');
    case 'floor': return r;
    case 'ceil': return unary('ceil', v, 'f64');
    default: throw new Error(`unknown nearest_mode ${mode}`);
  }
}

/** Keys cubic convolution weight at distance `x` >= 0 (reference operation order). */
function cubicWeight(x: Expr, a: number): Expr {
  const m = (p: Expr, q: Expr): Expr => binary('mul', p, q, 'f64');
  const s = (p: Expr, q: Expr): Expr => binary('sub', p, q, 'f64');
  const near = binary('add', m(m(s(m(f64(a + 2), x), f64(a + 3)), x), x), f64(1), 'f64');
  const far = s(m(binary('add', m(s(m(f64(a), x), f64(5 * a)), x), f64(8 * a), 'f64'), x), f64(4 * a));
  return select(binary('le', x, f64(1), 'f64'), near, select(binary('lt', x, f64(2), 'f64'), far, f64(0), 'f64'), 'f64');
}

interface Tap {
  index: Expr;
  weight: Expr;
}

interface InterpOptions {
  cubic: boolean;
  a: number;
  excludeOutside: boolean;
  antialias: boolean;
}

/** Interpolation taps of one axis at source coordinate `v` (the reference's axisTaps, per element). */
function axisTaps(ctx: LowerContext, v: Expr, g: AxisGeometry, opt: InterpOptions): Tap[] {
  const filterScale = opt.antialias ? Math.min(g.scale, 1) : 1;
  const support = opt.cubic ? 2 : 1;
  const first = Math.floor(-support / filterScale) + 1;
  const n = 2 - 2 * first;
  const base = ctx.bind(unary('floor', v, 'f64'), 'f64');
  const ratio = ctx.bind(binary('sub', v, base, 'f64'), 'f64');
  const baseIndex = ctx.bind(cast(base, 'f64', 'i32'), 'i32');
  const weights: Expr[] = [];
  const indices: Expr[] = [];
  for (let j = 0; j < n; j++) {
    let d = binary('sub', f64(first + j), ratio, 'f64');
    if (filterScale !== 1) d = binary('mul', d, f64(filterScale), 'f64');
    const dist = ctx.bind(unary('abs', d, 'f64'), 'f64');
    let w = opt.cubic ? cubicWeight(dist, opt.a) : binary('max', f64(0), binary('sub', f64(1), dist, 'f64'), 'f64');
    const at = ctx.bind(add(baseIndex, i32(first + j)), 'i32');
    if (opt.excludeOutside) w = select(inRange(at, g.inLen), w, f64(0), 'f64');
    weights.push(ctx.bind(w, 'f64'));
    indices.push(ctx.bind(clampIndex(at, g.inLen), 'i32'));
  }
  if (filterScale < 1 || opt.excludeOutside) {
    // Weights that need not add up to 1 are normalised.
    const sum = ctx.bind(weights.reduce((p, q) => binary('add', p, q, 'f64')), 'f64');
    const inv = ctx.bind(select(binary('eq', sum, f64(0), 'f64'), f64(0), binary('div', f64(1), sum, 'f64'), 'f64'), 'f64');
    for (let j = 0; j < n; j++) weights[j] = ctx.bind(binary('mul', weights[j]!, inv, 'f64'), 'f64');
  }
  return indices.map((index, j) => ({ index, weight: weights[j]! }));
}

/** A number in a compute type (integers truncate, as the reference's typed arrays do). */
function fillValue(t: ScalarType, v: number): Expr {
  return constant(t, t === 'f32' || t === 'f64' ? v : Math.trunc(v));
}

defineLowering('resize', (ctx, node: Node, idx) => {
  const x = node.inputs[0];
  if (!x) throw new Error('resize: missing data operand');
  const inShape = ctx.shape(x);
  const rank = inShape.length;
  const axes = resizeAxes(rank, attrInts(node.attrs, 'axes'));
  const operand = (i: number, what: string): number[] | undefined => {
    const v = node.inputs[i];
    if (!v) return undefined;
    const t = ctx.constant(v);
    if (!t) throw new Error(`resize: ${what} must be a compile-time constant for the CPU code generator`);
    return presentConst(t);
  };
  const mode = attrString(node.attrs, 'mode', 'nearest');
  const ct = attrString(node.attrs, 'coordinate_transformation_mode', 'half_pixel');
  const policy = attrString(node.attrs, 'keep_aspect_ratio_policy', 'stretch');
  const sizesInput = node.inputs[3];
  // Stretched sizes are the static output extents, whether or not the operand is constant.
  const sizes = sizesInput && !ctx.constant(sizesInput) && policy === 'stretch'
    ? axes.map((a) => ctx.shape(node.outputs[0]!)[a]!)
    : operand(3, 'sizes');
  const plan = resizePlan(inShape, axes, sizes ? undefined : operand(2, 'scales'), sizes, policy);
  const roi = ct === 'tf_crop_and_resize' ? operand(1, 'roi') : undefined;
  if (ct === 'tf_crop_and_resize' && (!roi || roi.length !== 2 * axes.length)) {
    throw new Error(`tf_crop_and_resize needs a roi of ${2 * axes.length} values`);
  }
  const outT = ctx.type(node.outputs[0]!);
  const extrapolation = attrFloat(node.attrs, 'extrapolation_value', 0);

  // The resized axes that really move elements, with their source coordinates.
  const moving: { axis: number; g: AxisGeometry; v: Expr }[] = [];
  const outside: Expr[] = [];
  axes.forEach((axis, k) => {
    const g: AxisGeometry = {
      mode: ct,
      inLen: inShape[axis]!,
      outLen: plan.outShape[axis]!,
      scale: plan.scales[axis]!,
      outF: Math.fround(plan.scales[axis]! * inShape[axis]!),
      roiStart: roi ? roi[k]! : 0,
      roiEnd: roi ? roi[k + axes.length]! : 1,
    };
    if (isIdentityAxis(g)) return;
    const v = ctx.bind(sourceCoordinate(exprs, cast(idx[axis]!, 'i32', 'f64'), g), 'f64');
    moving.push({ axis, g, v });
    if (ct === 'tf_crop_and_resize') {
      outside.push(binary('or', binary('lt', v, f64(0), 'f64'), binary('gt', v, f64(g.inLen - 1), 'f64'), 'i32'));
    }
  });
  const extrapolate = (value: Expr): Expr => {
    if (outside.length === 0) return value;
    const any = outside.reduce((p, q) => binary('or', p, q, 'i32'));
    return select(any, fillValue(outT, extrapolation), value, outT);
  };

  if (mode === 'nearest') {
    const nm = attrString(node.attrs, 'nearest_mode', 'round_prefer_floor');
    const inIdx = [...idx];
    for (const m of moving) {
      const at = cast(nearest(ctx, m.v, nm), 'f64', 'i32');
      inIdx[m.axis] = ctx.bind(clampIndex(at, m.g.inLen), 'i32');
    }
    return extrapolate(ctx.value(x, inIdx));
  }
  if (mode !== 'linear' && mode !== 'cubic') throw new Error(`unknown resize mode ${mode}`);
  const opt: InterpOptions = {
    cubic: mode === 'cubic',
    a: attrFloat(node.attrs, 'cubic_coeff_a', -0.75),
    excludeOutside: attrInt(node.attrs, 'exclude_outside', 0) !== 0,
    antialias: attrInt(node.attrs, 'antialias', 0) !== 0,
  };
  const taps = moving.map((m) => axisTaps(ctx, m.v, m.g, opt));
  const xt = ctx.type(x);
  // Separable: the sum over the first moving axis is innermost, as the reference applies it first.
  const interpolate = (k: number, at: Expr[]): Expr => {
    if (k < 0) return cast(ctx.value(x, at), xt, 'f64');
    const axis = moving[k]!.axis;
    let sum: Expr | undefined;
    for (const tap of taps[k]!) {
      const next = [...at];
      next[axis] = tap.index;
      const term = binary('mul', tap.weight, interpolate(k - 1, next), 'f64');
      sum = sum ? binary('add', sum, term, 'f64') : term;
    }
    return ctx.bind(sum!, 'f64');
  };
  const value = interpolate(moving.length - 1, [...idx]);
  return extrapolate(cast(value, 'f64', outT));
});
