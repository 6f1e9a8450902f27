// Reference kernels: roi_align and max_roi_pool.
import { attrFloat, attrInt, attrInts, attrString } from '../../ops/special-util.js';
import { ROI_ALIGN_COORDINATE_MODES, ROI_ALIGN_MODES } from '../../ops/special-vision.js';
import { defineKernel } from '../registry.js';
import { operand, tensorFromFloat64 } from './special-util.js';

/**
 * Bilinear taps of the sampling points of one RoI: for every output cell and every sample in it,
 * four flat offsets into an H×W plane and their weights (all zero for points off the map).
 */
function samplingTaps(
  height: number, width: number, outH: number, outW: number, gridH: number, gridW: number,
  startH: number, startW: number, binH: number, binW: number,
): { pos: Int32Array; weight: Float64Array } {
  const n = outH * outW * gridH * gridW;
  const pos = new Int32Array(n * 4);
  const weight = new Float64Array(n * 4);
  let k = 0;
  for (let ph = 0; ph < outH; ph++) {
    for (let pw = 0; pw < outW; pw++) {
      for (let iy = 0; iy < gridH; iy++) {
        const y = startH + ph * binH + ((iy + 0.5) * binH) / gridH;
        for (let ix = 0; ix < gridW; ix++, k += 4) {
          let x = startW + pw * binW + ((ix + 0.5) * binW) / gridW;
          if (y < -1 || y > height || x < -1 || x > width) continue; // taps stay 0
          let yy = Math.max(y, 0);
          x = Math.max(x, 0);
          let yLow = Math.trunc(yy);
          let xLow = Math.trunc(x);
          let yHigh: number, xHigh: number;
          if (yLow >= height - 1) {
            yHigh = yLow = height - 1;
            yy = yLow;
          } else {
            yHigh = yLow + 1;
          }
          if (xLow >= width - 1) {
            xHigh = xLow = width - 1;
            x = xLow;
          } else {
            xHigh = xLow + 1;
          }
          const ly = yy - yLow;
          const lx = x - xLow;
          const hy = 1 - ly;
          const hx = 1 - lx;
          pos[k] = yLow * width + xLow;
          pos[k + 1] = yLow * width + xHigh;
          pos[k + 2] = yHigh * width + xLow;
          pos[k + 3] = yHigh * width + xHigh;
          weight[k] = hy * hx;
          weight[k + 1] = hy * lx;
          weight[k + 2] = ly * hx;
          weight[k + 3] = ly * lx;
        }
      }
    }
  }
  return { pos, weight };
}

defineKernel('roi_align', (inputs, attrs) => {
  const xT = operand(inputs[0], 'X');
  const roisT = operand(inputs[1], 'rois');
  const batchT = operand(inputs[2], 'batch_indices');
  const [batches, channels, height, width] = xT.shape as [number, number, number, number];
  const numRois = roisT.shape[0]!;
  if (roisT.shape[1] !== 4) throw new Error(`rois must be [num_rois, 4], got [${roisT.shape.join(',')}]`);
  if (batchT.size !== numRois) throw new Error(`batch_indices has ${batchT.size} entries for ${numRois} rois`);
  const mode = attrString(attrs, 'mode', ROI_ALIGN_MODES, 'avg');
  const halfPixel = attrString(attrs, 'coordinate_transformation_mode', ROI_ALIGN_COORDINATE_MODES, 'half_pixel') === 'half_pixel';
  const outH = attrInt(attrs, 'output_height', 1);
  const outW = attrInt(attrs, 'output_width', 1);
  const samplingRatio = attrInt(attrs, 'sampling_ratio', 0);
  const scale = attrFloat(attrs, 'spatial_scale', 1);
  const x = xT.toFloat64();
  const rois = roisT.toFloat64();
  const out = new Float64Array(numRois * channels * outH * outW);
  const plane = height * width;
  const offset = halfPixel ? 0.5 : 0;

  for (let r = 0; r < numRois; r++) {
    const batch = batchT.getNumber(r);
    if (!(batch >= 0 && batch < batches)) throw new Error(`batch index ${batch} out of range [0, ${batches})`);
    const startW = rois[r * 4]! * scale - offset;
    const startH = rois[r * 4 + 1]! * scale - offset;
    let roiW = rois[r * 4 + 2]! * scale - offset - startW;
    let roiH = rois[r * 4 + 3]! * scale - offset - startH;
    if (!halfPixel) {
      // The legacy mode forces malformed RoIs to be at least 1×1.
      roiW = Math.max(roiW, 1);
      roiH = Math.max(roiH, 1);
    }
    const binH = roiH / outH;
    const binW = roiW / outW;
    // Empty or inverted RoIs (possible with half_pixel) sample nothing and give 0.
    const gridH = samplingRatio > 0 ? samplingRatio : Math.max(0, Math.ceil(roiH / outH));
    const gridW = samplingRatio > 0 ? samplingRatio : Math.max(0, Math.ceil(roiW / outW));
    const count = Math.max(gridH * gridW, 1);
    const { pos, weight } = samplingTaps(height, width, outH, outW, gridH, gridW, startH, startW, binH, binW);
    const samplesPerCell = gridH * gridW * 4;

    for (let c = 0; c < channels; c++) {
      const base = (batch * channels + c) * plane;
      const o = (r * channels + c) * outH * outW;
      for (let cell = 0; cell < outH * outW; cell++) {
        const t0 = cell * samplesPerCell;
        let acc = 0;
        if (mode === 'avg') {
          for (let t = t0; t < t0 + samplesPerCell; t++) acc += weight[t]! * x[base + pos[t]!]!;
          acc /= count;
        } else {
          // Max mode takes the largest weighted corner (what onnxruntime and the ONNX reference do).
          acc = -Infinity;
          for (let t = t0; t < t0 + samplesPerCell; t += 4) {
            const v = Math.max(
              weight[t]! * x[base + pos[t]!]!, weight[t + 1]! * x[base + pos[t + 1]!]!,
              weight[t + 2]! * x[base + pos[t + 2]!]!, weight[t + 3]! * x[base + pos[t + 3]!]!,
            );
            if (v > acc) acc = v;
          }
          if (samplesPerCell === 0) acc = 0;
        }
        out[o + cell] = acc;
      }
    }
  }
  return [tensorFromFloat64(xT.dtype, [numRois, channels, outH, outW], out)];
});

