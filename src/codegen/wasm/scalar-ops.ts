import type { BinaryOp, ScalarType, UnaryOp } from '../kernel-ir.js';
import { F32, F64, I32, I64, type ValType } from './module-builder.js';
import { TRUNC_SAT, W } from './opcodes.js';

export function valType(t: ScalarType): ValType {
  switch (t) {
    case 'f32': return F32;
    case 'f64': return F64;
    case 'i64': case 'u64': return I64;
    default: return I32;
  }
}

const isF = (t: ScalarType): boolean => t === 'f32' || t === 'f64';
const isU = (t: ScalarType): boolean => t === 'u32' || t === 'u64';
const is64 = (t: ScalarType): boolean => t === 'i64' || t === 'u64';

/** Native single-instruction binary ops, or undefined when the op needs a helper or an import. */
export function nativeBinary(op: BinaryOp, t: ScalarType): number | undefined {
  if (t === 'f32' || t === 'f64') {
    const f32 = t === 'f32';
    const table: Partial<Record<BinaryOp, number>> = f32
      ? { add: W.f32Add, sub: W.f32Sub, mul: W.f32Mul, div: W.f32Div, min: W.f32Min, max: W.f32Max,
          eq: W.f32Eq, ne: W.f32Ne, lt: W.f32Lt, le: W.f32Le, gt: W.f32Gt, ge: W.f32Ge }
      : { add: W.f64Add, sub: W.f64Sub, mul: W.f64Mul, div: W.f64Div, min: W.f64Min, max: W.f64Max,
          eq: W.f64Eq, ne: W.f64Ne, lt: W.f64Lt, le: W.f64Le, gt: W.f64Gt, ge: W.f64Ge };
    return table[op];
  }
  const u = isU(t);
  if (is64(t)) {
    const table: Partial<Record<BinaryOp, number>> = {
      add: W.i64Add, sub: W.i64Sub, mul: W.i64Mul, div: u ? W.i64DivU : W.i64DivS, rem: u ? W.i64RemU : W.i64RemS,
      and: W.i64And, or: W.i64Or, xor: W.i64Xor, shl: W.i64Shl, shr: u ? W.i64ShrU : W.i64ShrS,
      eq: W.i64Eq, ne: W.i64Ne, lt: u ? W.i64LtU : W.i64LtS, le: u ? W.i64LeU : W.i64LeS,
      gt: u ? W.i64GtU : W.i64GtS, ge: u ? W.i64GeU : W.i64GeS,
    };
    return table[op];
  }
  const table: Partial<Record<BinaryOp, number>> = {
    add: W.i32Add, sub: W.i32Sub, mul: W.i32Mul, div: u ? W.i32DivU : W.i32DivS, rem: u ? W.i32RemU : W.i32RemS,
    and: W.i32And, or: W.i32Or, xor: W.i32Xor, shl: W.i32Shl, shr: u ? W.i32ShrU : W.i32ShrS,
    eq: W.i32Eq, ne: W.i32Ne, lt: u ? W.i32LtU : W.i32LtS, le: u ? W.i32LeU : W.i32LeS,
    gt: u ? W.i32GtU : W.i32GtS, ge: u ? W.i32GeU : W.i32GeS,
  };
  return table[op];
}

/** Native single-instruction unary float ops. */
export function nativeUnaryFloat(op: UnaryOp, t: ScalarType): number | undefined {
  const f32 = t === 'f32';
  const table: Partial<Record<UnaryOp, number>> = f32
    ? { abs: W.f32Abs, neg: W.f32Neg, ceil: W.f32Ceil, floor: W.f32Floor, trunc: W.f32Trunc, round_even: W.f32Nearest, sqrt: W.f32Sqrt }
    : { abs: W.f64Abs, neg: W.f64Neg, ceil: W.f64Ceil, floor: W.f64Floor, trunc: W.f64Trunc, round_even: W.f64Nearest, sqrt: W.f64Sqrt };
  return isF(t) ? table[op] : undefined;
}

/** Instruction bytes converting a value of type `from` on the stack to `to`. */
export function convert(from: ScalarType, to: ScalarType): number[] {
  if (from === to) return [];
  const vf = valType(from);
  const vt = valType(to);
  if (vf === vt) return []; // i32 ↔ u32, i64 ↔ u64: same bits
  const uf = isU(from);
  const ut = isU(to);
  const sat = (sub: number): number[] => [W.prefixFC, sub];
  switch (vt) {
    case F32:
      if (vf === F64) return [W.f32DemoteF64];
      if (vf === I32) return [uf ? W.f32ConvertI32U : W.f32ConvertI32S];
      return [uf ? W.f32ConvertI64U : W.f32ConvertI64S];
    case F64:
      if (vf === F32) return [W.f64PromoteF32];
      if (vf === I32) return [uf ? W.f64ConvertI32U : W.f64ConvertI32S];
      return [uf ? W.f64ConvertI64U : W.f64ConvertI64S];
    case I32:
      if (vf === F32) return sat(ut ? TRUNC_SAT.i32F32U : TRUNC_SAT.i32F32S);
      if (vf === F64) return sat(ut ? TRUNC_SAT.i32F64U : TRUNC_SAT.i32F64S);
      return [W.i32WrapI64];
    default:
      if (vf === F32) return sat(ut ? TRUNC_SAT.i64F32U : TRUNC_SAT.i64F32S);
      if (vf === F64) return sat(ut ? TRUNC_SAT.i64F64U : TRUNC_SAT.i64F64S);
      return [uf ? W.i64ExtendI32U : W.i64ExtendI32S];
  }
}

/** Bit reinterpretation between a float type and the integer type of its width. */
export function reinterpret(from: ScalarType, to: ScalarType): number[] {
  const vf = valType(from);
  const vt = valType(to);
  if (vf === vt) return [];
  if (vf === F32 && vt === I32) return [W.i32ReinterpretF32];
  if (vf === I32 && vt === F32) return [W.f32ReinterpretI32];
  if (vf === F64 && vt === I64) return [W.i64ReinterpretF64];
  if (vf === I64 && vt === F64) return [W.f64ReinterpretI64];
  throw new Error(`cannot reinterpret ${from} as ${to}`);
}
