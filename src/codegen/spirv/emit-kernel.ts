// Kernel IR → the body of one GLCompute entry point. Locals live in Function-storage variables
// (drivers promote them to registers); `for` and `if` become structured control flow
// (OpLoopMerge / OpSelectionMerge); expressions are branch-free instruction sequences.
import { IreetsError } from '../../util/errors.js';
import { computeType, type BinaryOp, type Expr, type Kernel, type ScalarType, type Stmt, type UnaryOp } from '../kernel-ir.js';
import { BindingAccess, type BoundBuffer } from './binding-access.js';
import { erf, fmod, modFloor, powFloat, powInt, sigmoid, sign, tanh } from './math-functions.js';
import { FunctionBuilder } from './function-builder.js';
import type { BuiltInName, ModuleTypes, Num, Val } from './module-types.js';
import { exprType, isComparison, narrowConstant, narrowType, NOTE_F64, NOTE_F64_STORAGE, NOTE_I64, NOTE_SUB_WORD } from './narrowing.js';
import { ScalarOps } from './scalar-ops.js';
import { Glsl, LoopControl, MemorySemantics, Op, Scope, SelectionControl, StorageClass } from './spirv-enums.js';
import { storageLayout } from './storage-layout.js';

/** GLSL.std.450 instructions for unary float ops that map one to one. */
const GLSL_UNARY: Partial<Record<UnaryOp, number>> = {
  sqrt: Glsl.Sqrt, floor: Glsl.Floor, ceil: Glsl.Ceil, trunc: Glsl.Trunc, round_even: Glsl.RoundEven,
  exp: Glsl.Exp, log: Glsl.Log, sin: Glsl.Sin, cos: Glsl.Cos, tan: Glsl.Tan, asin: Glsl.Asin,
  acos: Glsl.Acos, atan: Glsl.Atan, sinh: Glsl.Sinh, cosh: Glsl.Cosh, asinh: Glsl.Asinh,
  acosh: Glsl.Acosh, atanh: Glsl.Atanh,
};

/** Ops that leave integers unchanged. */
const INTEGER_IDENTITY: ReadonlySet<UnaryOp> = new Set(['floor', 'ceil', 'trunc', 'round_even']);

/** [float, signed, unsigned] opcodes of the arithmetic binary ops (undefined: see `binary`). */
const ARITH: Partial<Record<BinaryOp, readonly [number | undefined, number | undefined, number]>> = {
  add: [Op.FAdd, Op.IAdd, Op.IAdd],
  sub: [Op.FSub, Op.ISub, Op.ISub],
  mul: [Op.FMul, Op.IMul, Op.IMul],
  div: [Op.FDiv, Op.SDiv, Op.UDiv],
  // C-style remainders take the dividend's sign; mod_floor (Python) the divisor's.
  rem: [undefined, Op.SRem, Op.UMod],
  fmod: [undefined, Op.SRem, Op.UMod],
  // Signed floor modulo is SRem plus a fix-up: some drivers get OpSMod's sign rule wrong.
  mod_floor: [undefined, undefined, Op.UMod],
};
const BITWISE: Partial<Record<BinaryOp, number>> = { and: Op.BitwiseAnd, or: Op.BitwiseOr, xor: Op.BitwiseXor };

interface Local {
  readonly ptr: number;
  readonly t: Num;
}

/** Where a kernel's inputs live in the module. */
export interface KernelInterface {
  readonly buffers: readonly BoundBuffer[];
  /** The PushConstant variable holding the kernel's i32 params, when it has any. */
  readonly pushConstants?: number;
  /** The Workgroup-storage variable of each of the kernel's workgroup arrays, by name. */
  readonly shared?: ReadonlyMap<string, number>;
}

export class KernelEmitter {
  readonly fb: FunctionBuilder;
  private readonly o: ScalarOps;
  private readonly access: BindingAccess;
  private readonly locals = new Map<string, Local>();
  private readonly builtinValues = new Map<string, Val>();
  /** Input variables the entry point reads (its OpEntryPoint interface). */
  readonly interfaceVariables: number[] = [];
  /** Values of expression objects already emitted in the current statement. */
  private cache = new Map<Expr, Val>();
  /** What the kernel computes differently from the CPU (see narrowing.ts). */
  readonly notes = new Set<string>();

