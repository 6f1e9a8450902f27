// Reference kernel: top_k.
import { isBigInt } from '../../dtype.js';
import type { Attrs } from '../../graph.js';
import { normalizeAxis } from '../../ops/reduction.js';
import { Tensor } from '../../tensor.js';
import { defineKernel } from '../registry.js';
import { splitAtAxis } from './reduction-layout.js';

/**
 * Whether value `a` (at position p) goes before `b` (at q): larger first (smaller with
 * !largest), NaN counting as the largest like NumPy's sort, equal values by lower position.
 */
function before<T extends number | bigint>(a: T, p: number, b: T, q: number, largest: boolean): boolean {
  const an = a !== a;
  const bn = b !== b;
  if (an || bn) return an && bn ? p < q : an === largest;
  if (a === b) return p < q;
  return largest ? a > b : a < b;
}

/**
 * Fills `order[0..k)` with the positions of the first k elements of `line` in output order.
 * Small k keeps a sorted buffer (most elements are rejected by one comparison with the k-th);
 * large k sorts all positions.
 */
function selectTopK<T extends number | bigint>(line: ArrayLike<T>, order: Int32Array, k: number, largest: boolean): void {
  const n = line.length;
  if (k * 8 >= n) {
    for (let a = 0; a < n; a++) order[a] = a;
    const sorted = order.subarray(0, n).sort((p, q) => (before(line[p]!, p, line[q]!, q, largest) ? -1 : 1));
    order.set(sorted.subarray(0, k));
    return;
  }
  let filled = 0;
  for (let a = 0; a < n; a++) {
    const v = line[a]!;
    if (filled === k) {
      const lastPos = order[k - 1]!;
      if (!before(v, a, line[lastPos]!, lastPos, largest)) continue;
      filled--;
    }
    let j = filled;
    while (j > 0 && before(v, a, line[order[j - 1]!]!, order[j - 1]!, largest)) {
      order[j] = order[j - 1]!;
      j--;
    }
    order[j] = a;
    filled++;
  }
}

defineKernel('top_k', (inputs, attrs: Attrs) => {
  const x = inputs[0]!;
  const axis = normalizeAxis(Number(attrs['axis'] ?? -1), x.rank);
  const largest = (attrs['largest'] ?? 1) !== 0;
  const { outer, extent, inner } = splitAtAxis(x.shape, axis);
  const k = Number(inputs[1]!.getBigInt(0));
  if (k < 0 || k > extent) throw new Error(`k = ${k} is out of range for axis extent ${extent}`);
  const outShape = x.shape.map((d, i) => (i === axis ? k : d));
  const values = Tensor.zeros(x.dtype, outShape);
  const indices = Tensor.zeros('i64', outShape);
  const idxOut = indices.data as BigInt64Array;
  const big = isBigInt(x.dtype);
  const src: ArrayLike<number | bigint> = big ? (x.data as BigInt64Array) : x.toFloat64();
  // Raw storage on both sides, so values copy bit-exactly whatever the dtype.
  const srcData = x.data as { [i: number]: unknown };
  const dstData = values.data as { [i: number]: unknown };

  // One scratch line of values and positions, reused for every (outer, inner) line.
  const order = new Int32Array(extent);
  const line = x.dtype === 'u64' ? new BigUint64Array(extent) : big ? new BigInt64Array(extent) : new Float64Array(extent);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * extent * inner + i;
      for (let a = 0; a < extent; a++) line[a] = src[base + a * inner]!;
      if (big) selectTopK(line as BigInt64Array, order, k, largest);
      else selectTopK(line as Float64Array, order, k, largest);
      const outBase = o * k * inner + i;
      for (let j = 0; j < k; j++) {
        const from = base + order[j]! * inner;
        const to = outBase + j * inner;
        dstData[to] = srcData[from];
        idxOut[to] = BigInt(order[j]!);
      }
    }
  }
  return [values, indices];
});
