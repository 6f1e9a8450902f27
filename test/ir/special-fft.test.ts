import { describe, expect, it } from 'vitest';
import { fftPlan } from '../../src/ir/interpret/kernels/special-fft.js';

/** The textbook O(n²) DFT. */
function naiveDft(re: Float64Array, im: Float64Array, inverse: boolean): [Float64Array, Float64Array] {
  const n = re.length;
  const outRe = new Float64Array(n);
  const outIm = new Float64Array(n);
  const sign = inverse ? 1 : -1;
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < n; j++) {
      const a = (sign * 2 * Math.PI * ((j * k) % n)) / n;
      outRe[k]! += re[j]! * Math.cos(a) - im[j]! * Math.sin(a);
      outIm[k]! += re[j]! * Math.sin(a) + im[j]! * Math.cos(a);
    }
  }
  return [outRe, outIm];
}

function signal(n: number, seed: number): [Float64Array, Float64Array] {
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    re[i] = Math.sin(seed * 1.7 + i * 0.37) * 3;
    im[i] = Math.cos(seed * 0.3 + i * i * 0.11);
  }
  return [re, im];
}

describe('fftPlan', () => {
  const lengths = [...Array.from({ length: 40 }, (_, i) => i + 1), 64, 97, 100, 128, 243];
  for (const inverse of [false, true]) {
    it(`matches the naive DFT for lengths 1..40 and some larger (${inverse ? 'inverse' : 'forward'})`, () => {
      for (const n of lengths) {
        const [re, im] = signal(n, n);
        const [wantRe, wantIm] = naiveDft(re, im, inverse);
        fftPlan(n).transform(re, im, inverse);
        for (let k = 0; k < n; k++) {
          expect(Math.abs(re[k]! - wantRe[k]!), `n=${n} k=${k} re`).toBeLessThan(1e-9 * n);
          expect(Math.abs(im[k]! - wantIm[k]!), `n=${n} k=${k} im`).toBeLessThan(1e-9 * n);
        }
      }
    });
  }

  it('forward then inverse (scaled by 1/n) is the identity', () => {
    for (const n of [6, 16, 1000]) {
      const [re, im] = signal(n, 3);
      const re0 = Float64Array.from(re);
      const im0 = Float64Array.from(im);
      const plan = fftPlan(n);
      plan.transform(re, im, false);
      plan.transform(re, im, true);
      for (let i = 0; i < n; i++) {
        expect(re[i]! / n).toBeCloseTo(re0[i]!, 9);
        expect(im[i]! / n).toBeCloseTo(im0[i]!, 9);
      }
    }
  });

  it('a unit impulse transforms to all ones', () => {
    for (const n of [5, 8]) {
      const re = new Float64Array(n);
      const im = new Float64Array(n);
      re[0] = 1;
      fftPlan(n).transform(re, im, false);
      expect(Array.from(re).map((v) => Math.round(v * 1e12) / 1e12)).toEqual(new Array(n).fill(1));
      expect(Array.from(im).every((v) => Math.abs(v) < 1e-12)).toBe(true);
    }
  });
});
