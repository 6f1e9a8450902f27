// Elementwise lowering rules against the reference interpreter: every op on every dtype it
// allows, over edge values (wrap-around, MIN / -1, division by zero, NaN, ±inf, -0), with the
// two operands broadcast against each other so every pair of edge values meets. Results must be
// identical (bit for bit, NaN = NaN) unless a tolerance is named.
import { describe, expect, it } from 'vitest';
import type { GraphBuilder } from '../../src/ir/builder.js';
import { isBigInt, isFloat, type DType } from '../../src/ir/dtype.js';
import type { Attrs, Value } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { buildModule, expectAgreesWithReference, useCpuDevice, type BuiltModule } from '../support/lowering-harness.js';

const device = useCpuDevice();

const INT_EDGES: Record<string, readonly number[]> = {
  i8: [-128, -127, -7, -2, -1, 0, 1, 2, 3, 7, 100, 127],
  u8: [0, 1, 2, 3, 7, 100, 127, 128, 200, 255],
  i16: [-32768, -32767, -300, -2, -1, 0, 1, 2, 3, 300, 32767],
  u16: [0, 1, 2, 3, 255, 256, 40000, 65535],
  i32: [-(2 ** 31), -(2 ** 31) + 1, -100000, -7, -1, 0, 1, 2, 3, 7, 65536, 2 ** 31 - 1],
  u32: [0, 1, 2, 3, 7, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1],
};
const BIG_EDGES: Record<string, readonly bigint[]> = {
  i64: [-(2n ** 63n), -(2n ** 53n) - 1n, -7n, -2n, -1n, 0n, 1n, 2n, 3n, 7n, 2n ** 32n + 5n, 2n ** 53n + 1n, 2n ** 63n - 1n],
  u64: [0n, 1n, 2n, 3n, 7n, 2n ** 32n + 5n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n],
};
const FLOAT_EDGES = [NaN, -Infinity, -1e10, -2.5, -1.5, -1, -0.5, -1e-3, -0, 0, 1e-7, 0.3, 0.5, 1, 1.5, 2, 2.5, 3, 100.25, 65504, 3e9, Infinity];

/** Edge values of `dtype` as a 1-D tensor. */
function edges(dtype: DType): Tensor {
  if (isBigInt(dtype)) return Tensor.fromBigInts(dtype as 'i64' | 'u64', [BIG_EDGES[dtype]!.length], [...BIG_EDGES[dtype]!]);
  if (dtype === 'bool') return Tensor.fromNumbers('bool', [2], [0, 1]);
  const vals = isFloat(dtype) ? FLOAT_EDGES : INT_EDGES[dtype]!;
  return Tensor.fromNumbers(dtype, [vals.length], [...vals]);
}

const reshape = (t: Tensor, shape: number[]): Tensor => new Tensor(t.dtype, shape, t.data);

/** Runs on the CPU code generator and the reference interpreter; the results must agree. */
function agree(built: BuiltModule, rtol = 0): Promise<Tensor[]> {
  return expectAgreesWithReference(built, device(), { kernelsOnly: true, match: { rtol } });
}

/** op(a, b) over every pair of edge values: a as a column, b as a row (broadcasting). */
/**
 * A dtype that holds every value of `d` exactly, for a cast fused behind an op: the cast sees the
 * op's in-register result, so an unwrapped narrow int or an out-of-range bool would show.
 */
function widened(d: DType): DType | undefined {
  if (d === 'bool' || d === 'i8' || d === 'u8' || d === 'i16' || d === 'u16') return 'i32';
  if (d === 'i32' || d === 'u32') return 'i64';
  if (d === 'f16' || d === 'bf16') return 'f64';
  return undefined;
}

/** Checks `op` alone (its result stored) and with a widening cast fused behind it. */
async function agreeFused(inputs: Tensor[], op: (g: GraphBuilder, xs: Value[]) => Value, rtol = 0): Promise<void> {
  let dtype: DType | undefined;
  await agree(buildModule(inputs, (g, xs) => {
    const r = op(g, xs);
    dtype = r.type.dtype;
    return [r];
  }), rtol);
  const wide = widened(dtype!);
  if (wide) await agree(buildModule(inputs, (g, xs) => [g.op1('cast', [op(g, xs)], { to: wide })]), rtol);
}

async function binaryPairs(op: string, a: Tensor, b: Tensor, attrs: Attrs = {}): Promise<void> {
  await agreeFused([reshape(a, [a.size, 1]), reshape(b, [1, b.size])], (g, [x, y]) => g.op1(op, [x!, y!], attrs));
}

async function unaryEdges(op: string, dtype: DType, attrs: Attrs = {}, rtol = 0): Promise<void> {
  await agreeFused([edges(dtype)], (g, [x]) => g.op1(op, [x!], attrs), rtol);
}