  constructor(private readonly types: ModuleTypes, private readonly kernel: Kernel, private readonly where: KernelInterface) {
    this.fb = new FunctionBuilder(types);
    this.o = new ScalarOps(this.fb);
    this.access = new BindingAccess(this.o, where.buffers);
    for (const b of kernel.bindings) {
      if (b.dtype === 'f64') this.notes.add(NOTE_F64_STORAGE);
      const layout = storageLayout(b.dtype);
      if (layout.kind === 'wide') this.notes.add(b.dtype === 'f64' ? NOTE_F64 : NOTE_I64);
      if (layout.kind === 'packed' && b.access !== 'read') this.notes.add(NOTE_SUB_WORD);
    }
  }

  private noteType(t: ScalarType): void {
    if (t === 'i64' || t === 'u64') this.notes.add(NOTE_I64);
    if (t === 'f64') this.notes.add(NOTE_F64);
  }

  /** The function's words. */
  emit(): number[] {
    this.prologue();
    this.stmts(this.kernel.body);
    return this.fb.finish();
  }

  /** Loads the builtins the body reads, once, in the entry block (which dominates every use). */
  private prologue(): void {
    const used = new Map<BuiltInName, Set<number>>();
    forEachExpr(this.kernel.body, (e) => {
      const b = builtinOf(e);
      if (b) used.set(b.name, (used.get(b.name) ?? new Set()).add(b.dim));
    });
    for (const name of ['WorkgroupId', 'LocalInvocationId'] as const) {
      const dims = used.get(name);
      if (!dims) continue;
      const variable = this.types.builtin(name);
      this.interfaceVariables.push(variable);
      const vec = this.fb.op(Op.Load, this.types.v3u32, [variable]);
      for (const dim of [...dims].sort()) {
        const u = this.fb.val(Op.CompositeExtract, 'u32', [vec, dim]);
        this.builtinValues.set(`${name}${dim}`, this.o.bitcast(u, 'i32'));
      }
    }
  }

  private stmts(list: readonly Stmt[]): void {
    for (const s of list) this.stmt(s);
  }

  private stmt(s: Stmt): void {
    this.cache = new Map();
    switch (s.k) {
      case 'let':
      case 'var': {
        const value = this.expr(s.value);
        this.noteType(exprType(s.value));
        const local = this.declare(s.name, narrowType(exprType(s.value)));
        this.fb.inst(Op.Store, [local.ptr, this.o.convert(value, local.t).id]);
        return;
      }
      case 'assign': {
        const local = this.local(s.name);
        this.fb.inst(Op.Store, [local.ptr, this.o.convert(this.expr(s.value), local.t).id]);
        return;
      }
      case 'store': {
        if (s.barrier) {
          // Execution and memory scope Workgroup; acquire-release on workgroup memory.
          const scope = this.types.constant('u32', Scope.Workgroup);
          const semantics = this.types.constant('u32', MemorySemantics.AcquireRelease | MemorySemantics.WorkgroupMemory);
          this.fb.inst(Op.ControlBarrier, [scope, scope, semantics]);
          return;
        }
        if (s.shared !== undefined) {
          const value = this.o.convert(this.expr(s.value), 'f32');
          this.fb.inst(Op.Store, [this.sharedElement(s.shared, s.index), value.id]);
          return;
        }
        const binding = this.kernel.bindings[s.binding];
        if (!binding) throw new IreetsError('INTERNAL', `kernel ${this.kernel.name} stores to binding ${s.binding}, which it does not declare`);
        if (binding.access === 'read') throw new IreetsError('INTERNAL', `kernel ${this.kernel.name} stores to read-only binding ${s.binding}`);
        const value = this.o.castIR(this.expr(s.value), exprType(s.value), computeType(binding.dtype));
        this.access.store(s.binding, this.index(s.index), value);
        return;
      }
      case 'if':
        this.ifStmt(s);
        return;
      case 'for':
        this.forStmt(s);
        return;
      default:
        // f32x4 statements (vlet, vstore, vunpack) belong to CPU SIMD strategies only.
        throw new IreetsError('INTERNAL', `the SPIR-V emitter does not support ${(s as { k: string }).k} statements (kernel ${this.kernel.name} was lowered for the CPU)`);
    }
  }

