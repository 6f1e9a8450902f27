import { describe, it, expect } from 'vitest';
import '../../src/ir/ops/elementwise.js';
import '../../src/ir/interpret/kernels/elementwise.js';
import { getOpDef } from '../../src/ir/ops/registry.js';
import { BINARY_OPS, UNARY_OPS } from '../../src/ir/ops/elementwise.js';
import { getKernel, type KernelContext } from '../../src/ir/interpret/registry.js';
import { Tensor } from '../../src/ir/tensor.js';
import type { Attrs } from '../../src/ir/graph.js';
import type { TensorType } from '../../src/ir/types.js';
import {
  BroadcastCursor, broadcastIndex, broadcastStatic, planBroadcast,
} from '../../src/ir/interpret/kernels/elementwise-broadcast.js';
import { erf, roundHalfEven } from '../../src/ir/interpret/kernels/elementwise-math.js';

const ctx = {} as KernelContext;
function run(op: string, inputs: Tensor[], attrs: Attrs = {}): Tensor {
  const k = getKernel(op);
  if (!k) throw new Error(`no kernel ${op}`);
  return k(inputs, attrs, ctx)[0]!;
}
const f32 = (shape: number[], v: number[]) => Tensor.fromNumbers('f32', shape, v);
const i32 = (shape: number[], v: number[]) => Tensor.fromNumbers('i32', shape, v);
const i64 = (v: bigint[], shape = [v.length]) => Tensor.fromBigInts('i64', shape, v);
const infer = (op: string, inputs: (TensorType | null)[], attrs: Attrs = {}) =>
  getOpDef(op)!.infer({ inputs, attrs, consts: inputs.map(() => undefined), regions: [] });

describe('elementwise op inference', () => {
  it('broadcasts shapes, including symbolic dims', () => {
    expect(infer('add', [{ dtype: 'f32', shape: ['N', 3, 1] }, { dtype: 'f32', shape: [4] }]))
      .toEqual([{ dtype: 'f32', shape: ['N', 3, 4] }]);
  });
  it('gives bool for comparisons and is_nan / is_inf', () => {
    expect(infer('less', [{ dtype: 'i64', shape: [2] }, { dtype: 'i64', shape: [] }])[0]!.dtype).toBe('bool');
    expect(infer('is_inf', [{ dtype: 'f16', shape: [2] }])[0]!.dtype).toBe('bool');
    expect(infer('equal', [{ dtype: 'string', shape: [2] }, { dtype: 'string', shape: [2] }])[0]!.dtype).toBe('bool');
  });
  it('keeps the base dtype for pow with a differently typed exponent', () => {
    expect(infer('pow', [{ dtype: 'i32', shape: [3] }, { dtype: 'f32', shape: [3] }])[0]!.dtype).toBe('i32');
  });
  it('rejects mismatched dtypes, wrong dtype classes and incompatible shapes', () => {
    expect(() => infer('add', [{ dtype: 'f32', shape: [2] }, { dtype: 'f64', shape: [2] }])).toThrow(/differ/);
    expect(() => infer('exp', [{ dtype: 'i32', shape: [2] }])).toThrow(/float/);
    expect(() => infer('and', [{ dtype: 'i32', shape: [2] }, { dtype: 'i32', shape: [2] }])).toThrow(/bool/);
    expect(() => infer('mul', [{ dtype: 'f32', shape: [2] }, { dtype: 'f32', shape: [3] }])).toThrow(/broadcast/);
    expect(() => infer('bit_shift', [{ dtype: 'u8', shape: [2] }, { dtype: 'u8', shape: [2] }])).toThrow(/direction/);
  });
  it('select needs a bool condition and broadcasts all three', () => {
    expect(infer('select', [{ dtype: 'bool', shape: [2, 1] }, { dtype: 'f32', shape: [3] }, { dtype: 'f32', shape: [] }]))
      .toEqual([{ dtype: 'f32', shape: [2, 3] }]);
    expect(() => infer('select', [{ dtype: 'u8', shape: [2] }, { dtype: 'f32', shape: [2] }, { dtype: 'f32', shape: [2] }])).toThrow();
  });
  it('every elementwise op has a kernel', () => {
    for (const op of [...Object.keys(UNARY_OPS), ...Object.keys(BINARY_OPS), 'select']) {
      expect(getOpDef(op)?.kind).toBe('elementwise');
      expect(getKernel(op)).toBeDefined();
    }
  });
});

