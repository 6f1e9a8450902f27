// Typed scalar instruction helpers over a FunctionBuilder: constants, comparisons, selects and
// the numeric conversions of the kernel IR (float → int saturates, NaN → 0, as on the CPU).
import type { FunctionBuilder } from './function-builder.js';
import type { ScalarType } from '../kernel-ir.js';
import type { Num, Val } from './module-types.js';
import { narrowType } from './narrowing.js';
import { Glsl, Op } from './spirv-enums.js';

export type CmpOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

const FLOAT_CMP: Record<CmpOp, number> = {
  // `ne` is unordered so that NaN != NaN, as in IEEE and on the CPU.
  eq: Op.FOrdEqual, ne: Op.FUnordNotEqual, lt: Op.FOrdLessThan, le: Op.FOrdLessThanEqual, gt: Op.FOrdGreaterThan, ge: Op.FOrdGreaterThanEqual,
};
const SINT_CMP: Record<CmpOp, number> = {
  eq: Op.IEqual, ne: Op.INotEqual, lt: Op.SLessThan, le: Op.SLessThanEqual, gt: Op.SGreaterThan, ge: Op.SGreaterThanEqual,
};
const UINT_CMP: Record<CmpOp, number> = {
  eq: Op.IEqual, ne: Op.INotEqual, lt: Op.ULessThan, le: Op.ULessThanEqual, gt: Op.UGreaterThan, ge: Op.UGreaterThanEqual,
};

/** Where a saturating float → int conversion clamps, and what it gives at and beyond the top. */
const SATURATION = {
  i32: { lo: -2147483648, hiClamp: 2147483520, overflowAt: 2147483648, top: 0x7fffffff },
  u32: { lo: 0, hiClamp: 4294967040, overflowAt: 4294967296, top: 0xffffffff },
} as const;

export class ScalarOps {
  constructor(readonly fb: FunctionBuilder) {}

  c(t: Num, v: number): Val {
    return this.fb.constant(t, v);
  }

  get boolType(): number {
    return this.fb.types.bool;
  }

  /** Comparison of two values of the same type; returns a bool id. */
  cmp(op: CmpOp, a: Val, b: Val): number {
    const table = a.t === 'f32' ? FLOAT_CMP : a.t === 'i32' ? SINT_CMP : UINT_CMP;
    return this.fb.op(table[op], this.boolType, [a.id, this.convert(b, a.t).id]);
  }

  /** NaN test on the bit pattern: drivers may compile float compares assuming no NaNs. */
  isNan(a: Val): number {
    return this.cmp('gt', this.uand(a, 0x7fffffff), this.c('u32', 0x7f800000));
  }

  not(cond: number): number {
    return this.fb.op(Op.LogicalNot, this.boolType, [cond]);
  }

  andB(a: number, b: number): number {
    return this.fb.op(Op.LogicalAnd, this.boolType, [a, b]);
  }

  orB(a: number, b: number): number {
    return this.fb.op(Op.LogicalOr, this.boolType, [a, b]);
  }

  /** Bool inequality (exclusive or). */
  neB(a: number, b: number): number {
    return this.fb.op(Op.LogicalNotEqual, this.boolType, [a, b]);
  }

  select(cond: number, a: Val, b: Val): Val {
    return this.fb.val(Op.Select, a.t, [cond, a.id, this.convert(b, a.t).id]);
  }

  /** A bool as i32 0/1 (the kernel IR's representation of conditions). */
  fromBool(cond: number): Val {
    return this.select(cond, this.c('i32', 1), this.c('i32', 0));
  }

  /** Truthiness of a value (non-zero). */
  toBool(v: Val): number {
    return this.cmp('ne', v, this.c(v.t, 0));
  }

  bin(opcode: number, a: Val, b: Val): Val {
    return this.fb.val(opcode, a.t, [a.id, this.convert(b, a.t).id]);
  }

