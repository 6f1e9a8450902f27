// IR op definitions: signal processing. Complex values are a trailing dim of 2 (real, imaginary);
// real inputs may end in a dim of 1.
//
//   dft               (x f[..., n, ..., 1|2], dft_length? int scalar, axis: int scalar)
//                      {inverse: 0|1, onesided: 0|1} → f[..., m, ..., 2]   (special)
//                      axis counts over x's full rank (negative from the back; never the last dim);
//                      m = dft_length (default n), halved to floor(m/2)+1 when onesided
//   stft              (signal f[B,L,1|2], frame_step int scalar, window? f[W], frame_length? int scalar)
//                      {onesided: 0|1} → f[B, frames, bins, 2]   (special)
//   window            (size int scalar) {window: hann|hamming|blackman, periodic: 0|1, dtype} → dtype[size]
//                      (host: cheap, usually folded; a decomposition would need range/cos for one vector)
//   mel_weight_matrix (num_mel_bins int, dft_length int, sample_rate int, lower_edge_hertz f, upper_edge_hertz f)
//                      {dtype} → dtype[floor(dft_length/2)+1, num_mel_bins]   (host)
import { isFloat, isNumeric } from '../dtype.js';
import type { Dim } from '../types.js';
import { defineOp } from './registry.js';
import { attrDType, attrInt, attrString, constScalar, freshDim, need, normAxis, requireFloat } from './special-util.js';

export const WINDOW_KINDS = ['hann', 'hamming', 'blackman'] as const;

/** Frequency bins of a transform of length `m`: all of them, or the non-redundant half. */
function binsOf(m: Dim, onesided: boolean): Dim {
  if (!onesided) return m;
  return typeof m === 'number' ? Math.floor(m / 2) + 1 : freshDim('bins');
}

defineOp({
  name: 'dft',
  kind: 'special',
  infer({ inputs, attrs, consts }) {
    const x = need(inputs, 0, 'input');
    need(inputs, 2, 'axis');
    requireFloat(x, 'input');
    const onesided = attrInt(attrs, 'onesided', 0) !== 0;
    if (!x.shape) return [{ dtype: x.dtype, shape: null }];
    const rank = x.shape.length;
    if (rank < 2) throw new Error(`input must have rank ≥ 2, got ${rank}`);
    const last = x.shape[rank - 1];
    if (typeof last === 'number' && last !== 1 && last !== 2) {
      throw new Error(`input's last dim must be 1 (real) or 2 (complex), got ${last}`);
    }
    const axisValue = constScalar(consts[2]);
    if (axisValue === undefined) {
      // The axis is only known at run time: every non-complex dim may change.
      return [{ dtype: x.dtype, shape: [...x.shape.slice(0, rank - 1).map(() => freshDim('dft')), 2] }];
    }
    const axis = normAxis(axisValue, rank, 'dft axis');
    if (axis === rank - 1) throw new Error('dft axis must not be the complex (last) dim');
    const lengthValue = inputs[1] ? constScalar(consts[1]) : undefined;
    if (lengthValue !== undefined && lengthValue < 1) throw new Error(`dft_length must be positive, got ${lengthValue}`);
    const m: Dim = inputs[1] ? (lengthValue ?? freshDim('dft_length')) : x.shape[axis]!;
    const shape = [...x.shape];
    shape[axis] = binsOf(m, onesided);
    shape[rank - 1] = 2;
    return [{ dtype: x.dtype, shape }];
  },
});

defineOp({
  name: 'stft',
  kind: 'special',
  infer({ inputs, attrs, consts }) {
    const signal = need(inputs, 0, 'signal');
    need(inputs, 1, 'frame_step');
    requireFloat(signal, 'signal');
    const window = inputs[2];
    if (window?.shape && window.shape.length !== 1) throw new Error('window must be 1-D');
    const onesided = attrInt(attrs, 'onesided', 1) !== 0;
    if (!signal.shape) return [{ dtype: signal.dtype, shape: null }];
    if (signal.shape.length !== 3) throw new Error(`signal must be [batch, length, 1|2], got rank ${signal.shape.length}`);
    const step = constScalar(consts[1]);
    if (step !== undefined && step < 1) throw new Error(`frame_step must be positive, got ${step}`);
    let frameLength: Dim | undefined = inputs[3] ? constScalar(consts[3]) : undefined;
    if (frameLength === undefined) {
      if (inputs[3]) frameLength = freshDim('frame_length');
      else if (window?.shape) frameLength = window.shape[0]!;
      else if (window) frameLength = freshDim('frame_length');
      else frameLength = signal.shape[1]!;
    }
    const len = signal.shape[1]!;
    const frames: Dim = typeof len === 'number' && typeof frameLength === 'number' && step !== undefined
      ? 1 + Math.floor((len - frameLength) / step)
      : freshDim('frames');
    if (typeof frames === 'number' && frames < 0) throw new Error('signal is shorter than one frame');
    return [{ dtype: signal.dtype, shape: [signal.shape[0]!, frames, binsOf(frameLength, onesided), 2] }];
  },
});

defineOp({
  name: 'window',
  kind: 'host',
  infer({ inputs, attrs, consts }) {
    const size = need(inputs, 0, 'size');
    if (!isNumeric(size.dtype) || isFloat(size.dtype)) throw new Error(`size must be an integer, got ${size.dtype}`);
    attrString(attrs, 'window', WINDOW_KINDS, 'hann');
    const dtype = attrDType(attrs, 'dtype', 'f32');
    if (!isNumeric(dtype)) throw new Error(`window dtype must be numeric, got ${dtype}`);
    const n = constScalar(consts[0]);
    if (n !== undefined && n < 0) throw new Error(`window size must not be negative, got ${n}`);
    return [{ dtype, shape: [n ?? freshDim('window')] }];
  },
});

defineOp({
  name: 'mel_weight_matrix',
  kind: 'host',
  infer({ inputs, attrs, consts }) {
    for (const [i, what] of ['num_mel_bins', 'dft_length', 'sample_rate', 'lower_edge_hertz', 'upper_edge_hertz'].entries()) {
      need(inputs, i, what);
    }
    const dtype = attrDType(attrs, 'dtype', 'f32');
    if (!isNumeric(dtype)) throw new Error(`mel_weight_matrix dtype must be numeric, got ${dtype}`);
    const bins = constScalar(consts[0]);
    const length = constScalar(consts[1]);
    return [{
      dtype,
      shape: [
        length !== undefined ? Math.floor(length / 2) + 1 : freshDim('spectrogram_bins'),
        bins ?? freshDim('mel_bins'),
      ],
    }];
  },
});
