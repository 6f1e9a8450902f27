// Reference kernel: resize (ONNX Resize-19 semantics, as the ONNX reference implementation computes it).
//
// nearest: a pure index map per axis (exact for every dtype). linear/cubic: per-axis taps
// (input index, weight), applied one axis at a time in f64; points whose source coordinate falls
// outside the input under tf_crop_and_resize get extrapolation_value.
import { Tensor, stridesOf } from '../../tensor.js';
import { defineKernel } from '../registry.js';
import { attrFloat, attrInt, attrInts, attrString, tensorInts } from '../../ops/movement-util.js';
import { presentConst, resizeAxes, resizePlan } from '../../ops/movement-resize.js';
import { gatherByAxisMaps } from './movement-strided.js';

interface AxisCoords {
  /** Source coordinate of each output index. */
  x: Float64Array;
  /** 1 where the coordinate lies outside the input (tf_crop_and_resize only). */
  outside: Uint8Array;
}

/** Source coordinates of one axis under a coordinate_transformation_mode. */
function axisCoords(
  mode: string, inLen: number, outLen: number, scale: number, roiStart: number, roiEnd: number,
): AxisCoords {
  const x = new Float64Array(outLen);
  const outside = new Uint8Array(outLen);
  // align_corners and tf_crop_and_resize use the unrounded output length, as the ONNX reference
  // does, in f32 as onnxruntime computes it (5 × 1.8f is exactly 9 there).
  const outF = Math.fround(scale * inLen);
  for (let o = 0; o < outLen; o++) {
    let v: number;
    switch (mode) {
      case 'half_pixel':
        v = (o + 0.5) / scale - 0.5;
        break;
      case 'half_pixel_symmetric': {
        const adjustment = outLen / (scale * inLen);
        const offset = (inLen / 2) * (1 - adjustment);
        v = offset + (o + 0.5) / scale - 0.5;
        break;
      }
      case 'pytorch_half_pixel':
        v = outF > 1 ? (o + 0.5) / scale - 0.5 : 0;
        break;
      case 'align_corners':
        v = outF === 1 ? 0 : (o * (inLen - 1)) / (outF - 1);
        break;
      case 'asymmetric':
        v = o / scale;
        break;
      case 'tf_half_pixel_for_nn':
        v = (o + 0.5) / scale;
        break;
      case 'tf_crop_and_resize':
        v = outF !== 1
          ? roiStart * (inLen - 1) + (o * (roiEnd - roiStart) * (inLen - 1)) / (outF - 1)
          : 0.5 * (roiStart + roiEnd) * (inLen - 1);
        if (v < 0 || v > inLen - 1) outside[o] = 1;
        break;
      default:
        throw new Error(`unknown coordinate_transformation_mode ${mode}`);
    }
    x[o] = v;
  }
  return { x, outside };
}

function nearestIndex(v: number, mode: string): number {
  switch (mode) {
    case 'round_prefer_floor': return v - Math.floor(v) === 0.5 ? Math.floor(v) : Math.round(v);
    case 'round_prefer_ceil': return Math.round(v); // Math.round sends .5 up, i.e. to the ceiling
    case 'floor': return Math.floor(v);
    case 'ceil': return Math.ceil(v);
    default: throw new Error(`unknown nearest_mode ${mode}`);
  }
}

function cubicWeight(d: number, a: number): number {
  const x = Math.abs(d);
  if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}

/** Interpolation taps of one axis: for output o, taps start[o]..start[o+1] in idx/w. */
interface Taps {
  start: Int32Array;
  idx: Int32Array;
  w: Float64Array;
}

function axisTaps(
  coords: AxisCoords, inLen: number, cubic: boolean, a: number, excludeOutside: boolean, filterScale: number,
): Taps {
  const outLen = coords.x.length;
  // Kernel support in input samples: 1 (linear) or 2 (cubic), widened by 1/scale when antialiasing.
  const support = cubic ? 2 : 1;
  const first = Math.floor(-support / filterScale) + 1;
  const n = 2 - 2 * first; // taps base+first .. base-first+1, centred on the coordinate
  const start = new Int32Array(outLen + 1);
  const idx: number[] = [];
  const w: number[] = [];
  const wk = new Float64Array(n);
  for (let o = 0; o < outLen; o++) {
    start[o] = idx.length;
    const v = coords.x[o]!;
    const base = Math.floor(v);
    const ratio = v - base;
    let sum = 0;
    for (let j = 0; j < n; j++) {
      const d = (first + j - ratio) * filterScale;
      let wt = cubic ? cubicWeight(d, a) : Math.max(0, 1 - Math.abs(d));
      const i = base + first + j;
      if (excludeOutside && (i < 0 || i >= inLen)) wt = 0;
      wk[j] = wt;
      sum += wt;
    }
    // Normalise where the weights need not add to 1 (antialias, excluded taps).
    const norm = filterScale < 1 || excludeOutside ? (sum === 0 ? 0 : 1 / sum) : 1;
    for (let j = 0; j < n; j++) {
      const wt = wk[j]! * norm;
      if (wt === 0) continue;
      idx.push(Math.min(Math.max(base + first + j, 0), inLen - 1));
      w.push(wt);
    }
  }
  start[outLen] = idx.length;
  return { start, idx: Int32Array.from(idx), w: Float64Array.from(w) };
}

