// Reference kernels: max_pool (with optional argmax indices), avg_pool, lp_pool, max_unpool.
import type { Attrs } from '../../graph.js';
import { intsAttr, numAttr, resolveWindow, unpoolDim, windowAttrs, type Window } from '../../ops/linalg.js';
import { stridesOf, Tensor } from '../../tensor.js';
import { staticSize } from '../../types.js';
import { defineKernel } from '../registry.js';
import { tensorFromF64 } from './linalg-util.js';
import { tapTable } from './linalg-window.js';

interface PoolPlan {
  planes: number;
  inSp: number[];
  out: number[];
  pads: number[];
  win: Window;
  /** tapTable over (kernel tap, output position) into the input plane. */
  table: Int32Array;
  taps: number;
  positions: number;
  planeSize: number;
}

function planPool(x: Tensor, attrs: Attrs): PoolPlan {
  const [n, c, ...inSp] = x.shape as number[];
  const kernel = intsAttr(attrs, 'kernel_shape', []);
  if (inSp.length === 0 || kernel.length !== inSp.length) throw new Error('pool kernel_shape does not match the input rank');
  const win = windowAttrs(attrs, kernel);
  const { pads, out } = resolveWindow(inSp, win);
  const table = tapTable(kernel, out, inSp, (i, k, o) => o * win.strides[i]! - pads[i]! + k * win.dilations[i]!);
  return {
    planes: n! * c!, inSp, out, pads, win, table,
    taps: staticSize(kernel), positions: staticSize(out), planeSize: staticSize(inSp),
  };
}

/** Row-major offset within a plane → column-major offset (MaxPool storage_order = 1). */
function toColumnMajor(t: number, dims: readonly number[]): number {
  let col = 0;
  let colStride = 1;
  let rest = t;
  const coords = new Array<number>(dims.length);
  for (let i = dims.length - 1; i >= 0; i--) {
    coords[i] = rest % dims[i]!;
    rest = Math.floor(rest / dims[i]!);
  }
  for (let i = 0; i < dims.length; i++) {
    col += coords[i]! * colStride;
    colStride *= dims[i]!;
  }
  return col;
}

export function maxPool(x: Tensor, attrs: Attrs, withIndices: boolean): Tensor[] {
  const pl = planPool(x, attrs);
  const colMajor = numAttr(attrs, 'storage_order', 0) === 1;
  const xd = x.toFloat64();
  const { positions: p, taps, table, planeSize } = pl;
  const y = new Float64Array(pl.planes * p);
  const idx = withIndices ? new BigInt64Array(pl.planes * p) : undefined;
  const best = new Float64Array(p);
  const arg = new Int32Array(p);
  for (let plane = 0; plane < pl.planes; plane++) {
    const base = plane * planeSize;
    best.fill(-Infinity);
    arg.fill(-1);
    for (let kk = 0; kk < taps; kk++) {
      const tb = kk * p;
      for (let q = 0; q < p; q++) {
        const t = table[tb + q]!;
        if (t < 0) continue;
        const v = xd[base + t]!;
        if (v > best[q]! || arg[q]! < 0) {
          best[q] = v;
          arg[q] = t;
        }
      }
    }
    y.set(best, plane * p);
    if (idx) {
      for (let q = 0; q < p; q++) {
        const t = arg[q]!;
        idx[plane * p + q] = t < 0 ? -1n : BigInt(base + (colMajor ? toColumnMajor(t, pl.inSp) : t));
      }
    }
  }
  const shape = [...x.shape.slice(0, 2), ...pl.out];
  const out = [tensorFromF64(x.dtype, shape, y)];
  if (idx) out.push(new Tensor('i64', shape, idx));
  return out;
}

