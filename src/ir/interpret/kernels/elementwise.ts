// Reference kernels: elementwise ops (unary, binary with broadcasting, select).
import { isBigInt, isFloat, isSignedInt, type DType } from '../../dtype.js';
import type { Attrs } from '../../graph.js';
import { COMPARISON_OPS } from '../../ops/elementwise.js';
import type { Tensor } from '../../tensor.js';
import { defineKernel } from '../registry.js';
import {
  binaryTensor, pickImpl, ternaryTensor, unaryTensor, type Scalar1, type Scalar2, type ScalarImpls,
} from './elementwise-loops.js';
import { erf, floorMod, floorModBig, intPow, intPowBig, roundHalfEven, truncToBigInt } from './elementwise-math.js';

function operand(inputs: readonly (Tensor | null)[], i: number, op: string): Tensor {
  const t = inputs[i];
  if (!t) throw new Error(`${op}: input ${i} is missing`);
  return t;
}

// ---- unary ----

const sameForAll = (f: Scalar1): ScalarImpls<Scalar1> => ({ float: f, big: f });

const UNARY: Record<string, ScalarImpls<Scalar1>> = {
  neg: sameForAll((a) => -a),
  abs: { float: Math.abs, big: (a: bigint) => (a < 0n ? -a : a) },
  sign: { float: Math.sign, big: (a: bigint) => (a > 0n ? 1n : a < 0n ? -1n : 0n) },
  exp: { float: Math.exp },
  log: { float: Math.log },
  sqrt: { float: Math.sqrt },
  reciprocal: { float: (a: number) => 1 / a },
  sin: { float: Math.sin },
  cos: { float: Math.cos },
  tan: { float: Math.tan },
  asin: { float: Math.asin },
  acos: { float: Math.acos },
  atan: { float: Math.atan },
  sinh: { float: Math.sinh },
  cosh: { float: Math.cosh },
  tanh: { float: Math.tanh },
  asinh: { float: Math.asinh },
  acosh: { float: Math.acosh },
  atanh: { float: Math.atanh },
  sigmoid: { float: (a: number) => 1 / (1 + Math.exp(-a)) },
  erf: { float: erf },
  floor: { float: Math.floor },
  ceil: { float: Math.ceil },
  round: { float: roundHalfEven },
  not: { float: (a: number) => (a ? 0 : 1) },
  bitwise_not: sameForAll((a) => ~a),
  is_nan: { float: (a: number) => (a !== a ? 1 : 0) },
};

for (const [op, impls] of Object.entries(UNARY)) {
  const resultBool = op === 'is_nan';
  defineKernel(op, (inputs) => {
    const x = operand(inputs, 0, op);
    return [unaryTensor(x, resultBool ? 'bool' : x.dtype, pickImpl(impls, x.dtype, op))];
  });
}

defineKernel('is_inf', (inputs, attrs) => {
  const x = operand(inputs, 0, 'is_inf');
  const pos = (attrs['detect_positive'] ?? 1) !== 0;
  const neg = (attrs['detect_negative'] ?? 1) !== 0;
  return [unaryTensor(x, 'bool', (a: number) => ((pos && a === Infinity) || (neg && a === -Infinity) ? 1 : 0))];
});

// ---- binary ----

const add: Scalar2 = (a, b) => a + b;
const sub: Scalar2 = (a, b) => a - b;
const mul: Scalar2 = (a, b) => a * b;
const lt: Scalar2 = (a, b) => (a < b ? 1 : 0);
const le: Scalar2 = (a, b) => (a <= b ? 1 : 0);
const gt: Scalar2 = (a, b) => (a > b ? 1 : 0);
const ge: Scalar2 = (a, b) => (a >= b ? 1 : 0);
const eq: Scalar2 = (a, b) => (a === b ? 1 : 0);
const same2 = (f: Scalar2): ScalarImpls<Scalar2> => ({ float: f, big: f, str: f });

