// Reference kernels: dft and stft (complex results as a trailing dim of 2).
import { attrInt, normAxis } from '../../ops/special-util.js';
import { defineKernel } from '../registry.js';
import { fftPlan } from './special-fft.js';
import { extent, operand, optionalScalar, scalarOf, tensorFromFloat64 } from './special-util.js';

defineKernel('dft', (inputs, attrs) => {
  const xT = operand(inputs[0], 'input');
  const rank = xT.rank;
  const axis = normAxis(scalarOf(operand(inputs[2], 'axis'), 'axis'), rank, 'dft axis');
  if (axis === rank - 1) throw new Error('dft axis must not be the complex (last) dim');
  const complexIn = xT.shape[rank - 1]!;
  if (complexIn !== 1 && complexIn !== 2) throw new Error(`input's last dim must be 1 or 2, got ${complexIn}`);
  const inverse = attrInt(attrs, 'inverse', 0) !== 0;
  const onesided = attrInt(attrs, 'onesided', 0) !== 0;
  const n = xT.shape[axis]!;
  const m = optionalScalar(inputs[1], 'dft_length', n);
  if (!Number.isInteger(m) || m < 1) throw new Error(`dft_length must be a positive integer, got ${m}`);
  const bins = onesided ? Math.floor(m / 2) + 1 : m;
  const outer = extent(xT.shape, 0, axis);
  const inner = extent(xT.shape, axis + 1, rank - 1);
  const x = xT.toFloat64();
  const out = new Float64Array(outer * bins * inner * 2);
  const re = new Float64Array(m);
  const im = new Float64Array(m);
  const plan = fftPlan(m);
  const take = Math.min(n, m); // longer signals are truncated, shorter ones zero-padded
  const scale = inverse ? 1 / m : 1;

  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      re.fill(0);
      im.fill(0);
      for (let j = 0; j < take; j++) {
        const at = ((o * n + j) * inner + i) * complexIn;
        re[j] = x[at]!;
        if (complexIn === 2) im[j] = x[at + 1]!;
      }
      plan.transform(re, im, inverse);
      for (let k = 0; k < bins; k++) {
        const at = ((o * bins + k) * inner + i) * 2;
        out[at] = re[k]! * scale;
        out[at + 1] = im[k]! * scale;
      }
    }
  }
  const shape = [...xT.shape];
  shape[axis] = bins;
  shape[rank - 1] = 2;
  return [tensorFromFloat64(xT.dtype, shape, out)];
});

defineKernel('stft', (inputs, attrs) => {
  const signalT = operand(inputs[0], 'signal');
  if (signalT.rank !== 3) throw new Error(`signal must be [batch, length, 1|2], got rank ${signalT.rank}`);
  const [batches, length, complexIn] = signalT.shape as [number, number, number];
  if (complexIn !== 1 && complexIn !== 2) throw new Error(`signal's last dim must be 1 or 2, got ${complexIn}`);
  const step = scalarOf(operand(inputs[1], 'frame_step'), 'frame_step');
  if (!Number.isInteger(step) || step < 1) throw new Error(`frame_step must be a positive integer, got ${step}`);
  const windowT = inputs[2] ?? null;
  const frameLength = inputs[3] ? scalarOf(inputs[3], 'frame_length') : windowT ? windowT.size : length;
  if (!Number.isInteger(frameLength) || frameLength < 1) throw new Error(`frame_length must be a positive integer, got ${frameLength}`);
  const windowLength = windowT ? windowT.size : frameLength;
  if (windowLength !== frameLength) throw new Error(`window has ${windowLength} values, frame_length is ${frameLength}`);
  const onesided = attrInt(attrs, 'onesided', 1) !== 0;
  const frames = 1 + Math.floor((length - frameLength) / step);
  if (frames < 0) throw new Error(`signal of length ${length} is shorter than a frame of ${frameLength}`);
  const bins = onesided ? Math.floor(frameLength / 2) + 1 : frameLength;
  const window = windowT ? windowT.toFloat64() : new Float64Array(frameLength).fill(1);
  const x = signalT.toFloat64();
  const out = new Float64Array(batches * frames * bins * 2);
  const re = new Float64Array(frameLength);
  const im = new Float64Array(frameLength);
  const plan = fftPlan(frameLength);

  for (let b = 0; b < batches; b++) {
    for (let f = 0; f < frames; f++) {
      for (let j = 0; j < frameLength; j++) {
        const at = (b * length + f * step + j) * complexIn;
        re[j] = x[at]! * window[j]!;
        im[j] = complexIn === 2 ? x[at + 1]! * window[j]! : 0;
      }
      plan.transform(re, im, false);
      for (let k = 0; k < bins; k++) {
        const at = ((b * frames + f) * bins + k) * 2;
        out[at] = re[k]!;
        out[at + 1] = im[k]!;
      }
    }
  }
  return [tensorFromFloat64(signalT.dtype, [batches, frames, bins, 2], out)];
});
