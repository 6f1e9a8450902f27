/**
 * Kernel IR: what every strategy produces and every emitter (wasm, WGSL, SPIR-V) consumes.
 * A kernel is a loop nest run once per workgroup id, over scalar expressions that load from and
 * store to bindings (flat arrays of one storage dtype). Index arithmetic is i32; values compute in
 * the scalar type of their storage (f16/bf16 compute in f32, small ints in i32).
 */
import type { DType } from '../ir/dtype.js';

/** Types an expression computes in. Bools are i32 0/1. */
export type ScalarType = 'f32' | 'f64' | 'i32' | 'u32' | 'i64' | 'u64';

export type UnaryOp =
  | 'neg' | 'abs' | 'sqrt' | 'floor' | 'ceil' | 'round_even' | 'trunc'
  | 'exp' | 'log' | 'sin' | 'cos' | 'tan' | 'asin' | 'acos' | 'atan' | 'sinh' | 'cosh' | 'tanh'
  | 'asinh' | 'acosh' | 'atanh' | 'erf' | 'sigmoid' | 'sign' | 'not' | 'bit_not' | 'is_nan' | 'is_inf_pos' | 'is_inf_neg';

export type BinaryOp =
  | 'add' | 'sub' | 'mul' | 'div' | 'rem' | 'min' | 'max' | 'pow' | 'fmod' | 'mod_floor'
  | 'and' | 'or' | 'xor' | 'shl' | 'shr'
  | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

export type Expr =
  | { readonly k: 'const'; readonly t: ScalarType; readonly v: number | bigint }
  /** A local (loop variable, let, accumulator). */
  | { readonly k: 'var'; readonly name: string; readonly t: ScalarType }
  /** Push constant #index (i32): dims and other run-time sizes. */
  | { readonly k: 'param'; readonly index: number }
  /** Workgroup id along x, y or z (i32). */
  | { readonly k: 'wgid'; readonly dim: 0 | 1 | 2 }
  /** Local invocation id within the workgroup along x, y or z (i32); GPU kernels only. */
  | { readonly k: 'lid'; readonly dim: 0 | 1 | 2 }
  /**
   * Element `index` (i32, in elements) of binding `binding`, converted to its compute type.
   * With `shared` set, element `index` of the workgroup array of that name (see Kernel.shared;
   * `binding` is then -1 and `t` f32): GPU kernels only, built with sharedLoad().
   */
  | { readonly k: 'load'; readonly binding: number; readonly index: Expr; readonly t: ScalarType; readonly shared?: string }
  | { readonly k: 'unary'; readonly op: UnaryOp; readonly a: Expr; readonly t: ScalarType }
  /** Comparisons yield i32 0/1; their `t` is the operands' type. */
  | { readonly k: 'binary'; readonly op: BinaryOp; readonly a: Expr; readonly b: Expr; readonly t: ScalarType }
  | { readonly k: 'select'; readonly cond: Expr; readonly a: Expr; readonly b: Expr; readonly t: ScalarType }
  /** Numeric conversion from `a`'s type to `t` (float → int truncates toward zero, saturating). */
  | { readonly k: 'cast'; readonly a: Expr; readonly from: ScalarType; readonly t: ScalarType }
  /** Reinterprets the bits of `a` (same width: f32 ↔ i32/u32, f64 ↔ i64/u64). */
  | { readonly k: 'bitcast'; readonly a: Expr; readonly from: ScalarType; readonly t: ScalarType };

export type Stmt =
  /** Declares and sets a local; `let` locals are never reassigned. */
  | { readonly k: 'let'; readonly name: string; readonly value: Expr }
  /** Declares a mutable local with an initial value (accumulators). */
  | { readonly k: 'var'; readonly name: string; readonly value: Expr }
  | { readonly k: 'assign'; readonly name: string; readonly value: Expr }
  /**
   * for (v = start; v < end; v += step). `vectorize` marks a loop whose body is safe to run 4
   * iterations at a time in f32x4 lanes (emitters that can't simply ignore it).
   */
  | { readonly k: 'for'; readonly v: string; readonly start: Expr; readonly end: Expr; readonly step: number; readonly body: readonly Stmt[]; readonly vectorize?: boolean }
  | { readonly k: 'if'; readonly cond: Expr; readonly then: readonly Stmt[]; readonly else?: readonly Stmt[] }
  /**
   * With `shared` set, writes f32 `value` to the workgroup array of that name (binding -1). With
   * `barrier` set, the statement is a workgroup barrier instead (nothing is stored): every
   * invocation waits there and workgroup-memory writes before it are visible after it; it must be
   * reached in uniform control flow. GPU kernels only (these are optional fields on existing kinds
   * so that code walking statements keeps working); built with sharedStore() and barrier().
   */
  | { readonly k: 'store'; readonly binding: number; readonly index: Expr; readonly value: Expr; readonly shared?: string; readonly barrier?: true }
  // f32x4 vector statements (CPU SIMD strategies only; see VecExpr).
  /** Declares an f32x4 local (or re-sets it: vector locals are mutable). */
  | { readonly k: 'vlet'; readonly name: string; readonly value: VecExpr }
  /**
   * Stores the first `lanes` (default 4) lanes of `value` to elements `index + i*stride` of an
   * f32 binding; stride 1 with 4 lanes is one contiguous store.
   */
  | { readonly k: 'vstore'; readonly binding: number; readonly index: Expr; readonly value: VecExpr; readonly stride: number; readonly lanes?: number }
  /** Declares f32 locals: `names[i]` = lane i of `value` (scalar code over vector results). */
  | { readonly k: 'vunpack'; readonly names: readonly string[]; readonly value: VecExpr };