  /** u32 bit arithmetic with a constant operand. */
  uand(a: Val, mask: number): Val { return this.bin(Op.BitwiseAnd, this.asU32(a), this.c('u32', mask)); }
  uor(a: Val, b: Val): Val { return this.bin(Op.BitwiseOr, this.asU32(a), this.asU32(b)); }
  ushr(a: Val, bits: number | Val): Val { return this.bin(Op.ShiftRightLogical, this.asU32(a), typeof bits === 'number' ? this.c('u32', bits) : bits); }
  ushl(a: Val, bits: number | Val): Val { return this.bin(Op.ShiftLeftLogical, this.asU32(a), typeof bits === 'number' ? this.c('u32', bits) : bits); }

  /** Reinterprets the bits of a 32-bit value. */
  bitcast(v: Val, to: Num): Val {
    return v.t === to ? v : this.fb.val(Op.Bitcast, to, [v.id]);
  }

  asU32(v: Val): Val {
    return this.bitcast(v, 'u32');
  }

  /** Numeric conversion (the kernel IR's `cast`). */
  convert(v: Val, to: Num): Val {
    if (v.t === to) return v;
    if (v.t !== 'f32' && to !== 'f32') return this.bitcast(v, to); // i32 ↔ u32 keep their bits
    if (to === 'f32') return this.fb.val(v.t === 'i32' ? Op.ConvertSToF : Op.ConvertUToF, 'f32', [v.id]);
    // Float → int: SPIR-V leaves out-of-range values undefined, so clamp first and fix the top end.
    const s = SATURATION[to];
    const lo = this.c('f32', s.lo);
    const hi = this.c('f32', s.hiClamp);
    const low = this.select(this.cmp('lt', v, lo), lo, v);
    const clamped = this.select(this.cmp('gt', low, hi), hi, low);
    const raw = this.fb.val(to === 'i32' ? Op.ConvertFToS : Op.ConvertFToU, to, [clamped.id]);
    const top = this.select(this.cmp('ge', v, this.c('f32', s.overflowAt)), this.c(to, s.top), raw);
    return this.select(this.isNan(v), this.c(to, 0), top);
  }

  glsl(inst: number, a: Val, ...rest: Val[]): Val {
    return this.fb.glsl(inst, a.t, [a.id, ...rest.map((r) => this.convert(r, a.t).id)]);
  }

  /** min/max that return NaN when either operand is NaN (as WebAssembly's f32.min/max). */
  floatMinMax(which: 'min' | 'max', a: Val, b: Val): Val {
    const r = this.select(this.cmp(which === 'min' ? 'lt' : 'gt', a, b), a, b);
    return this.select(this.orB(this.isNan(a), this.isNan(b)), this.bin(Op.FAdd, a, b), r);
  }

  /**
   * The kernel IR's `cast` between IR types. Float → i64/u64 keeps the low 32 bits of the
   * truncated 64-bit integer (what the narrowed type holds; 0 for NaN and beyond ±2^63, negative
   * values → u64 give 0); every other conversion is `convert` on the narrowed types.
   */
  castIR(v: Val, from: ScalarType, to: ScalarType): Val {
    const float = from === 'f32' || from === 'f64';
    if (!float || (to !== 'i64' && to !== 'u64')) return this.convert(v, narrowType(to));
    const t = this.glsl(Glsl.Trunc, v);
    const small = this.convert(t, 'i32');
    // t mod 2^32 in [0, 2^32): exact for |t| ≥ 2^31, where f32 values are multiples of 256.
    const wrapped = this.bin(Op.FSub, t, this.bin(Op.FMul, this.c('f32', 2 ** 32), this.glsl(Glsl.Floor, this.bin(Op.FMul, t, this.c('f32', 2 ** -32)))));
    const big = this.bitcast(this.fb.val(Op.ConvertFToU, 'u32', [wrapped.id]), 'i32');
    const abs = this.glsl(Glsl.FAbs, t);
    let low = this.select(this.cmp('lt', abs, this.c('f32', 2 ** 31)), small, big);
    low = this.select(this.orB(this.isNan(v), this.cmp('ge', abs, this.c('f32', 2 ** 63))), this.c('i32', 0), low);
    if (to === 'i64') return low;
    return this.select(this.cmp('lt', v, this.c('f32', 0)), this.c('u32', 0), this.asU32(low));
  }
}
