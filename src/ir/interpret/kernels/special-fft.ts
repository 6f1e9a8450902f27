// Complex FFT of any length in f64: iterative radix-2 for powers of two, Bluestein's chirp-z
// transform (three power-of-two FFTs) for the rest. Plans (twiddles, chirps) are cached per length.

/** An unnormalised transform of a fixed length: X[k] = Σ x[j]·e^(∓2πi·jk/n), sign + when inverse. */
export interface FftPlan {
  readonly length: number;
  transform(re: Float64Array, im: Float64Array, inverse: boolean): void;
}

const plans = new Map<number, FftPlan>();

export function fftPlan(n: number): FftPlan {
  let p = plans.get(n);
  if (!p) {
    p = (n & (n - 1)) === 0 ? new Radix2Plan(n) : new BluesteinPlan(n);
    if (plans.size > 64) plans.clear();
    plans.set(n, p);
  }
  return p;
}

class Radix2Plan implements FftPlan {
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly bitReversed: Uint32Array;

  constructor(readonly length: number) {
    const n = length;
    this.cos = new Float64Array(n / 2);
    this.sin = new Float64Array(n / 2);
    for (let i = 0; i < n / 2; i++) {
      this.cos[i] = Math.cos((2 * Math.PI * i) / n);
      this.sin[i] = Math.sin((2 * Math.PI * i) / n);
    }
    this.bitReversed = new Uint32Array(n);
    const bits = Math.log2(n);
    for (let i = 0; i < n; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.bitReversed[i] = r;
    }
  }

  transform(re: Float64Array, im: Float64Array, inverse: boolean): void {
    const n = this.length;
    for (let i = 0; i < n; i++) {
      const j = this.bitReversed[i]!;
      if (j > i) {
        let t = re[i]!;
        re[i] = re[j]!;
        re[j] = t;
        t = im[i]!;
        im[i] = im[j]!;
        im[j] = t;
      }
    }
    const sign = inverse ? 1 : -1;
    for (let size = 2; size <= n; size *= 2) {
      const half = size / 2;
      const step = n / size;
      for (let start = 0; start < n; start += size) {
        for (let k = 0; k < half; k++) {
          const wr = this.cos[k * step]!;
          const wi = sign * this.sin[k * step]!;
          const a = start + k;
          const b = a + half;
          const tr = re[b]! * wr - im[b]! * wi;
          const ti = re[b]! * wi + im[b]! * wr;
          re[b] = re[a]! - tr;
          im[b] = im[a]! - ti;
          re[a] = re[a]! + tr;
          im[a] = im[a]! + ti;
        }
      }
    }
  }
}

/** X[k] = conj(w_k) · Σ (x_j · conj(w_j)) · w_(k−j), w_j = e^(iπj²/n): a convolution done with radix-2 FFTs. */
class BluesteinPlan implements FftPlan {
  private readonly chirpRe: Float64Array;
  private readonly chirpIm: Float64Array;
  private readonly inner: Radix2Plan;
  /** FFT of the chirp sequence, for forward transforms. */
  private readonly kernelRe: Float64Array;
  private readonly kernelIm: Float64Array;
  private readonly bufRe: Float64Array;
  private readonly bufIm: Float64Array;

  constructor(readonly length: number) {
    const n = length;
    let m = 1;
    while (m < 2 * n - 1) m *= 2;
    this.inner = new Radix2Plan(m);
    this.chirpRe = new Float64Array(n);
    this.chirpIm = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      // j² mod 2n keeps the angle small and exact for large j.
      const angle = (Math.PI * ((j * j) % (2 * n))) / n;
      this.chirpRe[j] = Math.cos(angle);
      this.chirpIm[j] = Math.sin(angle);
    }
    this.kernelRe = new Float64Array(m);
    this.kernelIm = new Float64Array(m);
    for (let j = 0; j < n; j++) {
      this.kernelRe[j] = this.chirpRe[j]!;
      this.kernelIm[j] = this.chirpIm[j]!;
      if (j > 0) {
        this.kernelRe[m - j] = this.chirpRe[j]!;
        this.kernelIm[m - j] = this.chirpIm[j]!;
      }
    }
    this.inner.transform(this.kernelRe, this.kernelIm, false);
    this.bufRe = new Float64Array(m);
    this.bufIm = new Float64Array(m);
  }

  transform(re: Float64Array, im: Float64Array, inverse: boolean): void {
    const n = this.length;
    const m = this.inner.length;
    const br = this.bufRe;
    const bi = this.bufIm;
    br.fill(0);
    bi.fill(0);
    // An inverse transform is the forward one on conjugated input, conjugated back.
    const s = inverse ? -1 : 1;
    for (let j = 0; j < n; j++) {
      const xr = re[j]!;
      const xi = s * im[j]!;
      const cr = this.chirpRe[j]!;
      const ci = this.chirpIm[j]!;
      br[j] = xr * cr + xi * ci;
      bi[j] = xi * cr - xr * ci;
    }
    this.inner.transform(br, bi, false);
    for (let j = 0; j < m; j++) {
      const kr = this.kernelRe[j]!;
      const ki = this.kernelIm[j]!;
      const r = br[j]! * kr - bi[j]! * ki;
      bi[j] = br[j]! * ki + bi[j]! * kr;
      br[j] = r;
    }
    this.inner.transform(br, bi, true);
    for (let k = 0; k < n; k++) {
      const yr = br[k]! / m;
      const yi = bi[k]! / m;
      const cr = this.chirpRe[k]!;
      const ci = this.chirpIm[k]!;
      re[k] = yr * cr + yi * ci;
      im[k] = s * (yi * cr - yr * ci);
    }
  }
}
