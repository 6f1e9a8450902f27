// Reference kernels: random_uniform, random_normal, bernoulli, multinomial. A seeded op gives the
// same values on every run (xoshiro128** seeded from the seed's bits); an unseeded one draws a new
// seed each run. Values cannot match other runtimes' generators, only their distributions.
import { attrDType, attrFloat, attrInt, attrOptNumber } from '../../ops/special-util.js';
import { Tensor } from '../../tensor.js';
import { defineKernel } from '../registry.js';
import { operand, tensorFromFloat64 } from './special-util.js';

/** xoshiro128**: small, fast, good statistical quality; 32-bit arithmetic only. */
export class Xoshiro128 {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** Seeds from any JS number (ONNX seeds are floats): its f64 bits are mixed by splitmix32. */
  constructor(seed: number) {
    const bits = new Uint32Array(new Float64Array([seed]).buffer);
    let s = (bits[0]! ^ Math.imul(bits[1]!, 0x9e3779b9)) >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal (Box–Muller; one of the pair is discarded to keep draws independent of order). */
  nextNormal(): number {
    let u = 0;
    while (u === 0) u = this.nextFloat();
    const v = this.nextFloat();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** The generator of one kernel run: from the `seed` attribute, else from a fresh random seed. */
function generatorFor(attrs: Parameters<typeof attrOptNumber>[0]): Xoshiro128 {
  const seed = attrOptNumber(attrs, 'seed');
  return new Xoshiro128(seed ?? Math.random() * 2 ** 52);
}

function shapeOperand(t: Tensor): number[] {
  if (t.rank !== 1) throw new Error(`shape must be 1-D, got rank ${t.rank}`);
  const dims = t.toNumbers();
  for (const d of dims) if (!Number.isInteger(d) || d < 0) throw new Error(`invalid shape entry ${d}`);
  return dims;
}

defineKernel('random_uniform', (inputs, attrs) => {
  const shape = shapeOperand(operand(inputs[0], 'shape'));
  const low = attrFloat(attrs, 'low', 0);
  const high = attrFloat(attrs, 'high', 1);
  const rng = generatorFor(attrs);
  const out = new Float64Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < out.length; i++) out[i] = low + (high - low) * rng.nextFloat();
  return [tensorFromFloat64(attrDType(attrs, 'dtype', 'f32'), shape, out)];
});

defineKernel('random_normal', (inputs, attrs) => {
  const shape = shapeOperand(operand(inputs[0], 'shape'));
  const mean = attrFloat(attrs, 'mean', 0);
  const scale = attrFloat(attrs, 'scale', 1);
  const rng = generatorFor(attrs);
  const out = new Float64Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < out.length; i++) out[i] = mean + scale * rng.nextNormal();
  return [tensorFromFloat64(attrDType(attrs, 'dtype', 'f32'), shape, out)];
});

defineKernel('bernoulli', (inputs, attrs) => {
  const p = operand(inputs[0], 'input');
  const probabilities = p.toFloat64();
  const rng = generatorFor(attrs);
  const out = new Float64Array(probabilities.length);
  for (let i = 0; i < out.length; i++) out[i] = rng.nextFloat() < probabilities[i]! ? 1 : 0;
  return [tensorFromFloat64(attrDType(attrs, 'dtype', p.dtype), p.shape, out)];
});

defineKernel('multinomial', (inputs, attrs) => {
  const logitsT = operand(inputs[0], 'input');
  if (logitsT.rank !== 2) throw new Error(`input must be [batch, classes], got rank ${logitsT.rank}`);
  const [batches, classes] = logitsT.shape as [number, number];
  const samples = attrInt(attrs, 'sample_size', 1);
  const logits = logitsT.toFloat64();
  const rng = generatorFor(attrs);
  const cumulative = new Float64Array(classes);
  const out = new Float64Array(batches * samples);
  for (let b = 0; b < batches; b++) {
    // Cumulative unnormalised probabilities, shifted by the max logit for stability.
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits[b * classes + c]!);
    let total = 0;
    for (let c = 0; c < classes; c++) {
      total += Math.exp(logits[b * classes + c]! - max);
      cumulative[c] = total;
    }
    for (let s = 0; s < samples; s++) {
      const u = rng.nextFloat() * total;
      // The first class whose cumulative probability exceeds u (binary search).
      let lo = 0;
      let hi = classes - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cumulative[mid]! > u) hi = mid;
        else lo = mid + 1;
      }
      out[b * samples + s] = lo;
    }
  }
  return [tensorFromFloat64(attrDType(attrs, 'dtype', 'i32'), [batches, samples], out)];
});
