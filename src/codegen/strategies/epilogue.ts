// The elementwise epilogue of a heavy root, applied to a vector of four results of the root
// (consecutive along one output dim, the "lane dim") and stored. The epilogue's scalar program
// comes from the ordinary lowering rules with the root's element replaced by a placeholder; it
// is then translated to f32x4 lanes (operand loads contiguous, strided or broadcast along the
// lane dim). Programs with no vector form run once per lane on the unpacked results.
import type { Node, Value } from '../../ir/graph.js';
import type { DispatchRegion } from '../../ir/partition.js';
import { add, broadcastIndex, i32, linearize, mul } from '../expr.js';
import type { Expr, ScalarType, Stmt, VecBinaryOp, VecExpr, VecUnaryOp } from '../kernel-ir.js';
import { RegionLowering } from '../lowering/region-context.js';
import { foldIndex } from './access-fit.js';
import { exprType as typeOf, inlineLets, renameLocals, substitute } from './expr-tools.js';
import type { KernelBuilder } from './kernel-builder.js';
import { vectorErf, vectorExp, vectorSigmoid } from './vector-math.js';

/**
 * The region's lowering with the root's element (at any index) replaced by `rootExpr`. Some f32
 * ops keep a form that vectorizes instead of their rule's scalar expansion: erf stays one `erf`
 * op, pow by a constant 2 or 3 becomes products.
 */
class EpilogueLowering extends RegionLowering {
  private readonly special = new Map<number, Node>();

  constructor(region: DispatchRegion, private readonly rootValue: Value | null, private readonly rootExpr: Expr) {
    super(region);
    for (const n of region.nodes) {
      const [x, y] = n.inputs;
      if (!x || x.type.dtype !== 'f32' || n.outputs[0]!.type.dtype !== 'f32') continue;
      if (n.op === 'erf') this.special.set(n.outputs[0]!.id, n);
      const e = n.op === 'pow' && y ? this.constant(y) : undefined;
      if (e && e.size === 1 && (e.getNumber(0) === 2 || e.getNumber(0) === 3)) this.special.set(n.outputs[0]!.id, n);
    }
  }

  override value(v: Value, idx: readonly Expr[]): Expr {
    if (v.id === this.rootValue?.id) return this.rootExpr;
    const n = this.special.get(v.id);
    if (!n) return super.value(v, idx);
    const x = this.bind(this.value(n.inputs[0]!, broadcastIndex(idx, n.inputs[0]!.type.shape as number[])), 'f32');
    if (n.op === 'erf') return this.bind({ k: 'unary', op: 'erf', a: x, t: 'f32' }, 'f32');
    const sq = this.bind({ k: 'binary', op: 'mul', a: x, b: x, t: 'f32' }, 'f32');
    return this.constant(n.inputs[1]!)!.getNumber(0) === 2 ? sq : this.bind({ k: 'binary', op: 'mul', a: sq, b: x, t: 'f32' }, 'f32');
  }
}

export interface EpilogueSite {
  /** Output index of lane 0. */
  idx: readonly Expr[];
  /** The dim of `idx` the lanes run along (lane l is at idx[laneDim] + l). */
  laneDim: number;
  /** Lanes that exist (1..4); the others are neither loaded nor stored. */
  lanes: number;
  /** The root's four results (unused without a root). */
  acc: VecExpr;
}

const LANE = '$lane';
const ROOT = '$root';

const VEC_BINARY: ReadonlySet<string> = new Set<VecBinaryOp>(['add', 'sub', 'mul', 'div', 'min', 'max']);
const VEC_UNARY: ReadonlySet<string> = new Set<VecUnaryOp>(['neg', 'abs', 'sqrt', 'floor', 'ceil', 'trunc', 'round_even']);

/** Coefficient of the lane variable in an i32 expression; null when not affine in it. */
function laneCoefficient(e: Expr): number | null {
  switch (e.k) {
    case 'const': case 'param': case 'wgid': return 0;
    case 'var': return e.name === LANE ? 1 : 0;
    case 'binary': {
      if (e.t !== 'i32') return null;
      const a = laneCoefficient(e.a);
      const b = laneCoefficient(e.b);
      if (a === null || b === null) return null;
      if (a === 0 && b === 0) return 0;
      if (e.op === 'add') return a + b;
      if (e.op === 'sub') return a - b;
      if (e.op === 'mul' && e.a.k === 'const' && a === 0) return Number(e.a.v) * b;
      if (e.op === 'mul' && e.b.k === 'const' && b === 0) return a * Number(e.b.v);
      return null;
    }
    case 'select': case 'load': case 'unary': case 'cast': case 'bitcast': {
      const parts = e.k === 'select' ? [e.cond, e.a, e.b] : e.k === 'load' ? [e.index] : [e.a];
      return parts.every((p) => laneCoefficient(p) === 0) ? 0 : null;
    }
    default: return null;
  }
}

