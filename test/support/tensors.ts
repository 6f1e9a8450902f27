// Short constructors for test tensors written out by hand.
import { Tensor } from '../../src/ir/tensor.js';

export function i64(shape: readonly number[], values: readonly number[]): Tensor {
  return Tensor.fromBigInts('i64', shape, values.map((v) => BigInt(v)));
}

export function f32(shape: readonly number[], values: readonly number[]): Tensor {
  return Tensor.fromNumbers('f32', shape, values);
}
