import { CPU_MATH_IMPORTS, CPU_MAX_PAGES } from '../../util/cpu-kernel-abi.js';
import type { DType } from '../../ir/dtype.js';
import { isWorkgroupAccess, type BinaryOp, type Expr, type Kernel, type ScalarType, type Stmt, type UnaryOp } from '../kernel-ir.js';
import { IreetsError } from '../../util/errors.js';
import { sleb, slebBig, uleb } from './leb128.js';
import { F64, I32, V128, WasmModuleBuilder, type ValType } from './module-builder.js';
import { convert, nativeBinary, nativeUnaryFloat, reinterpret, valType } from './scalar-ops.js';
import { SIMD, W } from './opcodes.js';
import { canVectorize, coefficientOf } from './vectorize.js';
import { F16_HELPERS, type HelperFunction } from './f16-helpers.js';
import { VectorEmitter, type VectorHost } from './emit-vector.js';


const TRANSCENDENTAL = new Set(['exp', 'log', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh', 'erf']);
const ENTRY_PARAMS: ValType[] = [I32, I32, I32, I32, I32];

export interface WasmExecutable {
  code: Uint8Array;
  entryPoints: string[];
}

/** Compiles kernels into one WebAssembly module, one exported entry per kernel (CPU ABI). */
export function emitWasmExecutable(kernels: readonly Kernel[]): WasmExecutable {
  for (const k of kernels) {
    // A CPU workgroup is one thread: workgroup memory and barriers are GPU-kernel features.
    if ((k.shared?.length ?? 0) > 0 || usesWorkgroupMemory(k.body)) {
      throw new IreetsError('INTERNAL', `kernel ${k.name} uses workgroup memory or barriers, which the CPU (wasm) emitter does not support: it was lowered for the GPU`);
    }
  }
  const mod = new WasmModuleBuilder({ minPages: 1, maxPages: CPU_MAX_PAGES, shared: true });
  const math = new Map<string, number>();
  for (const name of Object.keys(CPU_MATH_IMPORTS).sort()) {
    const arity = name === 'pow' || name === 'fmod' ? 2 : 1;
    math.set(name, mod.importFunction('math', name, Array<ValType>(arity).fill(F64), [F64]));
  }
  // Helpers are compiled first so kernels can call them by index.
  const helpers = new Map<string, number>();
  for (const h of F16_HELPERS) {
    const fc = new FunctionCompiler(math, helpers, [], h.params.map((p) => ({ name: p.name, t: p.t })));
    fc.stmts(h.body);
    fc.code.push(W.localGet, ...sleb(fc.local(h.result)));
    helpers.set(h.name, mod.addFunction({ params: h.params.map((p) => valType(p.t)), results: [valType(h.resultType)], locals: fc.extraLocals(), body: fc.code }));
  }
  for (const k of kernels) {
    const fc = new FunctionCompiler(math, helpers, k.bindings.map((b) => b.dtype), []);
    fc.prologue(k);
    fc.stmts(k.body);
    mod.addFunction({ params: ENTRY_PARAMS, results: [], locals: fc.extraLocals(), body: fc.code, exportName: k.name });
  }
  return { code: mod.build(), entryPoints: kernels.map((k) => k.name) };
}

/** Compiles one function body; owns local allocation. */
class FunctionCompiler implements VectorHost {
  readonly code: number[] = [];
  private readonly vector = new VectorEmitter(this);
  private readonly locals = new Map<string, { index: number; t: ScalarType }>();
  private readonly localTypes: ValType[] = [];
  private readonly nParams: number;
  private readonly bindingBase: number[] = [];
  private readonly paramLocal = new Map<number, number>();
  private tmpCounter = 0;

  constructor(
    private readonly math: Map<string, number>,
    private readonly helpers: Map<string, number>,
    private readonly bindingDTypes: readonly DType[],
    params: readonly { name: string; t: ScalarType }[],
  ) {
    // Entry points have the 5 ABI params; helpers have their own.
    if (params.length === 0) {
      this.nParams = ENTRY_PARAMS.length;
    } else {
      this.nParams = params.length;
      params.forEach((p, i) => this.locals.set(p.name, { index: i, t: p.t }));
    }
  }

  extraLocals(): ValType[] {
    return this.localTypes;
  }

  private newLocal(t: ValType): number {
    this.localTypes.push(t);
    return this.nParams + this.localTypes.length - 1;
  }

  local(name: string): number {
    const l = this.locals.get(name);
    if (!l) throw new Error(`kernel reads undeclared local ${name}`);
    return l.index;
  }

  private declare(name: string, t: ScalarType): number {
    const known = this.locals.get(name);
    if (known) {
      if (known.t !== t) throw new Error(`local ${name} redeclared with type ${t} (was ${known.t})`);
      return known.index;
    }
    const index = this.newLocal(valType(t));
    this.locals.set(name, { index, t });
    return index;
  }

  // VectorHost: what the f32x4 statement emitter (emit-vector.ts) uses.
  scalarTypeOf(e: Expr): string {
    return typeOf(e);
  }
  bindingBaseLocal(binding: number): number {
    const base = this.bindingBase[binding];
    if (base === undefined) throw new Error(`kernel uses binding ${binding}, which it does not declare`);
    return base;
  }
  bindingDType(binding: number): DType {
    return this.bindingDTypes[binding]!;
  }
  newV128Local(): number {
    return this.newLocal(V128);
  }
  declareF32(name: string): number {
    return this.declare(name, 'f32');
  }

  private tmp(t: ScalarType): number {
    return this.declare(`$tmp${this.tmpCounter++}`, t);
  }

  /** Loads binding base addresses and push constants into locals once per call. */
  prologue(k: Kernel): void {
    k.bindings.forEach((_, i) => {
      const l = this.newLocal(I32);
      this.bindingBase.push(l);
      this.code.push(W.localGet, 0, W.i32Load, 2, ...sleb(i * 4), W.localSet, ...sleb(l));
    });
    for (let i = 0; i < k.numParams; i++) {
      const l = this.newLocal(I32);
      this.paramLocal.set(i, l);
      this.code.push(W.localGet, 1, W.i32Load, 2, ...sleb(i * 4), W.localSet, ...sleb(l));
    }
  }

  stmts(list: readonly Stmt[]): void {
    for (const s of list) this.stmt(s);
  }

  private stmt(s: Stmt): void {
    const c = this.code;
    switch (s.k) {
      case 'let':
      case 'var': {
        const t = typeOf(s.value);
        this.expr(s.value);
        c.push(W.localSet, ...sleb(this.declare(s.name, t)));
        return;
      }
      case 'assign':
        this.expr(s.value);
        c.push(W.localSet, ...sleb(this.local(s.name)));
        return;
      case 'store':
        this.store(s.binding, s.index, s.value);
        return;
      case 'vlet':
      case 'vstore':
      case 'vunpack':
        this.vector.stmt(s);
        return;
      case 'if':
        this.expr(s.cond);
        c.push(W.if, 0x40);
        this.stmts(s.then);
        if (s.else && s.else.length > 0) {
          c.push(W.else);
          this.stmts(s.else);
        }
        c.push(W.end);
        return;
      case 'for': {
        const v = this.declare(s.v, 'i32');
        const end = this.tmp('i32');
        this.expr(s.start);
        c.push(W.localSet, ...sleb(v));
        this.expr(s.end);
        c.push(W.localSet, ...sleb(end));
        if (s.vectorize && s.step === 1 && canVectorize(s.v, s.body, this.bindingDTypes)) this.vectorLoop(s.v, v, end, s.body);
        c.push(W.block, 0x40, W.loop, 0x40);
        c.push(W.localGet, ...sleb(v), W.localGet, ...sleb(end), W.i32GeS, W.brIf, 1);
        this.stmts(s.body);
        c.push(W.localGet, ...sleb(v), W.i32Const, ...sleb(s.step), W.i32Add, W.localSet, ...sleb(v));
        c.push(W.br, 0, W.end, W.end);
        return;
      }
    }
  }

  /**
   * Runs whole groups of four iterations in f32x4 lanes, leaving `v` at the first iteration the
   * scalar loop that follows must still run.
   */
  private vectorLoop(name: string, v: number, end: number, body: readonly Stmt[]): void {
    const c = this.code;
    const vend = this.tmp('i32');
    // vend = end - ((end - v) & 3)
    c.push(W.localGet, ...sleb(end), W.localGet, ...sleb(end), W.localGet, ...sleb(v), W.i32Sub, W.i32Const, 3, W.i32And, W.i32Sub, W.localSet, ...sleb(vend));
    c.push(W.block, 0x40, W.loop, 0x40);
    c.push(W.localGet, ...sleb(v), W.localGet, ...sleb(vend), W.i32GeS, W.brIf, 1);
    const lanes = new Map<string, number>();
    for (const st of body) {
      if (st.k === 'let') {
        this.vexpr(st.value, name, lanes);
        const l = this.newLocal(V128);
        lanes.set(st.name, l);
        c.push(W.localSet, ...sleb(l));
      } else if (st.k === 'store') {
        this.address(st.binding, st.index, 4);
        this.vexpr(st.value, name, lanes);
        c.push(W.prefixFD, ...uleb(SIMD.v128Store), 2, 0);
      }
    }
    c.push(W.localGet, ...sleb(v), W.i32Const, 4, W.i32Add, W.localSet, ...sleb(v));
    c.push(W.br, 0, W.end, W.end);
  }

  /** An f32 expression as four lanes: loads that move with the loop are contiguous, the rest splat. */
  private vexpr(e: Expr, loopVar: string, lanes: Map<string, number>): void {
    const c = this.code;
    const splat = (): void => {
      c.push(W.prefixFD, ...uleb(SIMD.f32x4Splat));
    };
    switch (e.k) {
      case 'const': this.expr(e); splat(); return;
      case 'var': {
        const l = lanes.get(e.name);
        if (l !== undefined) c.push(W.localGet, ...sleb(l));
        else { this.expr(e); splat(); }
        return;
      }
      case 'load':
        if (coefficientOf(e.index, loopVar, new Set(lanes.keys())) === 1) {
          this.address(e.binding, e.index, 4);
          c.push(W.prefixFD, ...uleb(SIMD.v128Load), 2, 0);
        } else {
          this.expr(e);
          splat();
        }
        return;
      case 'unary': {
        this.vexpr(e.a, loopVar, lanes);
        const op = { abs: SIMD.f32x4Abs, neg: SIMD.f32x4Neg, sqrt: SIMD.f32x4Sqrt, floor: SIMD.f32x4Floor, ceil: SIMD.f32x4Ceil, trunc: SIMD.f32x4Trunc, round_even: SIMD.f32x4Nearest }[e.op as 'abs'];
        c.push(W.prefixFD, ...uleb(op));
        return;
      }
      case 'binary': {
        this.vexpr(e.a, loopVar, lanes);
        this.vexpr(e.b, loopVar, lanes);
        const op = { add: SIMD.f32x4Add, sub: SIMD.f32x4Sub, mul: SIMD.f32x4Mul, div: SIMD.f32x4Div, min: SIMD.f32x4Min, max: SIMD.f32x4Max }[e.op as 'add'];
        c.push(W.prefixFD, ...uleb(op));
        return;
      }
      default:
        throw new Error(`expression ${e.k} has no f32x4 form`);
    }
  }

  private address(binding: number, index: Expr, size: number): void {
    const base = this.bindingBase[binding];
    if (base === undefined) throw new Error(`kernel uses binding ${binding}, which it does not declare`);
    this.code.push(W.localGet, ...sleb(base));
    this.expr(index);
    if (size > 1) this.code.push(W.i32Const, Math.log2(size), W.i32Shl);
    this.code.push(W.i32Add);
  }

  private load(binding: number, index: Expr, t: ScalarType): void {
    const d = this.bindingDTypes[binding]!;
    const c = this.code;
    const [size, op, align, stored] = loadInfo(d);
    this.address(binding, index, size);
    c.push(op, align, 0);
    if (d === 'f16') c.push(W.call, ...sleb(this.helpers.get('f16_to_f32')!));
    if (d === 'bf16') c.push(W.i32Const, 16, W.i32Shl, W.f32ReinterpretI32);
    c.push(...convert(stored, t));
  }

  private store(binding: number, index: Expr, value: Expr): void {
    const d = this.bindingDTypes[binding]!;
    const c = this.code;
    const [size, , , stored] = loadInfo(d);
    this.address(binding, index, size);
    this.expr(value);
    c.push(...convert(typeOf(value), stored));
    switch (d) {
      case 'f32': c.push(W.f32Store, 2, 0); return;
      case 'f64': c.push(W.f64Store, 3, 0); return;
      case 'i64': case 'u64': c.push(W.i64Store, 3, 0); return;
      case 'i32': case 'u32': c.push(W.i32Store, 2, 0); return;
      case 'i16': case 'u16': c.push(W.i32Store16, 1, 0); return;
      case 'i8': case 'u8': case 'bool': c.push(W.i32Store8, 0, 0); return;
      case 'f16': c.push(W.call, ...sleb(this.helpers.get('f32_to_f16')!), W.i32Store16, 1, 0); return;
      case 'bf16': c.push(W.call, ...sleb(this.helpers.get('f32_to_bf16')!), W.i32Store16, 1, 0); return;
      default: throw new Error(`cannot store ${d}`);
    }
  }

  expr(e: Expr): void {
    const c = this.code;
    switch (e.k) {
      case 'const': this.constant(e.t, e.v); return;
      case 'var': c.push(W.localGet, ...sleb(this.local(e.name))); return;
      case 'param': {
        const l = this.paramLocal.get(e.index);
        if (l === undefined) throw new Error(`kernel reads param ${e.index} beyond numParams`);
        c.push(W.localGet, ...sleb(l));
        return;
      }
      case 'wgid': c.push(W.localGet, 2 + e.dim); return;
      case 'lid': throw new Error('the CPU emitter runs one thread per workgroup: local invocation ids (GPU kernels) are not supported');
      case 'load': this.load(e.binding, e.index, e.t); return;
      case 'cast': this.expr(e.a); c.push(...convert(e.from, e.t)); return;
      case 'bitcast': this.expr(e.a); c.push(...reinterpret(e.from, e.t)); return;
      case 'select':
        this.expr(e.a);
        this.expr(e.b);
        this.expr(e.cond);
        c.push(W.select);
        return;
      case 'unary': this.unary(e.op, e.a, e.t); return;
      case 'binary': this.binary(e.op, e.a, e.b, e.t); return;
    }
  }

  private constant(t: ScalarType, v: number | bigint): void {
    const c = this.code;
    switch (t) {
      case 'f32': c.push(W.f32Const, ...new Uint8Array(new Float32Array([Number(v)]).buffer)); return;
      case 'f64': c.push(W.f64Const, ...new Uint8Array(new Float64Array([Number(v)]).buffer)); return;
      case 'i64': case 'u64': c.push(W.i64Const, ...slebBig(BigInt.asIntN(64, BigInt(v)))); return;
      default: c.push(W.i32Const, ...sleb(Number(BigInt.asIntN(32, BigInt(v))))); return;
    }
  }

  private callMath(name: string, t: ScalarType, args: readonly Expr[]): void {
    for (const a of args) {
      this.expr(a);
      this.code.push(...convert(t, 'f64'));
    }
    this.code.push(W.call, ...sleb(this.math.get(name)!));
    this.code.push(...convert('f64', t));
  }

  /** Evaluates `a` once into a fresh local and returns its index. */
  private spill(a: Expr, t: ScalarType): number {
    const l = this.tmp(t);
    this.expr(a);
    this.code.push(W.localSet, ...sleb(l));
    return l;
  }

  private unary(op: UnaryOp, a: Expr, t: ScalarType): void {
    const c = this.code;
    const float = t === 'f32' || t === 'f64';
    const native = nativeUnaryFloat(op, t);
    if (native !== undefined) {
      this.expr(a);
      c.push(native);
      return;
    }
    if (float && TRANSCENDENTAL.has(op)) {
      this.callMath(op, t, [a]);
      return;
    }
    const zero: Expr = { k: 'const', t, v: t === 'i64' || t === 'u64' ? 0n : 0 };
    const one: Expr = { k: 'const', t, v: t === 'i64' || t === 'u64' ? 1n : 1 };
    const get = (l: number): Expr => ({ k: 'var', name: this.nameOf(l), t });
    switch (op) {
      case 'sigmoid': {
        // 1 / (1 + exp(-x)), in f64 for accuracy at the tails.
        this.expr(a);
        c.push(...convert(t, 'f64'), W.f64Neg, W.call, ...sleb(this.math.get('exp')!));
        this.constant('f64', 1);
        c.push(W.f64Add);
        const l = this.tmp('f64');
        c.push(W.localSet, ...sleb(l));
        this.constant('f64', 1);
        c.push(W.localGet, ...sleb(l), W.f64Div, ...convert('f64', t));
        return;
      }
      case 'neg':
        this.binary('sub', zero, a, t);
        return;
      case 'abs': {
        const x = get(this.spill(a, t));
        this.expr({ k: 'select', cond: { k: 'binary', op: 'lt', a: x, b: zero, t }, a: { k: 'binary', op: 'sub', a: zero, b: x, t }, b: x, t });
        return;
      }
      case 'sign': {
        const x = get(this.spill(a, t));
        const minus: Expr = { k: 'binary', op: 'sub', a: zero, b: one, t };
        if (float) {
          // NaN stays NaN.
          this.expr({ k: 'select', cond: { k: 'binary', op: 'gt', a: x, b: zero, t }, a: one,
            b: { k: 'select', cond: { k: 'binary', op: 'lt', a: x, b: zero, t }, a: minus, b: { k: 'binary', op: 'mul', a: x, b: zero, t }, t }, t });
        } else {
          this.expr({ k: 'select', cond: { k: 'binary', op: 'gt', a: x, b: zero, t }, a: one,
            b: { k: 'select', cond: { k: 'binary', op: 'lt', a: x, b: zero, t }, a: minus, b: zero, t }, t });
        }
        return;
      }
      case 'not':
        this.expr(a);
        c.push(W.i32Eqz);
        return;
      case 'bit_not':
        this.binary('xor', a, { k: 'const', t, v: t === 'i64' || t === 'u64' ? -1n : -1 }, t);
        return;
      case 'is_nan': {
        const x = get(this.spill(a, t));
        this.binary('ne', x, x, t);
        return;
      }
      case 'is_inf_pos':
        this.binary('eq', a, { k: 'const', t, v: Infinity }, t);
        return;
      case 'is_inf_neg':
        this.binary('eq', a, { k: 'const', t, v: -Infinity }, t);
        return;
      case 'floor': case 'ceil': case 'round_even': case 'trunc':
        this.expr(a); // integers are already whole
        return;
      default:
        throw new Error(`unary ${op} is not defined for ${t}`);
    }
  }

  private nameOf(local: number): string {
    for (const [n, l] of this.locals) if (l.index === local) return n;
    throw new Error(`no local #${local}`);
  }

  private binary(op: BinaryOp, a: Expr, b: Expr, t: ScalarType): void {
    const c = this.code;
    const native = nativeBinary(op, t);
    if (native !== undefined) {
      this.expr(a);
      this.expr(b);
      c.push(native);
      return;
    }
    const float = t === 'f32' || t === 'f64';
    const get = (l: number): Expr => ({ k: 'var', name: this.nameOf(l), t });
    const zero: Expr = { k: 'const', t, v: t === 'i64' || t === 'u64' ? 0n : 0 };
    switch (op) {
      case 'pow':
        if (float) {
          this.callMath('pow', t, [a, b]);
        } else {
          // Integer pow through f64 is exact while the result fits in 2^53.
          this.expr(a);
          c.push(...convert(t, 'f64'));
          this.expr(b);
          c.push(...convert(t, 'f64'), W.call, ...sleb(this.math.get('pow')!), ...convert('f64', t));
        }
        return;
      case 'fmod':
      case 'rem':
        if (float) this.callMath('fmod', t, [a, b]);
        else this.binary('rem', a, b, t);
        return;
      case 'mod_floor': {
        // Result takes the divisor's sign (Python / ONNX Mod with fmod=0).
        const x = get(this.spill(a, t));
        const y = get(this.spill(b, t));
        const r = get(this.spill({ k: 'binary', op: float ? 'fmod' : 'rem', a: x, b: y, t }, t));
        const needsFix: Expr = {
          k: 'binary', op: 'and', t: 'i32',
          a: { k: 'binary', op: 'ne', a: r, b: zero, t },
          b: { k: 'binary', op: 'ne', t: 'i32', a: { k: 'binary', op: 'lt', a: r, b: zero, t }, b: { k: 'binary', op: 'lt', a: y, b: zero, t } },
        };
        this.expr({ k: 'select', cond: needsFix, a: { k: 'binary', op: 'add', a: r, b: y, t }, b: r, t });
        return;
      }
      case 'min':
      case 'max': {
        const x = get(this.spill(a, t));
        const y = get(this.spill(b, t));
        this.expr({ k: 'select', cond: { k: 'binary', op: op === 'min' ? 'lt' : 'gt', a: x, b: y, t }, a: x, b: y, t });
        return;
      }
      default:
        throw new Error(`binary ${op} is not defined for ${t}`);
    }
  }
}

/** [element size, load opcode, alignment log2, type the loaded value has before conversion]. */
function loadInfo(d: DType): [number, number, number, ScalarType] {
  switch (d) {
    case 'f32': return [4, W.f32Load, 2, 'f32'];
    case 'f64': return [8, W.f64Load, 3, 'f64'];
    case 'i64': return [8, W.i64Load, 3, 'i64'];
    case 'u64': return [8, W.i64Load, 3, 'u64'];
    case 'i32': return [4, W.i32Load, 2, 'i32'];
    case 'u32': return [4, W.i32Load, 2, 'u32'];
    case 'i16': return [2, W.i32Load16S, 1, 'i32'];
    case 'u16': return [2, W.i32Load16U, 1, 'i32'];
    case 'f16': return [2, W.i32Load16U, 1, 'f32'];
    case 'bf16': return [2, W.i32Load16U, 1, 'f32'];
    case 'i8': return [1, W.i32Load8S, 0, 'i32'];
    case 'u8': case 'bool': return [1, W.i32Load8U, 0, 'i32'];
    default: throw new Error(`no CPU storage for ${d}`);
  }
}

/** The type an expression evaluates to (comparisons give i32). */
export function typeOf(e: Expr): ScalarType {
  switch (e.k) {
    case 'param': case 'wgid': case 'lid': return 'i32';
    case 'binary':
      return ['eq', 'ne', 'lt', 'le', 'gt', 'ge'].includes(e.op) ? 'i32' : e.t;
    case 'unary':
      return e.op === 'is_nan' || e.op === 'is_inf_pos' || e.op === 'is_inf_neg' || e.op === 'not' ? 'i32' : e.t;
    default: return e.t;
  }
}

export type { HelperFunction };

/** Whether statements contain a workgroup-memory load or store or a barrier (GPU kernels). */
function usesWorkgroupMemory(list: readonly Stmt[]): boolean {
  const inExpr = (e: Expr): boolean => {
    switch (e.k) {
      case 'load': return e.shared !== undefined || inExpr(e.index);
      case 'unary': case 'cast': case 'bitcast': return inExpr(e.a);
      case 'binary': return inExpr(e.a) || inExpr(e.b);
      case 'select': return inExpr(e.cond) || inExpr(e.a) || inExpr(e.b);
      default: return false;
    }
  };
  return list.some((s) => {
    switch (s.k) {
      case 'let': case 'var': case 'assign': return inExpr(s.value);
      case 'store': return isWorkgroupAccess(s) || inExpr(s.index) || inExpr(s.value);
      case 'for': return inExpr(s.start) || inExpr(s.end) || usesWorkgroupMemory(s.body);
      case 'if': return inExpr(s.cond) || usesWorkgroupMemory(s.then) || usesWorkgroupMemory(s.else ?? []);
      default: return false;
    }
  });
}
