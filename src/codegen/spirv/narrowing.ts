// The kernel IR's scalar types on the GPU: 64-bit types compute narrowed to 32 bits (WGSL has no
// 64-bit arithmetic and many GPUs lack it), so i64 → i32, u64 → u32, f64 → f32.
import type { Expr, ScalarType } from '../kernel-ir.js';
import { IreetsError } from '../../util/errors.js';
import type { Num } from './module-types.js';

export function narrowType(t: ScalarType): Num {
  switch (t) {
    case 'f32': case 'f64': return 'f32';
    case 'i32': case 'i64': return 'i32';
    case 'u32': case 'u64': return 'u32';
  }
}

const I32_MIN = -(2n ** 31n);
const I32_MAX = 2n ** 31n - 1n;
const U32_MAX = 2n ** 32n - 1n;
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const U64_MAX = 2n ** 64n - 1n;

// What an executable computes differently from the CPU (meta.narrowed), worded as the WGSL
// emitter words it: both GPU emitters narrow the same way.
export const NOTE_I64 = 'i64/u64 computed as i32/u32: values must fit in 32 bits (stores sign-extend the low word)';
export const NOTE_F64 = 'f64 computed as f32';
export const NOTE_F64_STORAGE = 'f64 storage converted to and from f32 in software (round to nearest even)';
export const NOTE_EXTREMES = 'the 64-bit integer extremes (min/max identities) stand for the 32-bit extremes';
export const NOTE_SUB_WORD = 'sub-word elements (8/16-bit) are stored with atomicAnd/atomicOr on their 32-bit word';

function toBigInt(v: number | bigint): bigint {
  return typeof v === 'bigint' ? v : BigInt(Math.trunc(v));
}

/**
 * A constant's value in its narrowed type. i32/u32 wrap (their IR values are 32-bit already);
 * i64/u64 must fit in 32 bits, except the 64-bit extremes, which become the 32-bit ones (they
 * are min/max identities and "no limit" sentinels). `note` hears about narrowing it relied on.
 */
export function narrowConstant(t: ScalarType, v: number | bigint, note: (n: string) => void): number {
  switch (t) {
    case 'f32': return Number(v);
    case 'f64': {
      if (Math.fround(Number(v)) !== Number(v) && !Number.isNaN(Number(v))) note(NOTE_F64);
      return Number(v);
    }
    case 'i32': return Number(BigInt.asIntN(32, toBigInt(v)));
    case 'u32': return Number(BigInt.asUintN(32, toBigInt(v)));
    case 'i64': {
      const b = toBigInt(v);
      if (b >= I32_MIN && b <= I32_MAX) return Number(b);
      if (b === I64_MAX || b === I64_MIN) {
        note(NOTE_EXTREMES);
        return Number(b === I64_MAX ? I32_MAX : I32_MIN);
      }
      throw new IreetsError('MODEL_UNSUPPORTED', `the i64 constant ${b} does not fit the 32 bits the GPU computes i64 in`);
    }
    case 'u64': {
      const b = toBigInt(v);
      if (b >= 0n && b <= U32_MAX) return Number(b);
      if (b === U64_MAX) {
        note(NOTE_EXTREMES);
        return Number(U32_MAX);
      }
      throw new IreetsError('MODEL_UNSUPPORTED', `the u64 constant ${b} does not fit the 32 bits the GPU computes u64 in`);
    }
  }
}

const COMPARISONS: ReadonlySet<string> = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);

export function isComparison(op: string): op is 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' {
  return COMPARISONS.has(op);
}

/** The (un-narrowed) type an expression evaluates to: comparisons and predicates give i32. */
export function exprType(e: Expr): ScalarType {
  switch (e.k) {
    case 'param': case 'wgid': case 'lid': return 'i32';
    case 'binary': return isComparison(e.op) ? 'i32' : e.t;
    case 'unary': return e.op === 'is_nan' || e.op === 'is_inf_pos' || e.op === 'is_inf_neg' || e.op === 'not' ? 'i32' : e.t;
    default: return e.t;
  }
}
