import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/ir/tensor.js';
import { compareTensors } from './compare.js';
import { diffStatuses, formatStatusMap } from './status-file.js';

const f32 = (values: number[]): Tensor => Tensor.fromNumbers('f32', [values.length], values);

describe('compareTensors', () => {
  it('accepts float differences within atol + rtol * |expected|', () => {
    // f32: rtol 1e-3, atol 1e-7 → for expected 100 the bound is 0.1000001.
    expect(compareTensors(f32([100.09]), f32([100])).ok).toBe(true);
    expect(compareTensors(f32([100.2]), f32([100])).ok).toBe(false);
    expect(compareTensors(f32([5e-8]), f32([0])).ok).toBe(true);
    expect(compareTensors(f32([2e-7]), f32([0])).ok).toBe(false);
  });

  it('treats NaN as equal to NaN and infinities as exact', () => {
    expect(compareTensors(f32([NaN, Infinity]), f32([NaN, Infinity])).ok).toBe(true);
    expect(compareTensors(f32([1]), f32([NaN])).ok).toBe(false);
    expect(compareTensors(f32([-Infinity]), f32([Infinity])).ok).toBe(false);
    expect(compareTensors(f32([1e38]), f32([Infinity])).ok).toBe(false);
  });

  it('reports the largest errors and the first bad element', () => {
    const r = compareTensors(f32([1, 2.5, 3]), f32([1, 2, 4]));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.maxAbsError).toBe(1);
    expect(r.maxRelError).toBe(0.25);
    expect(r.reason).toContain('2 of 3 elements');
    expect(r.reason).toContain('first at [1]: got 2.5, expected 2');
  });

  it('requires exact dtypes, shapes and integer values', () => {
    expect(compareTensors(f32([1]), Tensor.fromNumbers('f64', [1], [1])).ok).toBe(false);
    expect(compareTensors(f32([1, 2]), Tensor.fromNumbers('f32', [1, 2], [1, 2])).ok).toBe(false);
    expect(compareTensors(Tensor.fromNumbers('i32', [1], [3]), Tensor.fromNumbers('i32', [1], [4])).ok).toBe(false);
    const big = 2n ** 62n;
    const i64 = (v: bigint): Tensor => Tensor.fromBigInts('i64', [1], [v]);
    expect(compareTensors(i64(big + 1n), i64(big)).ok).toBe(false);
    expect(compareTensors(i64(big), i64(big)).ok).toBe(true);
  });

  it('gives f16 a looser bound than f32', () => {
    const h = (v: number): Tensor => Tensor.fromNumbers('f16', [1], [v]);
    expect(compareTensors(h(1.005), h(1)).ok).toBe(true);
    expect(compareTensors(f32([1.005]), f32([1])).ok).toBe(false);
  });
});

describe('compareTensors on random outputs', () => {
  it('compares only elements nonzero on both sides', () => {
    const random = { random: true };
    expect(compareTensors(f32([0, 1, 2, 0]), f32([1, 0, 2, 0]), random).ok).toBe(true);
    expect(compareTensors(f32([0, 1, 3]), f32([1, 0, 2]), random).ok).toBe(false);
    expect(compareTensors(f32([1, 1]), f32([1, 1, 1]), random).ok).toBe(false);
  });
});

describe('status files', () => {
  it('finds regressions and unexpected passes', () => {
    const committed = { a: { status: 'pass' as const }, b: { status: 'fail' as const }, c: { status: 'error' as const } };
    const fresh = { a: { status: 'error' as const }, b: { status: 'pass' as const }, c: { status: 'error' as const }, d: { status: 'pass' as const } };
    expect(diffStatuses(committed, fresh)).toEqual({ regressions: ['a'], unexpectedPasses: ['b', 'd'] });
  });

  it('formats deterministically: sorted keys, fixed field order', () => {
    const text = formatStatusMap({ z: { message: 'm', status: 'fail', maxAbsError: 1 }, a: { status: 'pass' } });
    expect(text).toBe('{\n  "a": {"status":"pass"},\n  "z": {"status":"fail","maxAbsError":1,"message":"m"}\n}\n');
  });
});
