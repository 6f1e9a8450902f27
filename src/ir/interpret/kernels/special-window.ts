// Reference kernels: window (Hann, Hamming, Blackman) and mel_weight_matrix.
import { attrDType, attrInt, attrString } from '../../ops/special-util.js';
import { WINDOW_KINDS } from '../../ops/special-signal.js';
import { defineKernel } from '../registry.js';
import { operand, scalarOf, tensorFromFloat64 } from './special-util.js';

/** Cosine-sum window coefficients a0 − a1·cos(θ) + a2·cos(2θ). */
const COEFFICIENTS: Record<(typeof WINDOW_KINDS)[number], readonly [number, number, number]> = {
  hann: [0.5, 0.5, 0],
  hamming: [25 / 46, 21 / 46, 0],
  blackman: [0.42, 0.5, 0.08],
};

defineKernel('window', (inputs, attrs) => {
  const size = scalarOf(operand(inputs[0], 'size'), 'size');
  if (!Number.isInteger(size) || size < 0) throw new Error(`window size must be a non-negative integer, got ${size}`);
  const [a0, a1, a2] = COEFFICIENTS[attrString(attrs, 'window', WINDOW_KINDS, 'hann')];
  const periodic = attrInt(attrs, 'periodic', 1) !== 0;
  // A symmetric window spans size−1 intervals; a periodic one is a symmetric window of size+1, truncated.
  const intervals = periodic ? size : size - 1;
  const out = new Float64Array(size);
  for (let n = 0; n < size; n++) {
    const theta = intervals > 0 ? (2 * Math.PI * n) / intervals : 0;
    out[n] = a0 - a1 * Math.cos(theta) + a2 * Math.cos(2 * theta);
  }
  if (size === 1 && !periodic) out[0] = 1; // a one-point symmetric window is [1], as in PyTorch and SciPy
  return [tensorFromFloat64(attrDType(attrs, 'dtype', 'f32'), [size], out)];
});

const hertzToMel = (hz: number) => 2595 * Math.log10(1 + hz / 700);
const melToHertz = (mel: number) => 700 * (10 ** (mel / 2595) - 1);

/**
 * Triangular filters, evenly spaced on the mel scale between the edge frequencies, as weights
 * of the bins of a onesided spectrum: [dft_length/2 + 1, num_mel_bins].
 */
defineKernel('mel_weight_matrix', (inputs, attrs) => {
  const numMelBins = scalarOf(operand(inputs[0], 'num_mel_bins'), 'num_mel_bins');
  const dftLength = scalarOf(operand(inputs[1], 'dft_length'), 'dft_length');
  const sampleRate = scalarOf(operand(inputs[2], 'sample_rate'), 'sample_rate');
  const lowerHz = scalarOf(operand(inputs[3], 'lower_edge_hertz'), 'lower_edge_hertz');
  const upperHz = scalarOf(operand(inputs[4], 'upper_edge_hertz'), 'upper_edge_hertz');
  if (!(numMelBins > 0 && dftLength > 0 && sampleRate > 0)) {
    throw new Error('num_mel_bins, dft_length and sample_rate must be positive');
  }
  if (!(lowerHz >= 0 && upperHz > lowerHz)) throw new Error('edge frequencies must satisfy 0 ≤ lower < upper');
  const spectrogramBins = Math.floor(dftLength / 2) + 1;
  const lowMel = hertzToMel(lowerHz);
  const melStep = (hertzToMel(upperHz) - lowMel) / (numMelBins + 2);
  // Filter edges as spectrogram bin numbers.
  const edges = new Int32Array(numMelBins + 2);
  for (let i = 0; i < numMelBins + 2; i++) {
    edges[i] = Math.floor(((dftLength + 1) * melToHertz(i * melStep + lowMel)) / sampleRate);
  }
  if (edges[numMelBins + 1]! >= spectrogramBins) {
    throw new Error(`upper_edge_hertz ${upperHz} puts mel filters beyond the ${spectrogramBins} bins of a ${dftLength}-point spectrum at ${sampleRate} Hz`);
  }
  const out = new Float64Array(spectrogramBins * numMelBins);
  const set = (bin: number, mel: number, v: number) => {
    out[bin * numMelBins + mel] = v;
  };
  for (let i = 0; i < numMelBins; i++) {
    const lo = edges[i]!;
    const center = edges[i + 1]!;
    const hi = edges[i + 2]!;
    if (center === lo) set(center, i, 1);
    else for (let j = lo; j <= center; j++) set(j, i, (j - lo) / (center - lo));
    for (let j = center; j < hi; j++) set(j, i, (hi - j) / (hi - center));
  }
  return [tensorFromFloat64(attrDType(attrs, 'dtype', 'f32'), [spectrogramBins, numMelBins], out)];
});
