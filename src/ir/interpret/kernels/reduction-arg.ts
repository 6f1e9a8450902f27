// Reference kernels: arg_max, arg_min.
import { isBigInt } from '../../dtype.js';
import type { Attrs } from '../../graph.js';
import { normalizeAxis, reducedShape } from '../../ops/reduction.js';
import { Tensor } from '../../tensor.js';
import { defineKernel } from '../registry.js';
import { splitAtAxis } from './reduction-layout.js';

/**
 * Scans `extent` rows of `inner` values. A NaN counts as the extreme (NumPy's rule): the first
 * NaN wins, or the last with `last`. Ties go to the first index, or the last with `last`.
 */
function scan<T extends number | bigint>(
  src: ArrayLike<T>, best: { [i: number]: T }, bestIdx: BigInt64Array,
  base: number, outBase: number, extent: number, inner: number, max: boolean, last: boolean,
): void {
  for (let i = 0; i < inner; i++) {
    best[i] = src[base + i]!;
    bestIdx[outBase + i] = 0n;
  }
  for (let a = 1; a < extent; a++) {
    const row = base + a * inner;
    for (let i = 0; i < inner; i++) {
      const v = src[row + i]!;
      const b = best[i]!;
      let take: boolean;
      if (v !== v) take = last || b === b;
      else if (b !== b) take = false;
      else take = max ? (last ? v >= b : v > b) : (last ? v <= b : v < b);
      if (take) {
        best[i] = v;
        bestIdx[outBase + i] = BigInt(a);
      }
    }
  }
}

function argKernel(max: boolean) {
  return (inputs: readonly (Tensor | null)[], attrs: Attrs): Tensor[] => {
    const x = inputs[0]!;
    const axis = normalizeAxis(Number(attrs['axis'] ?? 0), x.rank);
    const keepdims = (attrs['keepdims'] ?? 1) !== 0;
    const last = attrs['select_last_index'] === 1;
    const { outer, extent, inner } = splitAtAxis(x.shape, axis);
    const outShape = reducedShape(x.shape, [axis], keepdims, 1);
    const out = Tensor.zeros('i64', outShape);
    if (outer * inner === 0) return [out];
    if (extent === 0) throw new Error(`${max ? 'arg_max' : 'arg_min'} over an empty axis`);
    const idx = out.data as BigInt64Array;
    const big = isBigInt(x.dtype);
    const src = big ? (x.data as BigInt64Array) : x.toFloat64();
    const best = x.dtype === 'u64' ? new BigUint64Array(inner) : big ? new BigInt64Array(inner) : new Float64Array(inner);
    for (let o = 0; o < outer; o++) {
      if (big) {
        scan(src as BigInt64Array, best as BigInt64Array, idx, o * extent * inner, o * inner, extent, inner, max, last);
      } else {
        scan(src as Float64Array, best as Float64Array, idx, o * extent * inner, o * inner, extent, inner, max, last);
      }
    }
    return [out];
  };
}

defineKernel('arg_max', argKernel(true));
defineKernel('arg_min', argKernel(false));