describe('broadcast plan', () => {
  it('coalesces contiguous dims and drops extent-1 dims', () => {
    const p = planBroadcast([[2, 3, 4], [1, 3, 4]]);
    expect(p.dims).toEqual([2, 12]);
    expect(p.strides).toEqual([[12, 1], [0, 1]]);
    expect(planBroadcast([[2, 1, 4], [2, 1, 4]]).dims).toEqual([8]);
  });
  it('maps every output element to its input element', () => {
    expect([...broadcastIndex([3, 1], [2, 3, 2])]).toEqual([0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2]);
    expect([...broadcastIndex([], [2, 2])]).toEqual([0, 0, 0, 0]);
    expect([...broadcastIndex([2, 1, 3], [2, 2, 3])]).toEqual([0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5]);
  });
  it('walks rows with an odometer', () => {
    const c = new BroadcastCursor(planBroadcast([[4, 1, 3], [1, 2, 1]]));
    expect(c.rows * c.rowLength).toBe(24);
    const seen: number[][] = [];
    for (let r = 0; r < c.rows; r++, c.advance()) seen.push([...c.offsets]);
    expect(seen.length).toBe(c.rows);
    expect(seen[0]).toEqual([0, 0]);
  });
  it('rejects incompatible shapes', () => {
    expect(() => broadcastStatic([[2, 3], [4, 3]])).toThrow(/broadcast/);
  });
});

describe('scalar math', () => {
  it('erf matches tabulated values to near double precision', () => {
    const table: [number, number][] = [
      [0, 0], [0.1, 0.1124629160182849], [0.5, 0.5204998778130465], [1, 0.8427007929497149],
      [2, 0.9953222650189527], [3, 0.9999779095030014], [4, 0.9999999845827421], [-1.5, -0.9661051464753108],
    ];
    for (const [x, y] of table) expect(erf(x)).toBeCloseTo(y, 14);
    expect(erf(10)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(erf(NaN)).toBeNaN();
  });
  it('rounds half to even', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, 2.6, -2.6].map(roundHalfEven)).toEqual([0, 2, 2, -0, -2, -2, 2, 3, -3]);
    expect(roundHalfEven(Infinity)).toBe(Infinity);
  });
});

describe('unary kernels', () => {
  it('computes float math in f64 and rounds once to the storage type', () => {
    const y = run('sqrt', [f32([3], [4, 2, -1])]);
    expect(y.dtype).toBe('f32');
    expect(y.getNumber(0)).toBe(2);
    expect(y.getNumber(1)).toBeCloseTo(Math.SQRT2, 6);
    expect(y.getNumber(2)).toBeNaN();
    expect(run('sigmoid', [f32([3], [0, 100, -1000])]).toNumbers()).toEqual([0.5, 1, 0]);
  });
  it('handles f16 storage', () => {
    const y = run('exp', [Tensor.fromNumbers('f16', [2], [0, 1])]);
    expect(y.dtype).toBe('f16');
    expect(y.getNumber(0)).toBe(1);
    expect(y.getNumber(1)).toBeCloseTo(Math.E, 2);
  });
  it('wraps integer neg / abs and handles i64 exactly', () => {
    expect(run('neg', [Tensor.fromNumbers('i8', [2], [-128, 5])]).toNumbers()).toEqual([-128, -5]);
    expect(run('abs', [i64([-(2n ** 62n), 3n])]).data).toEqual(BigInt64Array.from([2n ** 62n, 3n]));
    expect(run('sign', [i64([-9n, 0n, 9n])]).data).toEqual(BigInt64Array.from([-1n, 0n, 1n]));
  });
  it('is_inf honours detect_positive / detect_negative; is_nan finds NaNs', () => {
    const x = f32([4], [Infinity, -Infinity, NaN, 1]);
    expect(run('is_inf', [x]).toNumbers()).toEqual([1, 1, 0, 0]);
    expect(run('is_inf', [x], { detect_negative: 0 }).toNumbers()).toEqual([1, 0, 0, 0]);
    expect(run('is_inf', [x], { detect_positive: 0 }).toNumbers()).toEqual([0, 1, 0, 0]);
    expect(run('is_nan', [x]).toNumbers()).toEqual([0, 0, 1, 0]);
  });
  it('not and bitwise_not', () => {
    expect(run('not', [Tensor.fromNumbers('bool', [2], [0, 1])]).toNumbers()).toEqual([1, 0]);
    expect(run('bitwise_not', [Tensor.fromNumbers('u8', [2], [0, 0xf0])]).toNumbers()).toEqual([255, 0x0f]);
    expect(run('bitwise_not', [Tensor.fromBigInts('u64', [1], [0n])]).data).toEqual(BigUint64Array.from([2n ** 64n - 1n]));
  });
});