const atLane = (e: Expr, lane: number): Expr => foldIndex(substitute(e, new Map([[LANE, i32(lane)]])));

/** Whether `e` reads a local in `names`. */
function reads(e: Expr, names: ReadonlySet<string>): boolean {
  switch (e.k) {
    case 'var': return names.has(e.name);
    case 'load': return reads(e.index, names);
    case 'unary': case 'cast': case 'bitcast': return reads(e.a, names);
    case 'binary': return reads(e.a, names) || reads(e.b, names);
    case 'select': return reads(e.cond, names) || reads(e.a, names) || reads(e.b, names);
    default: return false;
  }
}

/**
 * Emits the epilogue for one site: computes the region's output lanes and stores them. Without a
 * root (`null`) it is the whole region's elementwise program.
 */
export function emitEpilogue(b: KernelBuilder, region: DispatchRegion, root: Value | null, site: EpilogueSite): void {
  const outShape = region.output.type.shape as number[];
  const outBinding = region.inputs.length;
  const laneIdx = site.idx.map((e, d) => (d === site.laneDim ? add(e, { k: 'var', name: LANE, t: 'i32' }) : e));
  const storeIndex = linearize(laneIdx, outShape);
  const outStride = laneCoefficient(storeIndex);
  if (outStride !== null && region.output.type.dtype === 'f32') {
    const ctx = new EpilogueLowering(region, root, { k: 'var', name: ROOT, t: 'f32' });
    let result: Expr | undefined;
    try {
      result = ctx.value(region.output, laneIdx);
    } catch {
      result = undefined;
    }
    if (result) {
      const program = result;
      let vectorized: Stmt[] | undefined;
      try {
        vectorized = b.nested(() => {
          const value = translateProgram(b, ctx.statements, program, site);
          if (!value) throw new NoVectorForm();
          b.emit({ k: 'vstore', binding: outBinding, index: atLane(storeIndex, 0), value, stride: outStride, ...(site.lanes < 4 ? { lanes: site.lanes } : {}) });
        });
      } catch (e) {
        if (!(e instanceof NoVectorForm)) throw e;
      }
      if (vectorized) {
        b.emit(...vectorized);
        return;
      }
    }
  }
  emitPerLane(b, region, root, site, laneIdx, storeIndex);
}

class NoVectorForm extends Error {}

/** The scalar epilogue once per lane, on the unpacked root results. */
function emitPerLane(b: KernelBuilder, region: DispatchRegion, root: Value | null, site: EpilogueSite, laneIdx: readonly Expr[], storeIndex: Expr): void {
  const names = [0, 1, 2, 3].map(() => b.fresh('lane'));
  b.emit({ k: 'vunpack', names, value: site.acc });
  const outBinding = region.inputs.length;
  for (let l = 0; l < site.lanes; l++) {
    const ctx = new EpilogueLowering(region, root, { k: 'var', name: names[l]!, t: 'f32' });
    const idx = laneIdx.map((e) => atLane(e, l));
    const value = ctx.value(region.output, idx);
    const { stmts, rename } = renameLocals(ctx.statements, `${b.fresh('ep')}_`);
    b.emit(...stmts, { k: 'store', binding: outBinding, index: atLane(storeIndex, l), value: rename(value) });
  }
}

/**
 * Translates the epilogue's scalar program (lets, then `result`) into vector statements emitted
 * on `b`; returns the result's vector, or undefined when some part has no vector form.
 */
function translateProgram(b: KernelBuilder, stmts: readonly Stmt[], result: Expr, site: EpilogueSite): VecExpr | undefined {
  const scalarEnv = new Map<string, Expr>();
  const vectors = new Map<string, VecExpr>([[ROOT, site.acc]]);
  const vectorNames = new Set<string>([ROOT]);
  const tv = (e: Expr): VecExpr | undefined => translate(b, e, vectors, vectorNames, site.lanes);
  for (const s of stmts) {
    if (s.k !== 'let') return undefined;
    const value = substitute(s.value, scalarEnv);
    const t: ScalarType = typeOf(value);
    if (t === 'i32' && !reads(value, vectorNames)) {
      scalarEnv.set(s.name, value);
      continue;
    }
    if (t !== 'f32') return undefined;
    const v = tv(value);
    if (!v) return undefined;
    vectors.set(s.name, b.vlet(v, 'ep'));
    vectorNames.add(s.name);
  }
  return tv(substitute(result, scalarEnv));
}