/** True when every output index reads exactly its own input index with weight 1. */
function isIdentity(taps: Taps, inLen: number, outLen: number): boolean {
  if (inLen !== outLen || taps.idx.length !== outLen) return false;
  for (let o = 0; o < outLen; o++) {
    if (taps.start[o] !== o || taps.idx[o] !== o || taps.w[o] !== 1) return false;
  }
  return true;
}

/** Applies taps along `axis` of a row-major f64 buffer of `shape`. */
function applyAxis(src: Float64Array, shape: number[], axis: number, taps: Taps, outLen: number): Float64Array {
  let outer = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i]!;
  let inner = 1;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!;
  const inLen = shape[axis]!;
  const out = new Float64Array(outer * outLen * inner);
  for (let p = 0; p < outer; p++) {
    for (let o = 0; o < outLen; o++) {
      const dst = (p * outLen + o) * inner;
      for (let t = taps.start[o]!; t < taps.start[o + 1]!; t++) {
        const wt = taps.w[t]!;
        const from = (p * inLen + taps.idx[t]!) * inner;
        if (inner === 1) out[dst]! += wt * src[from]!;
        else for (let i = 0; i < inner; i++) out[dst + i]! += wt * src[from + i]!;
      }
    }
  }
  shape[axis] = outLen;
  return out;
}

defineKernel('resize', (inputs, attrs) => {
  const x = inputs[0];
  if (!x) throw new Error('missing input data');
  const rank = x.rank;
  const axes = resizeAxes(rank, attrInts(attrs, 'axes'));
  const scales = inputs[2] ? presentConst(inputs[2]) : undefined;
  const sizes = inputs[3] ? presentConst(inputs[3]) : undefined;
  const policy = attrString(attrs, 'keep_aspect_ratio_policy', 'stretch');
  const plan = resizePlan(x.shape, axes, scales, sizes ? sizes : undefined, policy);
  const mode = attrString(attrs, 'mode', 'nearest');
  const ct = attrString(attrs, 'coordinate_transformation_mode', 'half_pixel');
  const roi = inputs[1] && inputs[1].size > 0 ? tensorInts(inputs[1]) : undefined;
  if (ct === 'tf_crop_and_resize' && (!roi || roi.length !== 2 * axes.length)) {
    throw new Error(`tf_crop_and_resize needs a roi of ${2 * axes.length} values`);
  }
  const extrapolation = attrFloat(attrs, 'extrapolation_value', 0);
  const coords = x.shape.map((d, a) => {
    const k = axes.indexOf(a);
    if (k < 0) return undefined;
    return axisCoords(ct, d, plan.outShape[a]!, plan.scales[a]!, roi ? roi[k]! : 0, roi ? roi[k + axes.length]! : 1);
  });
  const outside = (a: number, o: number): boolean => coords[a]?.outside[o] === 1;

  if (mode === 'nearest') {
    const nm = attrString(attrs, 'nearest_mode', 'round_prefer_floor');
    const st = stridesOf(x.shape);
    const maps = plan.outShape.map((len, a) => {
      const m = new Float64Array(len);
      const c = coords[a];
      for (let o = 0; o < len; o++) {
        if (!c) { m[o] = o * st[a]!; continue; }
        if (c.outside[o]) { m[o] = -1; continue; }
        const i = Math.min(Math.max(nearestIndex(c.x[o]!, nm), 0), x.shape[a]! - 1);
        m[o] = i * st[a]!;
      }
      return m;
    });
    let fill: unknown = extrapolation;
    if (x.dtype === 'i64') fill = BigInt(Math.trunc(extrapolation));
    else if (x.dtype === 'u64') fill = BigInt(Math.max(0, Math.trunc(extrapolation)));
    else if (x.dtype === 'f16' || x.dtype === 'bf16' || x.dtype === 'bool') {
      fill = (Tensor.scalar(x.dtype, extrapolation).data as Uint16Array)[0];
    }
    return [gatherByAxisMaps(x, plan.outShape, maps, fill)];
  }

  if (mode !== 'linear' && mode !== 'cubic') throw new Error(`unknown resize mode ${mode}`);
  const cubic = mode === 'cubic';
  const a = attrFloat(attrs, 'cubic_coeff_a', -0.75);
  const excludeOutside = attrInt(attrs, 'exclude_outside', 0) !== 0;
  const antialias = attrInt(attrs, 'antialias', 0) !== 0;
  let buf = x.toFloat64();
  const shape = [...x.shape];
  for (const ax of axes) {
    const c = coords[ax]!;
    const filterScale = antialias ? Math.min(plan.scales[ax]!, 1) : 1;
    const taps = axisTaps(c, x.shape[ax]!, cubic, a, excludeOutside, filterScale);
    if (isIdentity(taps, x.shape[ax]!, plan.outShape[ax]!)) continue;
    buf = applyAxis(buf, shape, ax, taps, plan.outShape[ax]!);
  }
  if (ct === 'tf_crop_and_resize') {
    const ost = stridesOf(plan.outShape);
    for (let i = 0; i < buf.length; i++) {
      let r = i;
      for (let k = 0; k < rank; k++) {
        const ck = Math.floor(r / ost[k]!);
        r -= ck * ost[k]!;
        if (outside(k, ck)) {
          buf[i] = extrapolation;
          break;
        }
      }
    }
  }
  if (x.dtype === 'f32') return [new Tensor('f32', plan.outShape, Float32Array.from(buf))];
  if (x.dtype === 'f64') return [new Tensor('f64', plan.outShape, buf)];
  const out = Tensor.zeros(x.dtype, plan.outShape);
  for (let i = 0; i < buf.length; i++) out.setNumber(i, buf[i]!);
  return [out];
});