describe('binary kernels', () => {
  it('broadcasts', () => {
    const y = run('sub', [f32([2, 1], [10, 20]), f32([3], [1, 2, 3])]);
    expect(y.shape).toEqual([2, 3]);
    expect(y.toNumbers()).toEqual([9, 8, 7, 19, 18, 17]);
    expect(run('mul', [f32([], [2]), f32([2, 2], [1, 2, 3, 4])]).toNumbers()).toEqual([2, 4, 6, 8]);
  });
  it('integer div truncates toward zero; i64 is exact', () => {
    expect(run('div', [i32([4], [7, -7, 7, -7]), i32([4], [2, 2, -2, -2])]).toNumbers()).toEqual([3, -3, -3, 3]);
    const big = 2n ** 62n + 1n;
    expect(run('add', [i64([big]), i64([big])]).data[0]).toBe(2n * big - 2n ** 64n);
    expect(run('mul', [i64([3037000500n]), i64([3037000500n])]).data[0]).toBe(BigInt.asIntN(64, 3037000500n * 3037000500n));
    expect(run('div', [i64([-(2n ** 62n) - 1n]), i64([2n])]).data[0]).toBe(-(2n ** 61n));
  });
  it('uint8 and uint32 wrap around; 32-bit products stay exact', () => {
    const u8 = (v: number[]) => Tensor.fromNumbers('u8', [v.length], v);
    expect(run('add', [u8([250, 3]), u8([10, 4])]).toNumbers()).toEqual([4, 7]);
    expect(run('sub', [u8([3]), u8([5])]).toNumbers()).toEqual([254]);
    expect(run('mul', [u8([16]), u8([17])]).toNumbers()).toEqual([16]);
    const u32 = (v: number[]) => Tensor.fromNumbers('u32', [v.length], v);
    expect(run('mul', [u32([0xffffffff]), u32([0xffffffff])]).toNumbers()).toEqual([1]);
    expect(run('mul', [i32([1], [123456789]), i32([1], [987654321])]).toNumbers()).toEqual([Number(BigInt.asIntN(32, 123456789n * 987654321n))]);
  });
  it('mod follows the divisor sign (fmod=0) or the dividend sign (fmod=1)', () => {
    const a = i32([4], [-4, 7, 5, -9]);
    const b = i32([4], [3, -3, 2, 4]);
    expect(run('mod', [a, b]).toNumbers()).toEqual([2, -2, 1, 3]);
    expect(run('mod', [a, b], { fmod: 1 }).toNumbers()).toEqual([-1, 1, 1, -1]);
    expect(run('mod', [i64([-4n, 7n]), i64([3n, -3n])]).data).toEqual(BigInt64Array.from([2n, -2n]));
    expect(run('mod', [f32([2], [-4.5, 7.5]), f32([2], [2, -2])], { fmod: 1 }).toNumbers()).toEqual([-0.5, 1.5]);
    expect(run('mod', [f32([2], [-4.5, 7.5]), f32([2], [2, -2])]).toNumbers()).toEqual([1.5, -0.5]);
  });
  it('pow on ints, floats and mixed types keeps the base dtype', () => {
    expect(run('pow', [i32([3], [2, -3, 5]), i32([3], [10, 3, 0])]).toNumbers()).toEqual([1024, -27, 1]);
    expect(run('pow', [i64([3n]), i64([39n])]).data[0]).toBe(BigInt.asIntN(64, 3n ** 39n));
    expect(run('pow', [i64([2n, 3n]), f32([2], [0.5, 2])]).data).toEqual(BigInt64Array.from([1n, 9n]));
    expect(run('pow', [f32([2], [2, 9]), i64([3n, -1n])]).toNumbers()).toEqual([8, 1 / 9].map(Math.fround));
    expect(run('pow', [i32([2], [2, 1]), i32([2], [-1, -5])]).toNumbers()).toEqual([0, 1]);
  });
  it('min / max propagate NaN; compare i64 exactly', () => {
    expect(run('max', [f32([2], [NaN, 1]), f32([2], [0, 2])]).toNumbers()).toEqual([NaN, 2]);
    expect(run('min', [i64([2n ** 62n + 1n]), i64([2n ** 62n])]).data[0]).toBe(2n ** 62n);
    expect(run('less', [i64([2n ** 62n]), i64([2n ** 62n + 1n])]).toNumbers()).toEqual([1]);
  });
  it('comparisons and logic produce bools', () => {
    const y = run('greater_equal', [f32([3], [1, 2, 3]), f32([], [2])]);
    expect(y.dtype).toBe('bool');
    expect(y.toNumbers()).toEqual([0, 1, 1]);
    const s = (v: string[]) => new Tensor('string', [v.length], v);
    expect(run('equal', [s(['a', 'b']), s(['a', 'c'])]).toNumbers()).toEqual([1, 0]);
    const t = Tensor.fromNumbers('bool', [4], [0, 0, 1, 1]);
    const u = Tensor.fromNumbers('bool', [4], [0, 1, 0, 1]);
    expect(run('and', [t, u]).toNumbers()).toEqual([0, 0, 0, 1]);
    expect(run('or', [t, u]).toNumbers()).toEqual([0, 1, 1, 1]);
    expect(run('xor', [t, u]).toNumbers()).toEqual([0, 1, 1, 0]);
  });
  it('bit shifts wrap at the type width and use logical shifts on unsigned', () => {
    const u8 = (v: number[]) => Tensor.fromNumbers('u8', [v.length], v);
    expect(run('bit_shift', [u8([16, 4, 1]), u8([1, 6, 9])], { direction: 'left' }).toNumbers()).toEqual([32, 0, 0]);
    const u32 = Tensor.fromNumbers('u32', [1], [0x80000000]);
    expect(run('bit_shift', [u32, Tensor.fromNumbers('u32', [1], [31])], { direction: 'right' }).toNumbers()).toEqual([1]);
    const u64 = Tensor.fromBigInts('u64', [2], [2n ** 63n, 1n]);
    expect(run('bit_shift', [u64, Tensor.fromBigInts('u64', [2], [63n, 64n])], { direction: 'right' }).data)
      .toEqual(BigUint64Array.from([1n, 0n]));
    expect(run('bitwise_and', [i32([1], [12]), i32([1], [10])]).toNumbers()).toEqual([8]);
    expect(run('bitwise_xor', [i64([12n]), i64([10n])]).data[0]).toBe(6n);
  });
});

describe('select', () => {
  it('picks per element with three-way broadcasting', () => {
    const c = Tensor.fromNumbers('bool', [2, 1], [1, 0]);
    const y = run('select', [c, f32([3], [1, 2, 3]), f32([], [0])]);
    expect(y.shape).toEqual([2, 3]);
    expect(y.toNumbers()).toEqual([1, 2, 3, 0, 0, 0]);
  });
  it('works on i64 and strings', () => {
    const c = Tensor.fromNumbers('bool', [2], [0, 1]);
    expect(run('select', [c, i64([1n, 2n]), i64([3n, 4n])]).data).toEqual(BigInt64Array.from([3n, 2n]));
    expect(run('select', [c, new Tensor('string', [2], ['a', 'b']), new Tensor('string', [2], ['c', 'd'])]).data).toEqual(['c', 'b']);
  });
});