function translate(b: KernelBuilder, e: Expr, vectors: ReadonlyMap<string, VecExpr>, vectorNames: ReadonlySet<string>, lanes: number): VecExpr | undefined {
  const tv = (x: Expr): VecExpr | undefined => translate(b, x, vectors, vectorNames, lanes);
  // A value computed from loads and constants only: once if it is the same in every lane, else
  // lane by lane.
  const perLane = (): VecExpr | undefined => {
    if (reads(e, vectorNames) || typeOf(e) !== 'f32') return undefined;
    if (laneCoefficient(e) === 0) return { k: 'vsplat', a: e };
    const at = (l: number): Expr => (l < lanes ? substitute(e, new Map([[LANE, i32(l)]])) : { k: 'const', t: 'f32', v: 0 });
    return { k: 'vmake', lanes: [at(0), at(1), at(2), at(3)] };
  };
  switch (e.k) {
    case 'const':
      return e.t === 'f32' ? { k: 'vsplat', a: e } : undefined;
    case 'var':
      return vectors.get(e.name) ?? (e.t === 'f32' && laneCoefficient(e) === 0 ? { k: 'vsplat', a: e } : undefined);
    case 'load': {
      if (e.t !== 'f32') return undefined;
      const c = laneCoefficient(e.index);
      if (c === null) return perLane();
      const at0: Expr = { ...e, index: atLane(e.index, 0) };
      if (c === 0) return { k: 'vsplat', a: at0 };
      return { k: 'vload', binding: e.binding, index: at0.index, stride: c, ...(lanes < 4 ? { lanes } : {}) };
    }
    case 'unary': {
      if (e.t !== 'f32') return undefined;
      if (VEC_UNARY.has(e.op)) {
        const a = tv(e.a);
        return a && { k: 'vunary', op: e.op as VecUnaryOp, a };
      }
      const special = { erf: vectorErf, exp: vectorExp, sigmoid: vectorSigmoid }[e.op as 'erf'];
      if (special) {
        const a = tv(e.a);
        return a && special(b, b.vlet(a, `${e.op}in`));
      }
      return perLane();
    }
    case 'binary': {
      if (e.t !== 'f32' || !VEC_BINARY.has(e.op)) return perLane();
      const x = tv(e.a);
      const y = tv(e.b);
      return x && y && { k: 'vbinary', op: e.op as VecBinaryOp, a: x, b: y };
    }
    case 'cast':
      return e.from === 'f32' && e.t === 'f32' ? tv(e.a) : perLane();
    default:
      return perLane();
  }
}

/**
 * Four lanes of `v` (a region value that does not depend on the root, e.g. a conv's bias) at
 * `idx` and the following `lanes - 1` positions `laneStep` apart along `laneDim`; undefined if it
 * has no vector form.
 */
export function laneVector(b: KernelBuilder, region: DispatchRegion, v: Value, idx: readonly Expr[], laneDim: number, lanes: number, laneStep = 1): VecExpr | undefined {
  const laneIdx = idx.map((e, d) => (d === laneDim ? add(e, mul({ k: 'var', name: LANE, t: 'i32' }, i32(laneStep))) : e));
  const ctx = new EpilogueLowering(region, null, { k: 'const', t: 'f32', v: 0 });
  let value: Expr;
  try {
    value = ctx.value(v, laneIdx);
  } catch {
    return undefined;
  }
  const zero: VecExpr = { k: 'vsplat', a: { k: 'const', t: 'f32', v: 0 } };
  try {
    let out: VecExpr | undefined;
    const stmts = b.nested(() => {
      out = translateProgram(b, ctx.statements, value, { idx, laneDim, lanes, acc: zero });
    });
    if (!out) return undefined;
    b.emit(...stmts);
    return out;
  } catch {
    return undefined;
  }
}

/** The element of `v` at `idx` as one pure f32 expression (loads, constants, selects), if it is one. */
export function scalarElement(region: DispatchRegion, v: Value, idx: readonly Expr[]): Expr | undefined {
  const ctx = new RegionLowering(region);
  try {
    const e = inlineLets(ctx.statements, ctx.value(v, idx));
    return e && typeOf(e) === 'f32' ? e : undefined;
  } catch {
    return undefined;
  }
}
