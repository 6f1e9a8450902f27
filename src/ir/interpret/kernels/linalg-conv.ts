// Reference kernels: conv (im2col + matmul per group) and conv_transpose (matmul + col2im).
// Accumulation is in f64, which is exact for the i32 integer-conv decomposition at sane sizes.
import type { Attrs } from '../../graph.js';
import { intsAttr, numAttr, resolveTransposeWindow, resolveWindow, transposeWindowAttrs, windowAttrs } from '../../ops/linalg.js';
import type { Tensor } from '../../tensor.js';
import { staticSize } from '../../types.js';
import { defineKernel } from '../registry.js';
import { tensorFromF64 } from './linalg-util.js';
import { tapTable } from './linalg-window.js';

function checkKernelShape(attrs: Attrs, kernel: readonly number[]): void {
  const k = intsAttr(attrs, 'kernel_shape', []);
  if (k.length > 0 && k.join(',') !== kernel.join(',')) {
    throw new Error(`kernel_shape [${k}] does not match the weight's [${kernel}]`);
  }
}

export function conv(x: Tensor, w: Tensor, bias: Tensor | null, attrs: Attrs): Tensor {
  const [n, c, ...inSp] = x.shape as number[];
  const [m, cg, ...kernel] = w.shape as number[];
  if (inSp.length === 0 || kernel.length !== inSp.length) throw new Error('conv input and weight ranks differ');
  checkKernelShape(attrs, kernel);
  const group = numAttr(attrs, 'group', 1);
  if (cg! * group !== c || m! % group !== 0) throw new Error(`conv channels ${c}/${m} do not split into ${group} groups of ${cg}`);
  const win = windowAttrs(attrs, kernel);
  const { pads, out } = resolveWindow(inSp, win);
  const table = tapTable(kernel, out, inSp, (i, k, o) => o * win.strides[i]! - pads[i]! + k * win.dilations[i]!);

  const kp = staticSize(kernel);
  const p = staticSize(out);
  const pin = staticSize(inSp);
  const mg = m! / group;
  const rows = cg! * kp;
  const xd = x.toFloat64();
  const wd = w.toFloat64();
  const bd = bias ? bias.toFloat64() : undefined;
  const col = new Float64Array(rows * p);
  const y = new Float64Array(n! * m! * p);
  for (let b = 0; b < n!; b++) {
    for (let g = 0; g < group; g++) {
      for (let ci = 0; ci < cg!; ci++) {
        const base = (b * c! + g * cg! + ci) * pin;
        for (let kk = 0; kk < kp; kk++) {
          const row = (ci * kp + kk) * p;
          const tb = kk * p;
          for (let q = 0; q < p; q++) {
            const t = table[tb + q]!;
            col[row + q] = t < 0 ? 0 : xd[base + t]!;
          }
        }
      }
      for (let mi = 0; mi < mg; mi++) {
        const oc = g * mg + mi;
        const orow = (b * m! + oc) * p;
        if (bd) y.fill(bd[oc]!, orow, orow + p);
        const wrow = oc * rows;
        for (let r = 0; r < rows; r++) {
          const wv = wd[wrow + r]!;
          if (wv === 0) continue;
          const crow = r * p;
          for (let q = 0; q < p; q++) y[orow + q]! += wv * col[crow + q]!;
        }
      }
    }
  }
  return tensorFromF64(x.dtype, [n!, m!, ...out], y);
}

export function convTranspose(x: Tensor, w: Tensor, bias: Tensor | null, attrs: Attrs): Tensor {
  const [n, c, ...inSp] = x.shape as number[];
  const [wc, mg, ...kernel] = w.shape as number[];
  if (inSp.length === 0 || kernel.length !== inSp.length) throw new Error('conv_transpose input and weight ranks differ');
  checkKernelShape(attrs, kernel);
  const group = numAttr(attrs, 'group', 1);
  if (wc !== c || c! % group !== 0) throw new Error(`conv_transpose channels ${c} do not match weight ${wc} in ${group} groups`);
  const win = transposeWindowAttrs(attrs, kernel);
  const { pads, out } = resolveTransposeWindow(inSp, win);
  const table = tapTable(kernel, inSp, out, (i, k, pos) => pos * win.strides[i]! + k * win.dilations[i]! - pads[i]!);

  const m = mg! * group;
  const cg = c! / group;
  const kp = staticSize(kernel);
  const pin = staticSize(inSp);
  const p = staticSize(out);
  const rows = mg! * kp;
  const xd = x.toFloat64();
  const wd = w.toFloat64();
  const bd = bias ? bias.toFloat64() : undefined;
  const col = new Float64Array(rows * pin);
  const y = new Float64Array(n! * m * p);
  for (let b = 0; b < n!; b++) {
    for (let g = 0; g < group; g++) {
      col.fill(0);
      for (let ci = 0; ci < cg; ci++) {
        const xbase = (b * c! + g * cg + ci) * pin;
        const wbase = (g * cg + ci) * rows;
        for (let r = 0; r < rows; r++) {
          const wv = wd[wbase + r]!;
          if (wv === 0) continue;
          const crow = r * pin;
          for (let q = 0; q < pin; q++) col[crow + q]! += wv * xd[xbase + q]!;
        }
      }
      for (let mi = 0; mi < mg!; mi++) {
        const oc = g * mg! + mi;
        const obase = (b * m + oc) * p;
        if (bd) y.fill(bd[oc]!, obase, obase + p);
        for (let kk = 0; kk < kp; kk++) {
          const crow = (mi * kp + kk) * pin;
          const tb = kk * pin;
          for (let q = 0; q < pin; q++) {
            const t = table[tb + q]!;
            if (t >= 0) y[obase + t]! += col[crow + q]!;
          }
        }
      }
    }
  }
  return tensorFromF64(x.dtype, [n!, m, ...out], y);
}

defineKernel('conv', ([x, w, bias], attrs) => {
  if (!x || !w) throw new Error('conv needs X and W');
  return [conv(x, w, bias ?? null, attrs)];
});

defineKernel('conv_transpose', ([x, w, bias], attrs) => {
  if (!x || !w) throw new Error('conv_transpose needs X and W');
  return [convTranspose(x, w, bias ?? null, attrs)];
});