const NUMERIC: DType[] = ['f32', 'f64', 'f16', 'i8', 'u8', 'i16', 'u16', 'i32', 'u32', 'i64', 'u64'];
const INTEGER: DType[] = ['i8', 'u8', 'i16', 'u16', 'i32', 'u32', 'i64', 'u64'];

describe('elementwise lowering: binary arithmetic', () => {
  for (const op of ['add', 'sub', 'mul', 'div', 'min', 'max']) {
    it(`${op} on every numeric dtype (wrap-around, x/0 = 0, MIN/-1 = MIN)`, async () => {
      for (const d of NUMERIC) await binaryPairs(op, edges(d), edges(d));
    });
  }

  it('mod, floored and C-style, on every numeric dtype', async () => {
    for (const d of NUMERIC) {
      await binaryPairs('mod', edges(d), edges(d), { fmod: 0 });
      await binaryPairs('mod', edges(d), edges(d), { fmod: 1 });
    }
  });

  it('pow with float, integer and mixed operands', async () => {
    for (const d of ['f32', 'f64', 'f16'] as const) await binaryPairs('pow', edges(d), edges(d));
    const smallExp = Tensor.fromNumbers('i32', [8], [-3, -1, 0, 1, 2, 3, 7, 31]);
    for (const d of INTEGER) await binaryPairs('pow', edges(d), d.startsWith('u') ? Tensor.fromNumbers('u8', [5], [0, 1, 2, 3, 9]) : smallExp);
    await binaryPairs('pow', edges('i64'), Tensor.fromBigInts('i64', [5], [-1n, 0n, 2n, 5n, 63n]));
    await binaryPairs('pow', edges('f32'), Tensor.fromBigInts('i64', [4], [-2n, 0n, 1n, 3n]));
    await binaryPairs('pow', Tensor.fromNumbers('i32', [4], [-3, 0, 2, 10]), Tensor.fromNumbers('f32', [4], [0.5, 2, 3, -1]));
    await binaryPairs('pow', Tensor.fromBigInts('i64', [3], [-3n, 2n, 10n]), Tensor.fromNumbers('f64', [3], [0.5, 2, 13]));
  });

  it('bitwise ops and shifts on every integer dtype', async () => {
    for (const d of INTEGER) {
      for (const op of ['bitwise_and', 'bitwise_or', 'bitwise_xor']) await binaryPairs(op, edges(d), edges(d));
      const amounts = isBigInt(d)
        ? Tensor.fromBigInts(d as 'i64' | 'u64', [7], [0n, 1n, 7n, 31n, 63n, 64n, 100n])
        : Tensor.fromNumbers(d, [7], [0, 1, 3, 7, 31, 32, 100]);
      await binaryPairs('bit_shift', edges(d), amounts, { direction: 'left' });
      await binaryPairs('bit_shift', edges(d), amounts, { direction: 'right' });
    }
  });
});

describe('elementwise lowering: comparisons, logic, select', () => {
  it('compares every dtype, unsigned ones as unsigned', async () => {
    for (const d of [...NUMERIC, 'bool'] as DType[]) {
      for (const op of ['equal', 'less', 'less_equal', 'greater', 'greater_equal']) {
        if (d === 'bool' && op !== 'equal') continue;
        await binaryPairs(op, edges(d), edges(d));
      }
    }
  });

  it('and, or, xor, not on bools', async () => {
    for (const op of ['and', 'or', 'xor']) await binaryPairs(op, edges('bool'), edges('bool'));
    await unaryEdges('not', 'bool');
  });

  it('select broadcasts its condition and both branches', async () => {
    const cond = Tensor.fromNumbers('bool', [2, 1, 3], [1, 0, 1, 0, 0, 1]);
    for (const d of ['f32', 'i64', 'u8', 'f16'] as const) {
      const e = edges(d);
      const a = reshape(e, [e.size, 1]);
      const b = Tensor.fromNumbers(d === 'i64' ? 'i32' : d, [1], [3]);
      await agree(buildModule([cond, a, d === 'i64' ? Tensor.fromBigInts('i64', [1], [3n]) : b], (g, [c, x, y]) => [g.op1('select', [c!, x!, y!])]));
    }
  });
});