export function avgPool(x: Tensor, attrs: Attrs): Tensor {
  const pl = planPool(x, attrs);
  const includePad = numAttr(attrs, 'count_include_pad', 0) !== 0;
  const { positions: p, taps, table, planeSize, win, pads } = pl;
  const nd = win.kernel.length;
  // Divisors: taps inside the input, or inside the padded input when padding counts.
  const divisor = new Float64Array(p);
  const counted = includePad
    ? tapTable(win.kernel, pl.out, pl.inSp.map((d, i) => d + pads[i]! + pads[i + nd]!), (i, k, o) => o * win.strides[i]! + k * win.dilations[i]!)
    : table;
  for (let kk = 0; kk < taps; kk++) for (let q = 0; q < p; q++) if (counted[kk * p + q]! >= 0) divisor[q]!++;
  const xd = x.toFloat64();
  const y = new Float64Array(pl.planes * p);
  for (let plane = 0; plane < pl.planes; plane++) {
    const base = plane * planeSize;
    const ob = plane * p;
    for (let kk = 0; kk < taps; kk++) {
      const tb = kk * p;
      for (let q = 0; q < p; q++) {
        const t = table[tb + q]!;
        if (t >= 0) y[ob + q]! += xd[base + t]!;
      }
    }
    for (let q = 0; q < p; q++) y[ob + q] = divisor[q]! > 0 ? y[ob + q]! / divisor[q]! : 0;
  }
  return tensorFromF64(x.dtype, [...x.shape.slice(0, 2), ...pl.out], y);
}

export function lpPool(x: Tensor, attrs: Attrs): Tensor {
  const pl = planPool(x, attrs);
  const pw = numAttr(attrs, 'p', 2);
  const { positions: p, taps, table, planeSize } = pl;
  const xd = x.toFloat64();
  const y = new Float64Array(pl.planes * p);
  for (let plane = 0; plane < pl.planes; plane++) {
    const base = plane * planeSize;
    const ob = plane * p;
    for (let kk = 0; kk < taps; kk++) {
      const tb = kk * p;
      for (let q = 0; q < p; q++) {
        const t = table[tb + q]!;
        if (t >= 0) y[ob + q]! += Math.abs(xd[base + t]!) ** pw;
      }
    }
    for (let q = 0; q < p; q++) y[ob + q] = y[ob + q]! ** (1 / pw);
  }
  return tensorFromF64(x.dtype, [...x.shape.slice(0, 2), ...pl.out], y);
}

/**
 * Scatters values to the flat positions their indices name. Indices address the default
 * unpooled shape; an explicit larger output_shape keeps each element's coordinates (as the ONNX
 * reference does), so indices are remapped when the two shapes differ.
 */
export function maxUnpool(x: Tensor, indices: Tensor, outputShape: Tensor | null, attrs: Attrs): Tensor {
  if (indices.size !== x.size) throw new Error('max_unpool indices and values differ in size');
  const [n, c, ...inSp] = x.shape as number[];
  const win = windowAttrs(attrs, intsAttr(attrs, 'kernel_shape', []));
  const natural = [n!, c!, ...inSp.map((d, i) => unpoolDim(d, win, i))];
  const shape = outputShape ? outputShape.toNumbers() : natural;
  if (shape.length !== natural.length) throw new Error('max_unpool output_shape has the wrong rank');
  const y = Tensor.zeros(x.dtype, shape);
  const src = x.data as unknown as unknown[];
  const dst = y.data as unknown as unknown[];
  const remap = shape.some((d, i) => d !== natural[i]);
  const yStrides = stridesOf(shape);
  const naturalSize = staticSize(natural);
  for (let i = 0; i < x.size; i++) {
    let j = indices.getNumber(i);
    if (j < 0 || j >= naturalSize) throw new Error(`max_unpool index ${j} outside the unpooled tensor of ${naturalSize} elements`);
    if (remap) {
      let flat = 0;
      for (let d = natural.length - 1; d >= 0; d--) {
        const coord = j % natural[d]!;
        j = Math.floor(j / natural[d]!);
        if (coord >= shape[d]!) throw new Error('max_unpool output_shape is smaller than the unpooled tensor');
        flat += coord * yStrides[d]!;
      }
      j = flat;
    }
    dst[j] = src[i];
  }
  return y;
}

defineKernel('max_pool', ([x], attrs) => {
  if (!x) throw new Error('max_pool needs X');
  return maxPool(x, attrs, Boolean(attrs['with_indices']));
});

defineKernel('avg_pool', ([x], attrs) => {
  if (!x) throw new Error('avg_pool needs X');
  return [avgPool(x, attrs)];
});

defineKernel('lp_pool', ([x], attrs) => {
  if (!x) throw new Error('lp_pool needs X');
  return [lpPool(x, attrs)];
});

defineKernel('max_unpool', ([x, indices, outputShape], attrs) => {
  if (!x || !indices) throw new Error('max_unpool needs X and I');
  return [maxUnpool(x, indices, outputShape ?? null, attrs)];
});
