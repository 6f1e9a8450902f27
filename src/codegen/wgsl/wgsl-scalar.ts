/**
 * Scalar WGSL: literals, conversions and the unary/binary ops of the kernel IR, on operands
 * already rendered as WGSL text. 64-bit types arrive narrowed (see wgslScalar); `use` records the
 * helpers an expression calls, `narrow` the narrowing it relied on.
 */
import { IreetsError } from '../../util/errors.js';
import type { BinaryOp, ScalarType, UnaryOp } from '../kernel-ir.js';
import { wgslScalar } from './wgsl-storage.js';

export interface ScalarSink {
  use(helper: string): void;
  narrow(note: string): void;
}

const isFloat = (t: ScalarType): boolean => t === 'f32' || t === 'f64';
const I32_MIN = -(2 ** 31);
const I32_MAX = 2 ** 31 - 1;
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const U64_MAX = 2n ** 64n - 1n;

export const NOTE_I64 = 'i64/u64 computed as i32/u32: values must fit in 32 bits (stores sign-extend the low word)';
export const NOTE_F64 = 'f64 computed as f32';
export const NOTE_EXTREMES = 'the 64-bit integer extremes (min/max identities) stand for the 32-bit extremes';

function i32Literal(n: number): string {
  if (n === I32_MIN) return 'i32(-2147483648)';
  return n < 0 ? `(${n}i)` : `${n}i`;
}

/** A WGSL literal (or helper call, for non-finite floats) of kernel-IR type `t`. */
export function literal(t: ScalarType, v: number | bigint, sink: ScalarSink): string {
  switch (t) {
    case 'f32':
    case 'f64': {
      const x = Math.fround(Number(v));
      if (t === 'f64' && x !== Number(v) && !Number.isNaN(x)) sink.narrow(NOTE_F64);
      if (!Number.isFinite(x)) {
        sink.use('ireets_f32_bits');
        const bits = Number.isNaN(x) ? 0x7fc00000 : x > 0 ? 0x7f800000 : 0xff800000;
        return `ireets_f32_bits(0x${bits.toString(16)}u)`;
      }
      if (Object.is(x, -0)) return '(-0.0f)';
      return x < 0 ? `(${String(x)}f)` : `${String(x)}f`;
    }
    case 'i32': return i32Literal(Number(BigInt.asIntN(32, BigInt(v))));
    case 'u32': return `${Number(BigInt.asUintN(32, BigInt(v)))}u`;
    case 'i64': {
      const b = BigInt(v);
      if (b >= BigInt(I32_MIN) && b <= BigInt(I32_MAX)) return i32Literal(Number(b));
      if (b === I64_MAX || b === I64_MIN) {
        sink.narrow(NOTE_EXTREMES);
        return i32Literal(b === I64_MAX ? I32_MAX : I32_MIN);
      }
      throw new IreetsError('MODEL_UNSUPPORTED', `the i64 constant ${b} does not fit the 32 bits WGSL computes i64 in`);
    }
    case 'u64': {
      const b = BigInt(v);
      if (b >= 0n && b <= 0xffffffffn) return `${b}u`;
      if (b === U64_MAX) {
        sink.narrow(NOTE_EXTREMES);
        return '4294967295u';
      }
      throw new IreetsError('MODEL_UNSUPPORTED', `the u64 constant ${b} does not fit the 32 bits WGSL computes u64 in`);
    }
  }
}

/** Numeric conversion of `s` from `from` to `to` (floats → ints truncate and saturate; NaN → 0). */
export function convert(s: string, from: ScalarType, to: ScalarType, sink: ScalarSink): string {
  if (from === to) return s;
  const wf = wgslScalar(from);
  const wt = wgslScalar(to);
  if (isFloat(from) && isFloat(to)) return s;
  if (isFloat(from)) {
    const helper = to === 'i32' ? 'ireets_f32_to_i32' : to === 'u32' ? 'ireets_f32_to_u32' : to === 'i64' ? 'ireets_f32_to_i64_low' : 'ireets_f32_to_u64_low';
    sink.use(helper);
    return `${helper}(${s})`;
  }
  if (isFloat(to)) return `f32(${s})`;
  return wf === wt ? s : `bitcast<${wt}>(${s})`;
}

/** Bit reinterpretation (same width). f64 ↔ i64 cannot survive narrowing. */
export function reinterpret(s: string, from: ScalarType, to: ScalarType): string {
  if (from === 'f64' || to === 'f64') {
    throw new IreetsError('MODEL_UNSUPPORTED', `WGSL cannot reinterpret ${from} as ${to}: 64-bit types are narrowed to 32 bits`);
  }
  const wf = wgslScalar(from);
  const wt = wgslScalar(to);
  return wf === wt ? s : `bitcast<${wt}>(${s})`;
}