describe('elementwise lowering: unary', () => {
  const FLOAT_UNARY = ['exp', 'log', 'sqrt', 'reciprocal', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh',
    'tanh', 'asinh', 'acosh', 'atanh', 'sigmoid', 'floor', 'ceil', 'round', 'is_nan', 'is_inf'];
  it('float math matches the reference exactly (f32, f64; f16 rounded)', async () => {
    for (const op of FLOAT_UNARY) for (const d of ['f32', 'f64', 'f16'] as const) await unaryEdges(op, d);
  });

  it('is_inf honours detect_positive and detect_negative', async () => {
    for (const [p, n] of [[1, 0], [0, 1], [0, 0]]) await unaryEdges('is_inf', 'f32', { detect_positive: p, detect_negative: n });
  });

  it('erf is accurate near 0 and in the tails', async () => {
    const xs = Tensor.fromNumbers('f32', [12], [-4, -1.5, -0.49, -1e-5, -1e-30, 0, 1e-6, 3e-4, 0.2, 0.51, 2, 5]);
    await agree(buildModule([xs], (g, [x]) => [g.op1('erf', [x!])]), 2e-6);
    await unaryEdges('erf', 'f64', {}, 1e-6);
  });

  it('neg, abs, sign, bitwise_not wrap like the dtype', async () => {
    for (const d of NUMERIC) for (const op of ['neg', 'abs', 'sign']) await unaryEdges(op, d);
    for (const d of INTEGER) await unaryEdges('bitwise_not', d);
  });
});

describe('elementwise lowering: cast and constant_of_shape', () => {
  const ALL: DType[] = ['f32', 'f64', 'f16', 'bf16', 'i8', 'u8', 'i16', 'u16', 'i32', 'u32', 'i64', 'u64', 'bool'];
  it('casts between every pair of dtypes like the reference', async () => {
    const floatSource = [...FLOAT_EDGES, 1e20, -1e20, 2 ** 63, -(2 ** 63) - 4096, 2 ** 64, 4.5e15 + 0.5, -3.99, 255.9, 65519, 65520, 5.96e-8, 2.9e-8, 1e-8];
    for (const from of ALL) {
      const src = isFloat(from) ? Tensor.fromNumbers(from, [floatSource.length], floatSource) : edges(from);
      for (const to of ALL) await agree(buildModule([src], (g, [x]) => [g.op1('cast', [x!], { to })]));
    }
  });

  it('rounds fused f16/bf16 intermediates (cast there and back)', async () => {
    const xs = Tensor.fromNumbers('f32', [10], [1 + 2 ** -11, 1 + 3 * 2 ** -11, 65519, 65520, 1e-7, 3e-8, -2.98e-8, 1 / 3, NaN, -1e6]);
    for (const mid of ['f16', 'bf16'] as const) {
      await agree(buildModule([xs], (g, [x]) => [g.op1('cast', [g.op1('cast', [x!], { to: mid })], { to: 'f32' })]));
    }
  });

  it('fills constant_of_shape with its value', async () => {
    for (const value of [Tensor.fromNumbers('f32', [1], [2.5]), Tensor.fromBigInts('i64', [1], [2n ** 40n + 3n]), Tensor.fromNumbers('bool', [1], [1])]) {
      await agree(buildModule([Tensor.fromNumbers('f32', [1], [0])], (g) => {
        const shape = g.constant(Tensor.fromBigInts('i64', [2], [3n, 4n]));
        return [g.op1('constant_of_shape', [shape], { value })];
      }));
    }
  });
});

describe('elementwise lowering: fusion', () => {
  it('keeps u8 wrap-around between fused ops', async () => {
    const a = Tensor.fromNumbers('u8', [4], [200, 100, 255, 3]);
    const b = Tensor.fromNumbers('u8', [4], [100, 200, 1, 250]);
    // (a + b) / 2 on u8: the sum wraps before the division.
    const got = await agree(buildModule([a, b], (g, [x, y]) => [g.op1('div', [g.op1('add', [x!, y!]), g.constant(Tensor.fromNumbers('u8', [], [2]))])]));
    expect(Array.from(got[0]!.data as Uint8Array)).toEqual([22, 22, 0, 126]);
  });

  it('keeps i64 exact beyond 2^53 through a chain', async () => {
    const a = Tensor.fromBigInts('i64', [3], [2n ** 53n + 1n, -(2n ** 62n), 9007199254740993n]);
    const got = await agree(buildModule([a], (g, [x]) => {
      const three = g.constant(Tensor.fromBigInts('i64', [], [3n]));
      return [g.op1('sub', [g.op1('mul', [x!, three]), x!])];
    }));
    expect(Array.from(got[0]!.data as BigInt64Array)).toEqual([2n * (2n ** 53n + 1n), -(2n ** 63n), 2n * 9007199254740993n]);
  });

  it('broadcasts a 4-D by 1-D by scalar chain', async () => {
    const x = Tensor.fromNumbers('f32', [2, 3, 1, 4], Array.from({ length: 24 }, (_, i) => i / 7 - 1.5));
    const y = Tensor.fromNumbers('f32', [5, 1], [1, 2, 3, 4, 5]);
    await agree(buildModule([x, y], (g, [a, b]) => [g.op1('sigmoid', [g.op1('mul', [g.op1('add', [a!, b!]), g.constant(Tensor.fromNumbers('f32', [], [0.5]))])])]));
  });
});
