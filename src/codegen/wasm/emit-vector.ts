// WebAssembly SIMD128 for the kernel IR's f32x4 statements (`vlet`, `vstore`, `vunpack`) and
// their VecExprs. Loads and stores fold a constant element offset into the instruction's memarg,
// so a register tile's loads (row + k, row + k + 4, ...) share one address computation.
import type { DType } from '../../ir/dtype.js';
import type { Expr, Stmt, VecExpr } from '../kernel-ir.js';
import { sleb, uleb } from './leb128.js';
import { SIMD, W } from './opcodes.js';

/** What the vector emitter needs from the function compiler it extends. */
export interface VectorHost {
  readonly code: number[];
  expr(e: Expr): void;
  scalarTypeOf(e: Expr): string;
  bindingBaseLocal(binding: number): number;
  bindingDType(binding: number): DType;
  /** A fresh v128 local. */
  newV128Local(): number;
  /** Declares (or finds) an f32 scalar local by name. */
  declareF32(name: string): number;
}

/** Vector SIMD sub-opcodes beyond those the scalar emitter uses. */
const V = {
  load32Splat: 0x09, shuffle: 0x0d, extractLane: 0x1f, replaceLane: 0x20,
  f32x4Lt: 0x43, bitselect: 0x52, store32Lane: 0x5a, pmin: 0xea, pmax: 0xeb,
  i32x4Splat: 0x11, i32x4Shl: 0xab, i32x4Add: 0xae, i32x4TruncSatF32x4S: 0xf8,
} as const;

const BINARY: Readonly<Record<string, number>> = {
  add: SIMD.f32x4Add, sub: SIMD.f32x4Sub, mul: SIMD.f32x4Mul, div: SIMD.f32x4Div,
  minimum: SIMD.f32x4Min, maximum: SIMD.f32x4Max,
};
const UNARY: Readonly<Record<string, number>> = {
  neg: SIMD.f32x4Neg, abs: SIMD.f32x4Abs, sqrt: SIMD.f32x4Sqrt, floor: SIMD.f32x4Floor,
  ceil: SIMD.f32x4Ceil, trunc: SIMD.f32x4Trunc, round_even: SIMD.f32x4Nearest,
};

/** `index` as (rest, constant) with the constant ≥ 0, so it can ride in the memarg offset. */
function splitOffset(index: Expr): [Expr | null, number] {
  if (index.k === 'const' && index.t === 'i32' && (index.v as number) >= 0) return [null, index.v as number];
  if (index.k === 'binary' && index.op === 'add' && index.t === 'i32') {
    const [ra, ca] = splitOffset(index.a);
    const [rb, cb] = splitOffset(index.b);
    if (ca + cb > 0) {
      const rest: Expr | null = ra && rb ? { k: 'binary', op: 'add', a: ra, b: rb, t: 'i32' } : ra ?? rb;
      return [rest, ca + cb];
    }
  }
  return [index, 0];
}

export class VectorEmitter {
  private readonly locals = new Map<string, number>();

  constructor(private readonly host: VectorHost) {}

  stmt(s: Extract<Stmt, { k: 'vlet' | 'vstore' | 'vunpack' }>): void {
    const c = this.host.code;
    switch (s.k) {
      case 'vlet': {
        this.vexpr(s.value);
        let l = this.locals.get(s.name);
        if (l === undefined) {
          l = this.host.newV128Local();
          this.locals.set(s.name, l);
        }
        c.push(W.localSet, ...sleb(l));
        return;
      }
      case 'vstore':
        this.store(s.binding, s.index, s.value, s.stride, s.lanes ?? 4);
        return;
      case 'vunpack': {
        const v = this.spill(s.value);
        s.names.forEach((name, lane) => {
          if (lane > 3) throw new Error('vunpack names more than 4 lanes');
          c.push(W.localGet, ...sleb(v), W.prefixFD, ...uleb(V.extractLane), lane, W.localSet, ...sleb(this.host.declareF32(name)));
        });
        return;
      }
    }
  }

  private spill(e: VecExpr): number {
    if (e.k === 'vvar') return this.local(e.name);
    const l = this.host.newV128Local();
    this.vexpr(e);
    this.host.code.push(W.localSet, ...sleb(l));
    return l;
  }

  private local(name: string): number {
    const l = this.locals.get(name);
    if (l === undefined) throw new Error(`kernel reads undeclared vector local ${name}`);
    return l;
  }

  private checkF32(binding: number): void {
    const d = this.host.bindingDType(binding);
    if (d !== 'f32') throw new Error(`vector access to binding ${binding} of dtype ${d} (f32 only)`);
  }

  /** Pushes the byte address (less the folded offset) of element `index`; returns the memarg offset. */
  private address(binding: number, index: Expr): number {
    const c = this.host.code;
    const [rest, constant] = splitOffset(index);
    c.push(W.localGet, ...sleb(this.host.bindingBaseLocal(binding)));
    if (rest) {
      this.host.expr(rest);
      c.push(W.i32Const, 2, W.i32Shl, W.i32Add);
    }
    return constant * 4;
  }

  private store(binding: number, index: Expr, value: VecExpr, stride: number, lanes: number): void {
    this.checkF32(binding);
    const c = this.host.code;
    if (stride === 1 && lanes === 4) {
      const off = this.address(binding, index);
      this.vexpr(value);
      c.push(W.prefixFD, ...uleb(SIMD.v128Store), 2, ...uleb(off));
      return;
    }
    const v = this.spill(value);
    for (let lane = 0; lane < lanes; lane++) {
      const at: Expr = lane === 0 ? index : { k: 'binary', op: 'add', a: index, b: { k: 'const', t: 'i32', v: lane * stride }, t: 'i32' };
      const off = this.address(binding, at);
      c.push(W.localGet, ...sleb(v), W.prefixFD, ...uleb(V.store32Lane), 2, ...uleb(off), lane);
    }
  }

