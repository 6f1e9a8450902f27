// Reference kernel: determinant of the trailing square matrices, by LU with partial pivoting.
import type { Tensor } from '../../tensor.js';
import { staticSize } from '../../types.js';
import { defineKernel } from '../registry.js';
import { tensorFromF64 } from './linalg-util.js';

/** Determinant of the n×n matrix at `a[off..]`; `work` is scratch of n*n elements. */
function detOf(a: Float64Array, off: number, n: number, work: Float64Array): number {
  work.set(a.subarray(off, off + n * n));
  let det = 1;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(work[r * n + col]!) > Math.abs(work[pivot * n + col]!)) pivot = r;
    const pv = work[pivot * n + col]!;
    if (pv === 0) return 0;
    if (pivot !== col) {
      for (let j = 0; j < n; j++) {
        const t = work[col * n + j]!;
        work[col * n + j] = work[pivot * n + j]!;
        work[pivot * n + j] = t;
      }
      det = -det;
    }
    det *= pv;
    for (let r = col + 1; r < n; r++) {
      const f = work[r * n + col]! / pv;
      if (f === 0) continue;
      for (let j = col + 1; j < n; j++) work[r * n + j]! -= f * work[col * n + j]!;
    }
  }
  return det;
}

export function det(x: Tensor): Tensor {
  const r = x.rank;
  const n = x.shape[r - 1]!;
  if (r < 2 || x.shape[r - 2] !== n) throw new Error('det needs square matrices');
  const batch = x.shape.slice(0, -2);
  const count = staticSize(batch);
  const xd = x.toFloat64();
  const work = new Float64Array(n * n);
  const out = new Float64Array(count);
  for (let b = 0; b < count; b++) out[b] = detOf(xd, b * n * n, n, work);
  return tensorFromF64(x.dtype, batch, out);
}

defineKernel('det', ([x]) => {
  if (!x) throw new Error('det needs X');
  return [det(x)];
});
