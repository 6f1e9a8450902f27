// Lowering rules: elementwise ops (unary, binary with NumPy broadcasting, select, is_inf, cast,
// constant_of_shape). Each computes one output element from the broadcast operand elements;
// integer results wrap like the reference kernels' typed-array stores.
import { isFloat, type DType } from '../../ir/dtype.js';
import type { Node } from '../../ir/graph.js';
import { Tensor } from '../../ir/tensor.js';
import { binary, broadcastIndex, constant, select, unary } from '../expr.js';
import { computeType, type BinaryOp, type Expr, type ScalarType, type UnaryOp } from '../kernel-ir.js';
import { castElement } from './elementwise-cast.js';
import { lowerErf, lowerPow } from './elementwise-math.js';
import { intDiv, intMod, intShift } from './elementwise-integer.js';
import { num, wrapInt } from './elementwise-numeric.js';
import { defineLowering, type LowerContext } from './registry.js';

/** Element of operand `i` of `node` at output index `idx`, broadcast NumPy-style. */
export function operandAt(ctx: LowerContext, node: Node, i: number, idx: readonly Expr[]): Expr {
  const v = node.inputs[i];
  if (!v) throw new Error(`${node.op}: input ${i} is missing`);
  return ctx.value(v, broadcastIndex(idx, ctx.shape(v)));
}

const dtypeOf = (node: Node, i: number): DType => node.inputs[i]!.type.dtype;

// ---- unary ----

type UnaryLowering = (ctx: LowerContext, x: Expr, dtype: DType, node: Node) => Expr;

/** Ops that map to one kernel-IR unary op whose result is exact or already in range. */
const DIRECT_UNARY: Readonly<Record<string, UnaryOp>> = {
  sign: 'sign', exp: 'exp', log: 'log', sqrt: 'sqrt', sin: 'sin', cos: 'cos', tan: 'tan',
  asin: 'asin', acos: 'acos', atan: 'atan', sinh: 'sinh', cosh: 'cosh', tanh: 'tanh',
  asinh: 'asinh', acosh: 'acosh', atanh: 'atanh', sigmoid: 'sigmoid',
  floor: 'floor', ceil: 'ceil', round: 'round_even', not: 'not', is_nan: 'is_nan',
};

const UNARY: Record<string, UnaryLowering> = {
  // i8 -(-128) and |-128| wrap back to -128, u8 -1 to 255.
  neg: (_ctx, x, d) => wrapInt(unary('neg', x, computeType(d)), d),
  abs: (_ctx, x, d) => wrapInt(unary('abs', x, computeType(d)), d),
  bitwise_not: (_ctx, x, d) => wrapInt(unary('bit_not', x, computeType(d)), d),
  reciprocal: (_ctx, x, d) => binary('div', num(computeType(d), 1), x, computeType(d)),
  erf: (ctx, x, d) => lowerErf(ctx, x, computeType(d)),
  is_inf: (ctx, x, d, node) => {
    const t = computeType(d);
    const pos = (node.attrs['detect_positive'] ?? 1) !== 0;
    const neg = (node.attrs['detect_negative'] ?? 1) !== 0;
    if (pos && neg) return binary('eq', unary('abs', x, t), num(t, Infinity), t);
    if (pos) return unary('is_inf_pos', x, t);
    if (neg) return unary('is_inf_neg', x, t);
    return num('i32', 0);
  },
};
for (const [op, u] of Object.entries(DIRECT_UNARY)) UNARY[op] = (_ctx, x, d) => unary(u, x, computeType(d));

for (const [op, lower] of Object.entries(UNARY)) {
  defineLowering(op, (ctx, node, idx) => lower(ctx, operandAt(ctx, node, 0, idx), dtypeOf(node, 0), node));
}

// ---- binary ----

type BinaryLowering = (ctx: LowerContext, a: Expr, b: Expr, node: Node) => Expr;

/** A kernel-IR binary op in the operands' compute type; `wrap` for results that may leave a narrow int's range. */
function direct(op: BinaryOp, wrap = false): BinaryLowering {
  return (_ctx, a, b, node) => {
    const d = dtypeOf(node, 0);
    const e = binary(op, a, b, computeType(d));
    return wrap ? wrapInt(e, d) : e;
  };
}

const BINARY: Record<string, BinaryLowering> = {
  add: direct('add', true),
  sub: direct('sub', true),
  mul: direct('mul', true),
  div: (ctx, a, b, node) => {
    const d = dtypeOf(node, 0);
    return isFloat(d) ? binary('div', a, b, computeType(d)) : intDiv(ctx, a, b, d);
  },
  mod: (ctx, a, b, node) => {
    const d = dtypeOf(node, 0);
    const fmod = (node.attrs['fmod'] ?? 0) !== 0;
    if (isFloat(d)) return binary(fmod ? 'fmod' : 'mod_floor', a, b, computeType(d));
    return intMod(ctx, a, b, d, fmod);
  },
  pow: (ctx, a, b, node) => lowerPow(ctx, a, b, dtypeOf(node, 0), dtypeOf(node, 1)),
  // NaN-propagating like the reference's Math.min / Math.max (wasm's f32.min does the same).
  min: direct('min'),
  max: direct('max'),
  and: direct('and'),
  or: direct('or'),
  xor: direct('xor'),
  equal: direct('eq'),
  less: direct('lt'),
  less_equal: direct('le'),
  greater: direct('gt'),
  greater_equal: direct('ge'),
  bitwise_and: direct('and'),
  bitwise_or: direct('or'),
  bitwise_xor: direct('xor'),
  bit_shift: (ctx, a, b, node) => intShift(ctx, a, b, dtypeOf(node, 0), node.attrs['direction'] === 'left'),
};

for (const [op, lower] of Object.entries(BINARY)) {
  defineLowering(op, (ctx, node, idx) => lower(ctx, operandAt(ctx, node, 0, idx), operandAt(ctx, node, 1, idx), node));
}

// ---- select, cast, constant_of_shape ----

defineLowering('select', (ctx, node, idx) => {
  const t: ScalarType = computeType(node.outputs[0]!.type.dtype);
  return select(operandAt(ctx, node, 0, idx), operandAt(ctx, node, 1, idx), operandAt(ctx, node, 2, idx), t);
});

defineLowering('cast', (ctx, node, idx) =>
  castElement(ctx, operandAt(ctx, node, 0, idx), dtypeOf(node, 0), node.outputs[0]!.type.dtype));

// The result's (static) shape is all the shape operand decides; every element is the value.
defineLowering('constant_of_shape', (_ctx, node) => {
  const value = node.attrs['value'];
  if (!(value instanceof Tensor) || value.size !== 1) throw new Error('constant_of_shape: value must be a one-element tensor');
  const t = computeType(value.dtype);
  return constant(t, t === 'i64' || t === 'u64' ? value.getBigInt(0) : value.getNumber(0));
});