/**
 * Lane-wise f32x4 operations. `min`/`max` select like the scalar ops: min(a,b) = a < b ? a : b;
 * `minimum`/`maximum` are IEEE 754-2019's (a NaN in either operand gives NaN).
 */
export type VecBinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'min' | 'max' | 'minimum' | 'maximum';
/** `pow2_int`: 2^x for lanes holding whole numbers in [-126, 127] (builds the float's exponent). */
export type VecUnaryOp = 'neg' | 'abs' | 'sqrt' | 'floor' | 'ceil' | 'trunc' | 'round_even' | 'pow2_int';

/**
 * Expressions over four f32 lanes, for CPU strategies that hold register tiles in SIMD locals.
 * They live apart from Expr (statements `vlet`, `vstore`, `vunpack` carry them), so emitters that
 * have no vectors (WGSL, SPIR-V) see them only as statement kinds they reject.
 */
export type VecExpr =
  | { readonly k: 'vvar'; readonly name: string }
  /** Four copies of an f32 expression (a `load` of an f32 binding becomes one load-and-splat). */
  | { readonly k: 'vsplat'; readonly a: Expr }
  /**
   * Lane i = element `index + i*stride` of an f32 binding (stride 1: one contiguous load; 0:
   * broadcast). With `lanes` < 4, only the first `lanes` lanes are read; the others are 0.
   */
  | { readonly k: 'vload'; readonly binding: number; readonly index: Expr; readonly stride: number; readonly lanes?: number }
  /** Lane i = the f32 expression lanes[i]. */
  | { readonly k: 'vmake'; readonly lanes: readonly [Expr, Expr, Expr, Expr] }
  | { readonly k: 'vbinary'; readonly op: VecBinaryOp; readonly a: VecExpr; readonly b: VecExpr }
  | { readonly k: 'vunary'; readonly op: VecUnaryOp; readonly a: VecExpr }
  /** Lane-wise `a < b ? x : y` (also NaN-safe: a NaN comparison picks `y`). */
  | { readonly k: 'vselect_lt'; readonly a: VecExpr; readonly b: VecExpr; readonly x: VecExpr; readonly y: VecExpr }
  /** Lanes picked from the eight lanes of (a, b): lane i = [a0..a3, b0..b3][lanes[i]]. */
  | { readonly k: 'vshuffle'; readonly a: VecExpr; readonly b: VecExpr; readonly lanes: readonly [number, number, number, number] };

export interface KernelBinding {
  readonly name: string;
  /** Storage element type. */
  readonly dtype: DType;
  readonly access: 'read' | 'write' | 'readwrite';
}

export interface Kernel {
  readonly name: string;
  readonly bindings: readonly KernelBinding[];
  /** Number of i32 push constants the kernel reads (`param` exprs). */
  readonly numParams: number;
  /** Workgroup counts, as expressions over params and constants only (the host evaluates them). */
  readonly workgroupCount: readonly [Expr, Expr, Expr];
  /** Threads per workgroup for GPU emitters; CPU runs a workgroup on one thread. */
  readonly workgroupSize: readonly [number, number, number];
  readonly body: readonly Stmt[];
  /** Workgroup-memory arrays (f32) shared by a workgroup's invocations; GPU kernels only. */
  readonly shared?: readonly SharedArray[];
}

/** A workgroup-memory array of `size` f32 elements. */
export interface SharedArray {
  readonly name: string;
  readonly size: number;
}

/** Compute type of a storage dtype. */
export function computeType(d: DType): ScalarType {
  switch (d) {
    case 'f16': case 'bf16': case 'f32': return 'f32';
    case 'f64': return 'f64';
    case 'i64': return 'i64';
    case 'u64': return 'u64';
    case 'u32': return 'u32';
    case 'string': throw new Error('string tensors have no compute type');
    default: return 'i32';
  }
}

/** Element `index` (i32) of the f32 workgroup array `array`. */
export function sharedLoad(array: string, index: Expr): Expr {
  return { k: 'load', binding: -1, index, t: 'f32', shared: array };
}

/** Writes f32 `value` to element `index` of the workgroup array `array`. */
export function sharedStore(array: string, index: Expr, value: Expr): Stmt {
  return { k: 'store', binding: -1, index, value, shared: array };
}

/** A workgroup barrier (workgroup-memory writes before it are visible after it). */
export function barrier(): Stmt {
  return { k: 'store', binding: -1, index: { k: 'const', t: 'i32', v: 0 }, value: { k: 'const', t: 'f32', v: 0 }, barrier: true };
}

/** Whether a store statement is a barrier or a workgroup-memory write, or a load reads workgroup memory. */
export function isWorkgroupAccess(x: Expr | Stmt): boolean {
  return (x.k === 'load' && x.shared !== undefined) || (x.k === 'store' && (x.shared !== undefined || x.barrier === true));
}
