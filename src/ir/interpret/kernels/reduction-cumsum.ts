// Reference kernel: cum_sum.
import { isBigInt, type TypedArray } from '../../dtype.js';
import type { Attrs } from '../../graph.js';
import { normalizeAxis } from '../../ops/reduction.js';
import { Tensor } from '../../tensor.js';
import { defineKernel } from '../registry.js';
import { splitAtAxis } from './reduction-layout.js';

/**
 * Prefix sums along the axis; `exclusive` shifts by one (first is 0), `reverse` runs from the
 * end. Walks whole rows of `inner` contiguous elements with one running sum per column.
 */
function scanSums<T extends number | bigint>(
  src: ArrayLike<T>, dst: { [i: number]: T }, sums: { [i: number]: T; fill(v: T): unknown },
  zero: T, add: (a: T, b: T) => T,
  outer: number, extent: number, inner: number, exclusive: boolean, reverse: boolean,
): void {
  for (let o = 0; o < outer; o++) {
    sums.fill(zero);
    for (let step = 0; step < extent; step++) {
      const a = reverse ? extent - 1 - step : step;
      const row = (o * extent + a) * inner;
      for (let i = 0; i < inner; i++) {
        const v = src[row + i]!;
        if (exclusive) {
          dst[row + i] = sums[i]!;
          sums[i] = add(sums[i]!, v);
        } else {
          const s = add(sums[i]!, v);
          sums[i] = s;
          dst[row + i] = s;
        }
      }
    }
  }
}

defineKernel('cum_sum', (inputs, attrs: Attrs) => {
  const x = inputs[0]!;
  const axis = normalizeAxis(inputs[1]!.getNumber(0), x.rank);
  const exclusive = attrs['exclusive'] === 1;
  const reverse = attrs['reverse'] === 1;
  const { outer, extent, inner } = splitAtAxis(x.shape, axis);
  const out = Tensor.zeros(x.dtype, x.shape);
  if (isBigInt(x.dtype)) {
    scanSums(x.data as BigInt64Array, out.data as BigInt64Array, new BigInt64Array(inner), 0n, (a, b) => a + b, outer, extent, inner, exclusive, reverse);
    return [out];
  }
  const sums = new Float64Array(x.size);
  scanSums(x.toFloat64(), sums, new Float64Array(inner), 0, (a, b) => a + b, outer, extent, inner, exclusive, reverse);
  if (x.dtype === 'f16' || x.dtype === 'bf16') {
    for (let i = 0; i < sums.length; i++) out.setNumber(i, sums[i]!);
  } else {
    (out.data as Exclude<TypedArray, BigInt64Array | BigUint64Array>).set(sums);
  }
  return [out];
});