  private ifStmt(s: Extract<Stmt, { k: 'if' }>): void {
    const cond = this.cond(s.cond);
    const thenLabel = this.fb.newLabel();
    const merge = this.fb.newLabel();
    const hasElse = !!s.else && s.else.length > 0;
    const elseLabel = hasElse ? this.fb.newLabel() : merge;
    this.fb.inst(Op.SelectionMerge, [merge, SelectionControl.None]);
    this.fb.inst(Op.BranchConditional, [cond, thenLabel, elseLabel]);
    this.fb.block(thenLabel);
    this.stmts(s.then);
    this.fb.branch(merge);
    if (hasElse) {
      this.fb.block(elseLabel);
      this.stmts(s.else!);
      this.fb.branch(merge);
    }
    this.fb.block(merge);
  }

  /**
   * header: OpLoopMerge; → check: v < end ? body : merge; body → continue: v += step → header.
   * `end` is evaluated once, before the loop.
   */
  private forStmt(s: Extract<Stmt, { k: 'for' }>): void {
    const start = this.index(s.start);
    const end = this.index(s.end);
    const v = this.declare(s.v, 'i32');
    this.fb.inst(Op.Store, [v.ptr, start.id]);
    const header = this.fb.newLabel();
    const check = this.fb.newLabel();
    const body = this.fb.newLabel();
    const cont = this.fb.newLabel();
    const merge = this.fb.newLabel();
    this.fb.branch(header);
    this.fb.block(header);
    this.fb.inst(Op.LoopMerge, [merge, cont, LoopControl.None]);
    this.fb.branch(check);
    this.fb.block(check);
    const current = this.fb.val(Op.Load, 'i32', [v.ptr]);
    this.fb.inst(Op.BranchConditional, [this.o.cmp('lt', current, end), body, merge]);
    this.fb.block(body);
    this.stmts(s.body);
    this.fb.branch(cont);
    this.fb.block(cont);
    const again = this.fb.val(Op.Load, 'i32', [v.ptr]);
    this.fb.inst(Op.Store, [v.ptr, this.o.bin(Op.IAdd, again, this.o.c('i32', s.step)).id]);
    this.fb.branch(header);
    this.fb.block(merge);
  }

  /** A local of type `t`; a name redeclared with another type gets a fresh variable. */
  private declare(name: string, t: Num): Local {
    const known = this.locals.get(name);
    if (known && known.t === t) return known;
    const local = { ptr: this.fb.variable(t), t };
    this.locals.set(name, local);
    return local;
  }

  private local(name: string): Local {
    const l = this.locals.get(name);
    if (!l) throw new Error(`kernel ${this.kernel.name} reads undeclared local ${name}`);
    return l;
  }

  /** A pointer to element `index` of the workgroup array `name`. */
  private sharedElement(name: string, index: Expr): number {
    const variable = this.where.shared?.get(name);
    if (variable === undefined) throw new IreetsError('INTERNAL', `kernel ${this.kernel.name} uses workgroup array ${name}, which it does not declare`);
    const ptr = this.types.pointer(StorageClass.Workgroup, this.types.f32);
    return this.fb.op(Op.AccessChain, ptr, [variable, this.index(index).id]);
  }

  private index(e: Expr): Val {
    return this.o.convert(this.expr(e), 'i32');
  }

  /** Evaluates `e` converted to the narrowed type `t`. */
  private typed(e: Expr, t: ScalarType): Val {
    return this.o.convert(this.expr(e), narrowType(t));
  }

  private expr(e: Expr): Val {
    const hit = this.cache.get(e);
    if (hit) return hit;
    const v = this.compute(e);
    this.cache.set(e, v);
    return v;
  }

