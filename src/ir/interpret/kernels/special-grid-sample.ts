// Reference kernel: grid_sample over any number of spatial dims (nearest, linear, cubic), with the
// coordinate conventions of PyTorch/onnxruntime: the grid's last axis lists coordinates innermost
// dim first (x, y, z...), normalised to [-1, 1].
import { attrInt, attrString } from '../../ops/special-util.js';
import { GRID_SAMPLE_MODES, GRID_SAMPLE_PADDING_MODES } from '../../ops/special-vision.js';
import { defineKernel } from '../registry.js';
import { operand, tensorFromFloat64 } from './special-util.js';

type Padding = (typeof GRID_SAMPLE_PADDING_MODES)[number];

const CUBIC_ALPHA = -0.75;

/** Reflects `x` at the borders until it lies within [lo, hi]. */
function reflect(x: number, lo: number, hi: number): number {
  const range = hi - lo;
  if (range <= 0) return lo;
  if (x < lo) {
    const dx = lo - x;
    const n = Math.trunc(dx / range);
    const r = dx - n * range;
    return n % 2 === 0 ? lo + r : hi - r;
  }
  if (x > hi) {
    const dx = x - hi;
    const n = Math.trunc(dx / range);
    const r = dx - n * range;
    return n % 2 === 0 ? hi - r : lo + r;
  }
  return x;
}

/** nearbyint: halves to even. */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** std::round: halves away from zero. */
function roundHalfAway(v: number): number {
  return v < 0 ? -Math.round(-v) : Math.round(v);
}

/** Keys cubic convolution weights of the taps at -1, 0, 1, 2 for a fractional offset t. */
function cubicWeights(t: number, out: Float64Array, at: number): void {
  const a = CUBIC_ALPHA;
  const t1 = t + 1;
  const u = 1 - t;
  const u1 = 2 - t;
  out[at] = ((a * t1 - 5 * a) * t1 + 8 * a) * t1 - 4 * a;
  out[at + 1] = ((a + 2) * t - (a + 3)) * t * t + 1;
  out[at + 2] = ((a + 2) * u - (a + 3)) * u * u + 1;
  out[at + 3] = ((a * u1 - 5 * a) * u1 + 8 * a) * u1 - 4 * a;
}

/** The element an integer tap reads along a dim of extent d, or -1 for a zero (outside) tap. */
function tapIndex(i: number, d: number, padding: Padding, lo: number, hi: number): number {
  if (padding === 'zeros') return i >= 0 && i < d ? i : -1;
  if (padding === 'border') return Math.min(Math.max(i, 0), d - 1);
  return Math.min(Math.max(Math.trunc(reflect(i, lo, hi)), 0), d - 1);
}

defineKernel('grid_sample', (inputs, attrs) => {
  const xT = operand(inputs[0], 'X');
  const gridT = operand(inputs[1], 'grid');
  const mode = attrString(attrs, 'mode', GRID_SAMPLE_MODES, 'bilinear');
  const padding = attrString(attrs, 'padding_mode', GRID_SAMPLE_PADDING_MODES, 'zeros');
  const alignCorners = attrInt(attrs, 'align_corners', 0) !== 0;
  const k = xT.rank - 2;
  const [batches, channels] = xT.shape as [number, number];
  const dims = xT.shape.slice(2);
  if (gridT.rank !== k + 2 || gridT.shape[0] !== batches || gridT.shape[k + 1] !== k) {
    throw new Error(`grid [${gridT.shape.join(',')}] does not fit X [${xT.shape.join(',')}]`);
  }
  const outSpatial = gridT.shape.slice(1, k + 1);
  const points = outSpatial.reduce((a, b) => a * b, 1);
  const plane = dims.reduce((a, b) => a * b, 1);
  const x = xT.toFloat64();
  const grid = gridT.toFloat64();
  const out = new Float64Array(batches * channels * points);
  // The coordinate arithmetic runs in the grid's precision, as in onnxruntime (matters for rounding).
  const r = gridT.dtype === 'f64' ? (v: number) => v : Math.fround;

  const tapsPerDim = mode === 'nearest' ? 1 : mode === 'bilinear' ? 2 : 4;
  const dimIndex = new Int32Array(k * tapsPerDim);
  const dimWeight = new Float64Array(k * tapsPerDim);
  const numTaps = tapsPerDim ** k;
  const tapOffset = new Int32Array(numTaps);
  const tapWeight = new Float64Array(numTaps);
  const dimStride = dims.map((_, i) => dims.slice(i + 1).reduce((a, b) => a * b, 1));

  for (let n = 0; n < batches; n++) {
    for (let p = 0; p < points; p++) {
      // Taps and weights along each spatial dim.
      for (let i = 0; i < k; i++) {
        const d = dims[i]!;
        const g = grid[(n * points + p) * k + (k - 1 - i)]!;
        const lo = alignCorners ? 0 : -0.5;
        const hi = alignCorners ? d - 1 : d - 0.5;
        let c = alignCorners ? r(r(r(g + 1) / 2) * (d - 1)) : r(r(r(r(g + 1) * d) - 1) / 2);
        if (mode === 'nearest') c = k === 3 ? roundHalfAway(c) : roundHalfEven(c);
        if (c < lo || c > hi) {
          // Bicubic keeps an outside point where it is and clamps its taps instead (onnxruntime, PyTorch).
          if (padding === 'border' && mode !== 'bicubic') c = Math.min(Math.max(c, 0), d - 1);
          else if (padding === 'reflection') c = reflect(c, lo, hi);
        }
        const at = i * tapsPerDim;
        if (mode === 'nearest') {
          dimIndex[at] = tapIndex(Math.trunc(c), d, padding, lo, hi);
          dimWeight[at] = 1;
        } else {
          const c0 = Math.floor(c);
          const t = c - c0;
          if (mode === 'bilinear') {
            dimWeight[at] = 1 - t;
            dimWeight[at + 1] = t;
          } else {
            cubicWeights(t, dimWeight, at);
          }
          const first = mode === 'bilinear' ? c0 : c0 - 1;
          for (let j = 0; j < tapsPerDim; j++) dimIndex[at + j] = tapIndex(first + j, d, padding, lo, hi);
        }
      }
      // Tensor product of the per-dim taps; zero taps get weight 0.
      for (let t = 0; t < numTaps; t++) {
        let rest = t;
        let offset = 0;
        let weight = 1;
        for (let i = k - 1; i >= 0; i--) {
          const j = rest % tapsPerDim;
          rest = (rest - j) / tapsPerDim;
          const idx = dimIndex[i * tapsPerDim + j]!;
          if (idx < 0) {
            weight = 0;
            offset = 0;
            break;
          }
          offset += idx * dimStride[i]!;
          weight *= dimWeight[i * tapsPerDim + j]!;
        }
        tapOffset[t] = offset;
        tapWeight[t] = weight;
      }
      for (let ch = 0; ch < channels; ch++) {
        const base = (n * channels + ch) * plane;
        let acc = 0;
        for (let t = 0; t < numTaps; t++) {
          const w = tapWeight[t]!;
          if (w !== 0) acc += w * x[base + tapOffset[t]!]!;
        }
        out[(n * channels + ch) * points + p] = acc;
      }
    }
  }
  return [tensorFromFloat64(xT.dtype, [batches, channels, ...outSpatial], out)];
});
