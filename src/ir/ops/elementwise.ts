// IR op definitions: elementwise ops. All broadcast their operands NumPy-style.
import { isFloat, isInteger, isNumeric, type DType } from '../dtype.js';
import { broadcastShapes, type TensorType } from '../types.js';
import { defineOp } from './registry.js';

/** Which element types an operand accepts. */
type DTypeClass = 'float' | 'numeric' | 'integer' | 'bool' | 'any';

function accepts(cls: DTypeClass, d: DType): boolean {
  switch (cls) {
    case 'float': return isFloat(d);
    case 'numeric': return isNumeric(d);
    case 'integer': return isInteger(d);
    case 'bool': return d === 'bool';
    case 'any': return true;
  }
}

function checkDType(op: string, cls: DTypeClass, t: TensorType, what: string): void {
  if (!accepts(cls, t.dtype)) throw new Error(`${op}: ${what} must be ${cls === 'any' ? 'a tensor' : cls}, got ${t.dtype}`);
}

function required(op: string, inputs: readonly (TensorType | null)[], n: number): TensorType[] {
  if (inputs.length !== n || inputs.some((t) => t === null)) {
    throw new Error(`${op} takes exactly ${n} input${n === 1 ? '' : 's'}`);
  }
  return inputs as TensorType[];
}

/**
 * Unary ops: one input, result of the input's shape.
 * Result dtype is the input's, except `is_nan` / `is_inf` give bool.
 */
export const UNARY_OPS: Readonly<Record<string, DTypeClass>> = {
  neg: 'numeric', abs: 'numeric', sign: 'numeric',
  exp: 'float', log: 'float', sqrt: 'float', reciprocal: 'float',
  sin: 'float', cos: 'float', tan: 'float', asin: 'float', acos: 'float', atan: 'float',
  sinh: 'float', cosh: 'float', tanh: 'float', asinh: 'float', acosh: 'float', atanh: 'float',
  sigmoid: 'float', erf: 'float',
  // Rounding: floor, ceil, and round (half to even).
  floor: 'float', ceil: 'float', round: 'float',
  not: 'bool', bitwise_not: 'integer',
  is_nan: 'float',
  // Attrs: detect_positive, detect_negative (0|1, default 1).
  is_inf: 'float',
};

const BOOL_RESULT_UNARY = new Set(['is_nan', 'is_inf']);

for (const [name, cls] of Object.entries(UNARY_OPS)) {
  defineOp({
    name,
    kind: 'elementwise',
    infer: ({ inputs }) => {
      const [x] = required(name, inputs, 1);
      checkDType(name, cls, x!, 'input');
      return [{ dtype: BOOL_RESULT_UNARY.has(name) ? 'bool' : x!.dtype, shape: x!.shape }];
    },
  });
}

/**
 * Binary ops: two inputs of one dtype (pow excepted), broadcast together.
 * - arithmetic: add sub mul div (integer div truncates toward zero) pow mod min max;
 *   pow's exponent may have any numeric dtype, the result has the base's;
 *   mod attr `fmod` (0: result takes the divisor's sign, like Python; 1: the dividend's, like C fmod).
 * - logical (bool): and or xor.
 * - comparisons (result bool): equal (any dtype) less less_equal greater greater_equal.
 * - integer bit ops: bitwise_and bitwise_or bitwise_xor, bit_shift (attr `direction`: 'left' | 'right').
 */
export const BINARY_OPS: Readonly<Record<string, DTypeClass>> = {
  add: 'numeric', sub: 'numeric', mul: 'numeric', div: 'numeric', pow: 'numeric', mod: 'numeric',
  min: 'numeric', max: 'numeric',
  and: 'bool', or: 'bool', xor: 'bool',
  equal: 'any', less: 'numeric', less_equal: 'numeric', greater: 'numeric', greater_equal: 'numeric',
  bitwise_and: 'integer', bitwise_or: 'integer', bitwise_xor: 'integer', bit_shift: 'integer',
};

export const COMPARISON_OPS: ReadonlySet<string> = new Set(['equal', 'less', 'less_equal', 'greater', 'greater_equal']);

function broadcastOrThrow(op: string, types: readonly TensorType[]): TensorType['shape'] {
  try {
    return broadcastShapes(types.map((t) => t.shape));
  } catch (e) {
    throw new Error(`${op}: ${(e as Error).message}`);
  }
}

for (const [name, cls] of Object.entries(BINARY_OPS)) {
  defineOp({
    name,
    kind: 'elementwise',
    infer: ({ inputs, attrs }) => {
      const [a, b] = required(name, inputs, 2);
      checkDType(name, cls, a!, 'first input');
      checkDType(name, cls, b!, 'second input');
      if (name !== 'pow' && a!.dtype !== b!.dtype) {
        throw new Error(`${name}: operand dtypes differ (${a!.dtype} and ${b!.dtype})`);
      }
      if (name === 'bit_shift' && attrs['direction'] !== 'left' && attrs['direction'] !== 'right') {
        throw new Error(`bit_shift: direction must be 'left' or 'right'`);
      }
      const shape = broadcastOrThrow(name, [a!, b!]);
      return [{ dtype: COMPARISON_OPS.has(name) ? 'bool' : a!.dtype, shape }];
    },
  });
}

/** select(cond: bool, a, b): a where cond else b (ONNX Where); a and b share a dtype; all three broadcast. */
defineOp({
  name: 'select',
  kind: 'elementwise',
  infer: ({ inputs }) => {
    const [c, a, b] = required('select', inputs, 3);
    checkDType('select', 'bool', c!, 'condition');
    if (a!.dtype !== b!.dtype) throw new Error(`select: operand dtypes differ (${a!.dtype} and ${b!.dtype})`);
    return [{ dtype: a!.dtype, shape: broadcastOrThrow('select', [c!, a!, b!]) }];
  },
});