/** Binary ops whose scalar function depends only on the operand dtype. */
const BINARY: Record<string, ScalarImpls<Scalar2>> = {
  add: { float: add, big: add },
  sub: { float: sub, big: sub },
  // Math.imul keeps 32-bit products exact (a*b in doubles loses low bits past 2^53).
  mul: { float: mul, int: Math.imul, big: mul },
  div: {
    float: (a: number, b: number) => a / b,
    int: (a: number, b: number) => (b === 0 ? 0 : Math.trunc(a / b)),
    big: (a: bigint, b: bigint) => (b === 0n ? 0n : a / b),
  },
  // NaN-propagating, like numpy.minimum / maximum.
  min: { float: Math.min, big: (a: bigint, b: bigint) => (a < b ? a : b) },
  max: { float: Math.max, big: (a: bigint, b: bigint) => (a > b ? a : b) },
  and: { float: (a: number, b: number) => a & b },
  or: { float: (a: number, b: number) => a | b },
  xor: { float: (a: number, b: number) => a ^ b },
  equal: same2(eq),
  less: same2(lt),
  less_equal: same2(le),
  greater: same2(gt),
  greater_equal: same2(ge),
  bitwise_and: { float: (a: number, b: number) => a & b, big: (a: bigint, b: bigint) => a & b },
  bitwise_or: { float: (a: number, b: number) => a | b, big: (a: bigint, b: bigint) => a | b },
  bitwise_xor: { float: (a: number, b: number) => a ^ b, big: (a: bigint, b: bigint) => a ^ b },
};

for (const [op, impls] of Object.entries(BINARY)) {
  const resultBool = COMPARISON_OPS.has(op);
  defineKernel(op, (inputs) => {
    const a = operand(inputs, 0, op);
    const b = operand(inputs, 1, op);
    return [binaryTensor(a, b, resultBool ? 'bool' : a.dtype, pickImpl(impls, a.dtype, op))];
  });
}

const FMOD: ScalarImpls<Scalar2> = {
  float: (a: number, b: number) => a % b,
  int: (a: number, b: number) => (b === 0 ? 0 : a % b),
  big: (a: bigint, b: bigint) => (b === 0n ? 0n : a % b),
};
const FLOOR_MOD: ScalarImpls<Scalar2> = {
  float: floorMod,
  int: (a: number, b: number) => (b === 0 ? 0 : floorMod(a, b)),
  big: floorModBig,
};

defineKernel('mod', (inputs, attrs) => {
  const a = operand(inputs, 0, 'mod');
  const b = operand(inputs, 1, 'mod');
  const impls = (attrs['fmod'] ?? 0) !== 0 ? FMOD : FLOOR_MOD;
  return [binaryTensor(a, b, a.dtype, pickImpl(impls, a.dtype, 'mod'))];
});

/** Shifts by the bit width or more give 0 (or -1 for negative signed values shifted right). */
function shiftImpl(dtype: DType, attrs: Attrs): Scalar2 {
  const left = attrs['direction'] === 'left';
  if (isBigInt(dtype)) {
    return left
      ? (a: bigint, b: bigint) => (b >= 64n ? 0n : a << b)
      : (a: bigint, b: bigint) => (b >= 64n ? (a < 0n ? -1n : 0n) : a >> b);
  }
  if (left) return (a: number, b: number) => (b >= 32 ? 0 : a << b);
  // Unsigned values up to 2^32-1 need the logical shift; signed ones keep their sign.
  return isSignedInt(dtype)
    ? (a: number, b: number) => (b >= 32 ? (a < 0 ? -1 : 0) : a >> b)
    : (a: number, b: number) => (b >= 32 ? 0 : a >>> b);
}

defineKernel('bit_shift', (inputs, attrs) => {
  const a = operand(inputs, 0, 'bit_shift');
  const b = operand(inputs, 1, 'bit_shift');
  return [binaryTensor(a, b, a.dtype, shiftImpl(a.dtype, attrs))];
});

/**
 * pow: the result has the base's dtype. Integer ** integer is exact with wrap-around; mixed
 * integer/float computes in f64 and truncates back to the base's integer type.
 */
function powImpl(base: DType, exp: DType): Scalar2 {
  const bigBase = isBigInt(base);
  const bigExp = isBigInt(exp);
  if (isFloat(base)) return bigExp ? (a: number, e: bigint) => Math.pow(a, Number(e)) : Math.pow;
  if (isFloat(exp)) {
    return bigBase
      ? (a: bigint, e: number) => truncToBigInt(Math.pow(Number(a), e))
      : (a: number, e: number) => Math.trunc(Math.pow(a, e));
  }
  if (bigBase) return bigExp ? intPowBig : (a: bigint, e: number) => intPowBig(a, BigInt(e));
  return bigExp ? (a: number, e: bigint) => intPow(a, Number(e)) : intPow;
}

defineKernel('pow', (inputs) => {
  const a = operand(inputs, 0, 'pow');
  const b = operand(inputs, 1, 'pow');
  return [binaryTensor(a, b, a.dtype, powImpl(a.dtype, b.dtype))];
});

// ---- select ----

defineKernel('select', (inputs) => {
  const c = operand(inputs, 0, 'select');
  const a = operand(inputs, 1, 'select');
  const b = operand(inputs, 2, 'select');
  return [ternaryTensor(c, a, b, a.dtype, (k: number, x: unknown, y: unknown) => (k ? x : y))];
});
