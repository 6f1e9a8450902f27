// Deterministic pseudo-random numbers and tensors for tests: the same seed gives the same data
// on every run and machine, so a failure can be reproduced.
import type { DType } from '../../src/ir/dtype.js';
import { Tensor } from '../../src/ir/tensor.js';

/** Uniform numbers in [0, 1) from the 32-bit linear congruential generator of Numerical Recipes, starting at state `seed`. */
export function lcg32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Uniform numbers in [0, 1) from a 31-bit linear congruential generator (the C library's `rand` constants). */
export function lcg31(seed: number): () => number {
  let s = seed * 7919 + 13;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

/**
 * A pseudo-random tensor. Floats are uniform in `range` ([lo, hi), or [-range, range) for a
 * number); i32/i64 are those values rounded; u8/i8 span their whole range (`range` unused).
 */
export function randomTensor(shape: readonly number[], seed = 1, range: number | readonly [number, number] = 2, dtype: DType = 'f32'): Tensor {
  const [lo, hi] = typeof range === 'number' ? [-range, range] : range;
  const next = lcg32(seed >>> 0 || 1);
  const u = Array.from({ length: shape.reduce((p, d) => p * d, 1) }, next);
  if (dtype === 'u8') return Tensor.fromNumbers(dtype, shape, u.map((x) => Math.floor(x * 2 * 127.99)));
  if (dtype === 'i8') return Tensor.fromNumbers(dtype, shape, u.map((x) => Math.floor((x * 2 - 1) * 127.99)));
  const v = u.map((x) => lo + x * (hi - lo));
  if (dtype === 'i32' || dtype === 'i64') return Tensor.fromNumbers(dtype, shape, v.map(Math.round));
  return Tensor.fromNumbers(dtype, shape, v);
}

export interface RandomOperandOptions {
  /** Integers are below `range` in magnitude (unsigned: in [0, range)). Default 10. */
  readonly range?: number;
  /** Floats are uniform in [lo, hi). Default [-2, 2]. */
  readonly floats?: readonly [number, number];
  /** 64-bit integers are scaled by 7919 (plus a jitter below 1000), so that their products overflow. */
  readonly wide64?: boolean;
}

/** A pseudo-random kernel operand of any numeric dtype; 64-bit signed values get random signs. */
export function randomOperand(dtype: DType, shape: readonly number[], seed: number, opts: RandomOperandOptions = {}): Tensor {
  const { range = 10, floats: [lo, hi] = [-2, 2], wide64 = false } = opts;
  const n = shape.reduce((a, d) => a * d, 1);
  const next = lcg32(seed);
  if (dtype === 'i64' || dtype === 'u64') {
    const vals = Array.from({ length: n }, () => {
      let v = BigInt(Math.floor(next() * range));
      if (wide64) v = v * 7919n + BigInt(Math.floor(next() * 1000));
      return dtype === 'i64' && next() < 0.5 ? -v : v;
    });
    return Tensor.fromBigInts(dtype, shape, vals);
  }
  const t = Tensor.zeros(dtype, shape);
  const signed = !dtype.startsWith('u');
  for (let i = 0; i < n; i++) {
    const u = next();
    if (dtype.startsWith('f') || dtype === 'bf16') t.setNumber(i, lo + u * (hi - lo));
    else t.setNumber(i, Math.floor(signed ? (u * 2 - 1) * range : u * range));
  }
  return t;
}