  vexpr(e: VecExpr): void {
    const c = this.host.code;
    switch (e.k) {
      case 'vvar':
        c.push(W.localGet, ...sleb(this.local(e.name)));
        return;
      case 'vsplat': {
        const a = e.a;
        if (a.k === 'load' && a.t === 'f32' && this.host.bindingDType(a.binding) === 'f32') {
          const off = this.address(a.binding, a.index);
          c.push(W.prefixFD, ...uleb(V.load32Splat), 2, ...uleb(off));
          return;
        }
        if (this.host.scalarTypeOf(a) !== 'f32') throw new Error('vsplat of a non-f32 expression');
        this.host.expr(a);
        c.push(W.prefixFD, ...uleb(SIMD.f32x4Splat));
        return;
      }
      case 'vload': {
        this.checkF32(e.binding);
        const lanes = e.lanes ?? 4;
        if (lanes >= 4 && (e.stride === 1 || e.stride === 0)) {
          const off = this.address(e.binding, e.index);
          c.push(W.prefixFD, ...uleb(e.stride === 1 ? SIMD.v128Load : V.load32Splat), 2, ...uleb(off));
          return;
        }
        if (lanes >= 4 && e.stride === 2) {
          // Elements i, i+2, i+4, i+6: the odd lanes of [i-1 .. i+6] (nothing past i+6 is read).
          const at = (d: number): Expr => ({ k: 'binary', op: 'add', a: e.index, b: { k: 'const', t: 'i32', v: d }, t: 'i32' });
          c.push(W.prefixFD, ...uleb(SIMD.v128Load), 2, ...uleb(this.address(e.binding, at(-1))));
          c.push(W.prefixFD, ...uleb(SIMD.v128Load), 2, ...uleb(this.address(e.binding, at(3))));
          c.push(W.prefixFD, ...uleb(V.shuffle), ...[1, 3, 5, 7].flatMap((l) => [l * 4, l * 4 + 1, l * 4 + 2, l * 4 + 3]));
          return;
        }
        // A gather (or a partial vector): lanes replaced one by one into a splat of lane 0 (or of 0).
        if (lanes < 4) c.push(W.f32Const, 0, 0, 0, 0, W.prefixFD, ...uleb(SIMD.f32x4Splat));
        for (let lane = 0; lane < Math.min(4, lanes); lane++) {
          const at: Expr = lane === 0 ? e.index : { k: 'binary', op: 'add', a: e.index, b: { k: 'const', t: 'i32', v: lane * e.stride }, t: 'i32' };
          const off = this.address(e.binding, at);
          c.push(W.f32Load, 2, ...uleb(off));
          if (lane === 0 && lanes >= 4) c.push(W.prefixFD, ...uleb(SIMD.f32x4Splat));
          else c.push(W.prefixFD, ...uleb(V.replaceLane), lane);
        }
        return;
      }
      case 'vmake':
        e.lanes.forEach((x, lane) => {
          if (this.host.scalarTypeOf(x) !== 'f32') throw new Error('vmake of a non-f32 expression');
          this.host.expr(x);
          if (lane === 0) c.push(W.prefixFD, ...uleb(SIMD.f32x4Splat));
          else c.push(W.prefixFD, ...uleb(V.replaceLane), lane);
        });
        return;
      case 'vbinary':
        if (e.op === 'min' || e.op === 'max') {
          // pmin(y, x) = x < y ? x : y; pmax(y, x) = y < x ? x : y: the scalar emitter's selects.
          this.vexpr(e.b);
          this.vexpr(e.a);
          c.push(W.prefixFD, ...uleb(e.op === 'min' ? V.pmin : V.pmax));
          return;
        }
        this.vexpr(e.a);
        this.vexpr(e.b);
        c.push(W.prefixFD, ...uleb(BINARY[e.op]!));
        return;
      case 'vunary':
        this.vexpr(e.a);
        if (e.op === 'pow2_int') {
          // ((int)x + 127) << 23 is the bit pattern of 2^x.
          c.push(W.prefixFD, ...uleb(V.i32x4TruncSatF32x4S));
          c.push(W.i32Const, ...sleb(127), W.prefixFD, ...uleb(V.i32x4Splat), W.prefixFD, ...uleb(V.i32x4Add));
          c.push(W.i32Const, ...sleb(23), W.prefixFD, ...uleb(V.i32x4Shl));
          return;
        }
        c.push(W.prefixFD, ...uleb(UNARY[e.op]!));
        return;
      case 'vselect_lt':
        this.vexpr(e.x);
        this.vexpr(e.y);
        this.vexpr(e.a);
        this.vexpr(e.b);
        c.push(W.prefixFD, ...uleb(V.f32x4Lt), W.prefixFD, ...uleb(V.bitselect));
        return;
      case 'vshuffle': {
        this.vexpr(e.a);
        this.vexpr(e.b);
        const bytes = e.lanes.flatMap((l) => {
          if (l < 0 || l > 7) throw new Error(`shuffle lane ${l} out of range`);
          return [l * 4, l * 4 + 1, l * 4 + 2, l * 4 + 3];
        });
        c.push(W.prefixFD, ...uleb(V.shuffle), ...bytes);
        return;
      }
    }
  }
}