  private compute(e: Expr): Val {
    const o = this.o;
    const builtin = builtinOf(e);
    if (builtin) {
      const v = this.builtinValues.get(`${builtin.name}${builtin.dim}`);
      if (!v) throw new Error(`builtin ${builtin.name} was not loaded`);
      return v;
    }
    switch (e.k) {
      case 'const':
        this.noteType(e.t);
        return o.c(narrowType(e.t), narrowConstant(e.t, e.v, (n) => this.notes.add(n)));
      case 'var': {
        const l = this.local(e.name);
        return o.convert(this.fb.val(Op.Load, l.t, [l.ptr]), narrowType(e.t));
      }
      case 'param': {
        if (this.where.pushConstants === undefined || e.index < 0 || e.index >= this.kernel.numParams) {
          throw new Error(`kernel ${this.kernel.name} reads param ${e.index} beyond numParams`);
        }
        const ptr = this.types.pointer(StorageClass.PushConstant, this.types.i32);
        const at = this.fb.op(Op.AccessChain, ptr, [this.where.pushConstants, this.types.constant('i32', 0), this.types.constant('i32', e.index)]);
        return this.fb.val(Op.Load, 'i32', [at]);
      }
      case 'load': {
        if (e.shared !== undefined) return o.convert(this.fb.val(Op.Load, 'f32', [this.sharedElement(e.shared, e.index)]), narrowType(e.t));
        const binding = this.kernel.bindings[e.binding];
        if (!binding) throw new IreetsError('INTERNAL', `kernel ${this.kernel.name} loads binding ${e.binding}, which it does not declare`);
        this.noteType(e.t);
        return o.castIR(this.access.load(e.binding, this.index(e.index)), computeType(binding.dtype), e.t);
      }
      case 'cast':
        this.noteType(e.t);
        return o.castIR(this.typed(e.a, e.from), e.from, e.t);
      case 'bitcast':
        if (e.from === 'f64' || e.t === 'f64') {
          throw new IreetsError('MODEL_UNSUPPORTED', `SPIR-V kernels cannot reinterpret ${e.from} as ${e.t}: 64-bit types are narrowed to 32 bits`);
        }
        return o.bitcast(this.typed(e.a, e.from), narrowType(e.t));
      case 'select':
        return o.select(this.cond(e.cond), this.typed(e.a, e.t), this.typed(e.b, e.t));
      case 'unary':
        return this.unary(e);
      case 'binary':
        if (isComparison(e.op)) return o.fromBool(this.cond(e));
        return this.binary(e);
      default:
        throw new Error(`the SPIR-V emitter does not support expression kind ${(e as { k: string }).k}`);
    }
  }

  /** A condition as an OpTypeBool id; comparisons and predicates skip the i32 round trip. */
  private cond(e: Expr): number {
    const o = this.o;
    if (e.k === 'binary' && isComparison(e.op)) return o.cmp(e.op, this.typed(e.a, e.t), this.typed(e.b, e.t));
    if (e.k === 'unary') {
      const t = narrowType(e.t);
      switch (e.op) {
        case 'not': return o.not(this.cond(e.a));
        case 'is_nan': return t === 'f32' ? o.isNan(this.typed(e.a, e.t)) : this.types.b.constantBool(false);
        // On the bit pattern, as drivers may assume no infinities in float compares.
        case 'is_inf_pos': return t === 'f32' ? o.cmp('eq', o.asU32(this.typed(e.a, e.t)), o.c('u32', 0x7f800000)) : this.types.b.constantBool(false);
        case 'is_inf_neg': return t === 'f32' ? o.cmp('eq', o.asU32(this.typed(e.a, e.t)), o.c('u32', 0xff800000)) : this.types.b.constantBool(false);
        default: break;
      }
    }
    if (e.k === 'binary' && (e.op === 'and' || e.op === 'or') && isBoolean(e.a) && isBoolean(e.b)) {
      const a = this.cond(e.a);
      const b = this.cond(e.b);
      return e.op === 'and' ? o.andB(a, b) : o.orB(a, b);
    }
    return o.toBool(this.expr(e));
  }

  private unary(e: Extract<Expr, { k: 'unary' }>): Val {
    const o = this.o;
    if (e.op === 'not' || e.op === 'is_nan' || e.op === 'is_inf_pos' || e.op === 'is_inf_neg') return o.fromBool(this.cond(e));
    this.noteType(e.t);
    const t = narrowType(e.t);
    const a = this.typed(e.a, e.t);
    const float = t === 'f32';
    switch (e.op) {
      case 'neg': return this.fb.val(float ? Op.FNegate : Op.SNegate, t, [a.id]);
      case 'abs': return float ? o.glsl(Glsl.FAbs, a) : t === 'i32' ? o.glsl(Glsl.SAbs, a) : a;
      case 'sign': return sign(o, a);
      case 'bit_not':
        if (float) break;
        return this.fb.val(Op.Not, t, [a.id]);
      default: break;
    }
    if (!float) {
      if (INTEGER_IDENTITY.has(e.op)) return a;
      throw new Error(`unary ${e.op} is not defined for ${e.t}`);
    }
    switch (e.op) {
      case 'tanh': return tanh(o, a);
      case 'erf': return erf(o, a);
      case 'sigmoid': return sigmoid(o, a);
      default: {
        const inst = GLSL_UNARY[e.op];
        if (inst === undefined) throw new Error(`unary ${e.op} is not defined for ${e.t}`);
        return o.glsl(inst, a);
      }
    }
  }