/** C++ std::round: halves away from zero. */
function roundHalfAway(v: number): number {
  return v < 0 ? -Math.round(-v) : Math.round(v);
}

defineKernel('max_roi_pool', (inputs, attrs) => {
  const xT = operand(inputs[0], 'X');
  const roisT = operand(inputs[1], 'rois');
  const [batches, channels, height, width] = xT.shape as [number, number, number, number];
  const numRois = roisT.shape[0]!;
  if (roisT.shape[1] !== 5) throw new Error(`rois must be [num_rois, 5], got [${roisT.shape.join(',')}]`);
  const [pooledH, pooledW] = attrInts(attrs, 'pooled_shape') as [number, number];
  const scale = attrFloat(attrs, 'spatial_scale', 1);
  const x = xT.toFloat64();
  const rois = roisT.toFloat64();
  const out = new Float64Array(numRois * channels * pooledH * pooledW);

  for (let r = 0; r < numRois; r++) {
    const batch = rois[r * 5]!;
    if (!(batch >= 0 && batch < batches)) throw new Error(`roi batch index ${batch} out of range [0, ${batches})`);
    const startW = roundHalfAway(rois[r * 5 + 1]! * scale);
    const startH = roundHalfAway(rois[r * 5 + 2]! * scale);
    const endW = roundHalfAway(rois[r * 5 + 3]! * scale);
    const endH = roundHalfAway(rois[r * 5 + 4]! * scale);
    const binH = Math.max(endH - startH + 1, 1) / pooledH;
    const binW = Math.max(endW - startW + 1, 1) / pooledW;
    for (let c = 0; c < channels; c++) {
      const base = (Math.trunc(batch) * channels + c) * height * width;
      for (let ph = 0; ph < pooledH; ph++) {
        const h0 = Math.min(Math.max(Math.floor(ph * binH) + startH, 0), height);
        const h1 = Math.min(Math.max(Math.ceil((ph + 1) * binH) + startH, 0), height);
        for (let pw = 0; pw < pooledW; pw++) {
          const w0 = Math.min(Math.max(Math.floor(pw * binW) + startW, 0), width);
          const w1 = Math.min(Math.max(Math.ceil((pw + 1) * binW) + startW, 0), width);
          let m = h1 <= h0 || w1 <= w0 ? 0 : -Infinity;
          for (let h = h0; h < h1; h++) {
            for (let w = w0; w < w1; w++) {
              const v = x[base + h * width + w]!;
              if (v > m) m = v;
            }
          }
          out[((r * channels + c) * pooledH + ph) * pooledW + pw] = m;
        }
      }
    }
  }
  return [tensorFromFloat64(xT.dtype, [numRois, channels, pooledH, pooledW], out)];
});
