// Fitting an operand's index to strides over loop coordinates: exact on small grids, sampled on
// large ones; piecewise (reshape-like) indices are refused unless the coordinates split there.
import { describe, expect, it } from 'vitest';
import { add, div, i32, mul, rem } from '../../../src/codegen/expr.js';
import type { Expr } from '../../../src/codegen/kernel-ir.js';
import { fitLinear } from '../../../src/codegen/strategies/access-fit.js';

const v = (name: string): Expr => ({ k: 'var', name, t: 'i32' });

describe('fitLinear', () => {
  it('finds the base and strides of a linear index', () => {
    const index = add(add(mul(v('m'), i32(384)), v('k')), i32(7));
    expect(fitLinear(index, [{ name: 'm', extent: 5 }, { name: 'k', extent: 9 }])).toEqual({ base: 7, coefs: [384, 1] });
  });

  it('refuses a reshape-like index, and fits it once the coordinate is split at the boundary', () => {
    // Element k of a row stored as [k / 32][m][k % 32] (attention heads merged back).
    const index = (k: Expr): Expr => add(add(mul(div(k, i32(32)), i32(4096)), mul(v('m'), i32(32))), rem(k, i32(32)));
    expect(fitLinear(index(v('k')), [{ name: 'm', extent: 128 }, { name: 'k', extent: 384 }])).toBeUndefined();
    const split = index(add(mul(v('kc'), i32(32)), v('ki')));
    expect(fitLinear(split, [{ name: 'm', extent: 128 }, { name: 'kc', extent: 12 }, { name: 'ki', extent: 32 }])).toEqual({ base: 0, coefs: [32, 4096, 1] });
  });

  it('checks large grids on a sample that still sees a piecewise index', () => {
    const linear = add(mul(v('n'), i32(4096)), v('k'));
    const coords = [{ name: 'n', extent: 4096 }, { name: 'k', extent: 4096 }];
    expect(fitLinear(linear, coords)).toEqual({ base: 0, coefs: [4096, 1] });
    const piecewise = add(mul(div(v('n'), i32(1000)), i32(7)), v('k'));
    expect(fitLinear(piecewise, coords)).toBeUndefined();
  });

  it('pins variables that are not coordinates', () => {
    const index = add(mul(v('b'), i32(100)), v('i'));
    expect(fitLinear(index, [{ name: 'i', extent: 10 }], new Map([['b', 3]]))).toEqual({ base: 300, coefs: [1] });
  });
});
