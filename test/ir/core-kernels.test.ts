import { describe, expect, it } from 'vitest';
import { getKernel } from '../../src/ir/interpret/registry.js';
import '../../src/ir/interpret/interpreter.js';
import type { DType } from '../../src/ir/dtype.js';
import { Tensor } from '../../src/ir/tensor.js';

function cast(x: Tensor, to: DType): Tensor {
  const node = { id: 0, op: 'cast', inputs: [], outputs: [], attrs: { to }, regions: [] };
  return getKernel('cast')!([x], { to }, { node, runRegion: () => [] })[0]!;
}

describe('cast kernel', () => {
  it('truncates floats toward zero for integer targets', () => {
    const x = Tensor.fromNumbers('f32', [4], [1.9, -1.9, 0.5, -0.5]);
    expect(Array.from(cast(x, 'i32').data as Int32Array)).toEqual([1, -1, 0, 0]);
    expect(Array.from(cast(x, 'i64').data as BigInt64Array)).toEqual([1n, -1n, 0n, 0n]);
  });

  it('maps to bool as x != 0, NaN included', () => {
    const x = Tensor.fromNumbers('f64', [4], [0, -0, NaN, 3]);
    expect(cast(x, 'bool').toNumbers()).toEqual([0, 0, 1, 1]);
    expect(cast(Tensor.fromBigInts('i64', [2], [0n, 5n]), 'bool').toNumbers()).toEqual([0, 1]);
  });

  it('rounds to nearest even for f16 and keeps int64 exact', () => {
    // 1 + 2^-11 is halfway between f16 neighbours 1 and 1 + 2^-10: ties to even → 1.
    const x = Tensor.fromNumbers('f32', [2], [1 + 2 ** -11, 1 + 3 * 2 ** -11]);
    expect(cast(x, 'f16').toNumbers()).toEqual([1, 1 + 2 * 2 ** -10]);
    const big = Tensor.fromBigInts('i64', [1], [2n ** 60n + 1n]);
    expect(Array.from(cast(big, 'u64').data as BigUint64Array)).toEqual([2n ** 60n + 1n]);
    expect(Array.from(cast(Tensor.fromBigInts('i64', [1], [-1n]), 'u8').data as Uint8Array)).toEqual([255]);
  });

  it('parses and prints strings', () => {
    const s = new Tensor('string', [4], ['1.5', 'NaN', '-INF', '+INF']);
    const f = cast(s, 'f32').toNumbers();
    expect(f[0]).toBe(1.5);
    expect(f[1]).toBeNaN();
    expect(f.slice(2)).toEqual([-Infinity, Infinity]);
    expect(cast(Tensor.fromNumbers('f32', [3], [0.1, 1e-5, 2]), 'string').data).toEqual(['0.1', '1e-05', '2.0']);
  });
});

describe('shape, size and constant_of_shape kernels', () => {
  const run = (op: string, inputs: Tensor[], attrs: Record<string, unknown>) =>
    getKernel(op)!(inputs, attrs as never, { node: { id: 0, op, inputs: [], outputs: [], attrs: {}, regions: [] }, runRegion: () => [] })[0]!;

  it('shape honours start/end with negative and clamped bounds', () => {
    const x = Tensor.zeros('f32', [2, 3, 4]);
    expect(Array.from(run('shape', [x], { start: 0, end: null }).data as BigInt64Array)).toEqual([2n, 3n, 4n]);
    expect(Array.from(run('shape', [x], { start: -2, end: 10 }).data as BigInt64Array)).toEqual([3n, 4n]);
    expect(run('shape', [x], { start: 2, end: 1 }).shape).toEqual([0]);
    expect(Array.from(run('size', [x], {}).data as BigInt64Array)).toEqual([24n]);
  });

  it('constant_of_shape fills with the value of its dtype', () => {
    const t = run('constant_of_shape', [Tensor.fromBigInts('i64', [2], [2n, 2n])], { value: Tensor.fromBigInts('i64', [1], [7n]) });
    expect(t.dtype).toBe('i64');
    expect(Array.from(t.data as BigInt64Array)).toEqual([7n, 7n, 7n, 7n]);
    expect(run('constant_of_shape', [Tensor.fromBigInts('i64', [1], [0n])], { value: Tensor.fromNumbers('f32', [1], [1]) }).shape).toEqual([0]);
  });
});