const FLOAT_BUILTIN: Partial<Record<UnaryOp, string>> = {
  abs: 'abs', sqrt: 'sqrt', floor: 'floor', ceil: 'ceil', trunc: 'trunc', round_even: 'round',
  exp: 'exp', log: 'log', sin: 'sin', cos: 'cos', tan: 'tan', asin: 'asin', acos: 'acos', atan: 'atan',
  sinh: 'sinh', cosh: 'cosh', asinh: 'asinh', acosh: 'acosh', atanh: 'atanh',
};
const FLOAT_HELPER: Partial<Record<UnaryOp, string>> = {
  tanh: 'ireets_tanh', erf: 'ireets_erf', sigmoid: 'ireets_sigmoid', sign: 'ireets_signf',
};

/** Unary op `op` of type `t` on operand text `a` (already of type t). */
export function unary(op: UnaryOp, a: string, t: ScalarType, sink: ScalarSink): string {
  const w = wgslScalar(t);
  const zero = w === 'f32' ? '0.0f' : w === 'i32' ? '0i' : '0u';
  if (op === 'not') return `i32(${a} == ${zero})`;
  if (w === 'f32') {
    if (op === 'neg') return `(-${a})`;
    if (op === 'sin' || op === 'cos' || op === 'tan') {
      sink.use('ireets_reduce_2pi');
      return `${op}(ireets_reduce_2pi(${a}))`;
    }
    const builtin = FLOAT_BUILTIN[op];
    if (builtin) return `${builtin}(${a})`;
    const helper = FLOAT_HELPER[op];
    if (helper) {
      sink.use(helper);
      return `${helper}(${a})`;
    }
    if (op === 'is_nan') {
      sink.use('ireets_is_nan');
      return `i32(ireets_is_nan(${a}))`;
    }
    if (op === 'is_inf_pos') return `i32(bitcast<u32>(${a}) == 0x7f800000u)`;
    if (op === 'is_inf_neg') return `i32(bitcast<u32>(${a}) == 0xff800000u)`;
    throw new Error(`unary ${op} is not defined for ${t}`);
  }
  switch (op) {
    case 'neg': return w === 'i32' ? `(-${a})` : `(0u - ${a})`;
    case 'abs': return w === 'i32' ? `abs(${a})` : a;
    case 'sign': return w === 'i32' ? `sign(${a})` : `min(${a}, 1u)`;
    case 'bit_not': return `(~${a})`;
    case 'floor': case 'ceil': case 'round_even': case 'trunc': return a;
    default: throw new Error(`unary ${op} is not defined for ${t}`);
  }
}

const OPERATOR: Partial<Record<BinaryOp, string>> = {
  add: '+', sub: '-', mul: '*', div: '/', and: '&', or: '|', xor: '^',
  eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=',
};
export const COMPARISONS: ReadonlySet<BinaryOp> = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);

/**
 * The bool-valued WGSL comparison (used directly as a condition). Float `!=` is written
 * `!(a == b)`: drivers lower WGSL's `!=` to an ordered compare, which is false for NaN.
 */
export function comparison(op: BinaryOp, a: string, b: string, t: ScalarType): string {
  if (op === 'ne' && isFloat(t)) return `(!(${a} == ${b}))`;
  return `(${a} ${OPERATOR[op]} ${b})`;
}

/** Binary op `op` of type `t` on operand texts of type t. Comparisons give i32 0/1. */
export function binary(op: BinaryOp, a: string, b: string, t: ScalarType, sink: ScalarSink): string {
  const w = wgslScalar(t);
  if (COMPARISONS.has(op)) return `i32${comparison(op, a, b, t)}`;
  const call = (helper: string): string => {
    sink.use(helper);
    return `${helper}(${a}, ${b})`;
  };
  if (w === 'f32') {
    switch (op) {
      case 'add': case 'sub': case 'mul': return `(${a} ${OPERATOR[op]} ${b})`;
      case 'div': return call('ireets_divf');
      case 'rem': case 'fmod': return call('ireets_fmodf');
      case 'min': return call('ireets_minf');
      case 'max': return call('ireets_maxf');
      case 'pow': return call('ireets_powf');
      case 'mod_floor': return call('ireets_mod_floorf');
      default: throw new Error(`binary ${op} is not defined for ${t}`);
    }
  }
  switch (op) {
    case 'add': case 'sub': case 'mul': case 'div': case 'and': case 'or': case 'xor':
      return `(${a} ${OPERATOR[op]} ${b})`;
    case 'rem': case 'fmod': return `(${a} % ${b})`;
    case 'min': case 'max': return `${op}(${a}, ${b})`;
    case 'pow': return call(w === 'i32' ? 'ireets_powi' : 'ireets_powu');
    case 'mod_floor': return w === 'i32' ? call('ireets_mod_floori') : `(${a} % ${b})`;
    case 'shl': case 'shr':
      if (t === 'i64' || t === 'u64') return call(`ireets_${op}64${w === 'i32' ? '' : 'u'}`);
      return `(${a} ${op === 'shl' ? '<<' : '>>'} ${w === 'i32' ? `bitcast<u32>(${b})` : b})`;
    default: throw new Error(`binary ${op} is not defined for ${t}`);
  }
}