  private binary(e: Extract<Expr, { k: 'binary' }>): Val {
    const o = this.o;
    this.noteType(e.t);
    const t = narrowType(e.t);
    const a = this.typed(e.a, e.t);
    const b = this.typed(e.b, e.t);
    const float = t === 'f32';
    const arith = ARITH[e.op];
    if (arith) {
      const opcode = float ? arith[0] : t === 'i32' ? arith[1] : arith[2];
      if (opcode !== undefined) return o.bin(opcode, a, b);
      return e.op === 'mod_floor' ? modFloor(o, a, b) : fmod(o, a, b);
    }
    switch (e.op) {
      case 'min': case 'max':
        if (float) return o.floatMinMax(e.op, a, b);
        if (e.op === 'min') return o.glsl(t === 'i32' ? Glsl.SMin : Glsl.UMin, a, b);
        return o.glsl(t === 'i32' ? Glsl.SMax : Glsl.UMax, a, b);
      case 'pow':
        return float ? powFloat(o, a, b) : powInt(o, a, b);
      case 'shl': case 'shr':
        if (float) break;
        return this.shift(e.op, a, b, e.t === 'i64' || e.t === 'u64');
      default: {
        const bitwise = BITWISE[e.op];
        if (bitwise !== undefined && !float) return o.bin(bitwise, a, b);
        break;
      }
    }
    throw new Error(`binary ${e.op} is not defined for ${e.t}`);
  }

  /**
   * Shifts by the amount modulo the IR type's width (as WebAssembly does). SPIR-V leaves shifts
   * by ≥ 32 undefined, so narrowed 64-bit shifts by 32..63 are spelled out.
   */
  private shift(op: 'shl' | 'shr', a: Val, b: Val, wide: boolean): Val {
    const o = this.o;
    const amount = o.uand(b, wide ? 63 : 31);
    const opcode = op === 'shl' ? Op.ShiftLeftLogical : a.t === 'i32' ? Op.ShiftRightArithmetic : Op.ShiftRightLogical;
    const shifted = o.bin(opcode, a, o.uand(amount, 31));
    if (!wide) return shifted;
    const beyond = op === 'shl' || a.t === 'u32' ? o.c(a.t, 0) : o.bin(Op.ShiftRightArithmetic, a, o.c('u32', 31));
    return o.select(o.cmp('ge', amount, o.c('u32', 32)), beyond, shifted);
  }
}

/** Whether an expression is known to be 0 or 1 (so bitwise and/or equal logical and/or). */
function isBoolean(e: Expr): boolean {
  if (e.k === 'binary') {
    if (isComparison(e.op)) return true;
    if ((e.op === 'and' || e.op === 'or') && e.t === 'i32') return isBoolean(e.a) && isBoolean(e.b);
    return false;
  }
  if (e.k === 'unary') return e.op === 'not' || e.op === 'is_nan' || e.op === 'is_inf_pos' || e.op === 'is_inf_neg';
  return e.k === 'const' && e.t === 'i32' && (e.v === 0 || e.v === 1);
}

/** The compute builtin an expression reads, if it is one. */
function builtinOf(e: Expr): { name: BuiltInName; dim: number } | undefined {
  if (e.k === 'wgid') return { name: 'WorkgroupId', dim: e.dim };
  if (e.k === 'lid') return { name: 'LocalInvocationId', dim: e.dim };
  return undefined;
}

/** Calls `f` on every expression (and sub-expression) in `stmts`. */
export function forEachExpr(stmts: readonly Stmt[], f: (e: Expr) => void): void {
  const visit = (e: Expr): void => {
    f(e);
    switch (e.k) {
      case 'load': visit(e.index); return;
      case 'unary': case 'cast': case 'bitcast': visit(e.a); return;
      case 'binary': visit(e.a); visit(e.b); return;
      case 'select': visit(e.cond); visit(e.a); visit(e.b); return;
      default: return;
    }
  };
  for (const s of stmts) {
    switch (s.k) {
      case 'let': case 'var': case 'assign': visit(s.value); break;
      case 'store': visit(s.index); visit(s.value); break;
      case 'if': visit(s.cond); forEachExpr(s.then, f); if (s.else) forEachExpr(s.else, f); break;
      case 'for': visit(s.start); visit(s.end); forEachExpr(s.body, f); break;
    }
  }
}
