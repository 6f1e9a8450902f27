// Tap tables: for sliding-window kernels (conv, pool), which element each (kernel tap, position)
// pair touches, precomputed once per call so the inner loops are plain array reads.
import { staticSize } from '../../types.js';

/**
 * Builds `table[kk * P + p]` for kernel taps kk (row-major over `kernel`) and positions p
 * (row-major over `positions`): the flat offset into a tensor of extent `target` at coordinate
 * `coord(dim, tap, position)` per dim, or -1 where that coordinate falls outside `target`.
 */
export function tapTable(
  kernel: readonly number[],
  positions: readonly number[],
  target: readonly number[],
  coord: (dim: number, tap: number, pos: number) => number,
): Int32Array {
  let table = new Int32Array([0]);
  let kPrefix = 1;
  let pPrefix = 1;
  let targetStride = staticSize(target);
  for (let i = 0; i < kernel.length; i++) {
    const kd = kernel[i]!;
    const od = positions[i]!;
    const extent = target[i]!;
    targetStride /= extent;
    const next = new Int32Array(kPrefix * kd * pPrefix * od);
    const nextP = pPrefix * od;
    for (let kk = 0; kk < kPrefix; kk++) {
      for (let k = 0; k < kd; k++) {
        const rowOut = (kk * kd + k) * nextP;
        for (let p = 0; p < pPrefix; p++) {
          const prev = table[kk * pPrefix + p]!;
          for (let o = 0; o < od; o++) {
            const c = coord(i, k, o);
            next[rowOut + p * od + o] = prev < 0 || c < 0 || c >= extent ? -1 : prev + c * targetStride;
          }
        }
      }
    }
    table = next;
    kPrefix *= kd;
    pPrefix = nextP;
  }
  return table;
}
