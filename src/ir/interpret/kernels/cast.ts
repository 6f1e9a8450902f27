// The cast conversion shared by the `cast` kernel (and anything else that converts dtypes).
import { isBigInt, type DType, type TypedArray } from '../../dtype.js';
import { numberToBf16Bits, numberToF16Bits } from '../../float16.js';
import { Tensor } from '../../tensor.js';

const INT_BITS: Partial<Record<DType, number>> = { i8: 8, i16: 16, i32: 32, u8: 8, u16: 16, u32: 32 };

/**
 * Converts every element of `x` to `to`. Floats → ints truncate toward zero (out-of-range values
 * wrap, as C casts through a wider int would; NaN → 0; 64-bit targets saturate); → bool is
 * x != 0 (NaN is true); → f16/bf16 rounds to nearest even; strings parse and print numbers.
 */
export function castTensor(x: Tensor, to: DType): Tensor {
  if (x.dtype === to) return x;
  if (to === 'string') return new Tensor('string', x.shape, Array.from({ length: x.size }, (_, i) => formatElement(x, i)));
  if (x.dtype === 'string') return fromStrings(x.data as string[], x.shape, to);
  const out = Tensor.zeros(to, x.shape);
  const n = x.size;
  if (to === 'bool') {
    const o = out.data as Uint8Array;
    if (isBigInt(x.dtype)) for (let i = 0; i < n; i++) o[i] = (x.data as BigInt64Array)[i] !== 0n ? 1 : 0;
    else {
      const src = numericView(x);
      for (let i = 0; i < n; i++) o[i] = src[i] !== 0 ? 1 : 0;
    }
    return out;
  }
  if (isBigInt(to)) {
    const o = out.data as BigInt64Array | BigUint64Array;
    if (isBigInt(x.dtype)) {
      const src = x.data as BigInt64Array | BigUint64Array;
      for (let i = 0; i < n; i++) o[i] = to === 'i64' ? BigInt.asIntN(64, src[i]!) : BigInt.asUintN(64, src[i]!);
    } else {
      const src = numericView(x);
      for (let i = 0; i < n; i++) out.setNumber(i, src[i]!);
    }
    return out;
  }
  if (isBigInt(x.dtype)) {
    const src = x.data as BigInt64Array | BigUint64Array;
    const bits = INT_BITS[to];
    if (bits !== undefined) {
      const signed = to[0] === 'i';
      const o = out.data as Exclude<TypedArray, BigInt64Array | BigUint64Array>;
      for (let i = 0; i < n; i++) o[i] = Number(signed ? BigInt.asIntN(bits, src[i]!) : BigInt.asUintN(bits, src[i]!));
    } else {
      for (let i = 0; i < n; i++) out.setNumber(i, Number(src[i]!));
    }
    return out;
  }
  const src = numericView(x);
  if (to === 'f16' || to === 'bf16') {
    const o = out.data as Uint16Array;
    const conv = to === 'f16' ? numberToF16Bits : numberToBf16Bits;
    for (let i = 0; i < n; i++) o[i] = conv(src[i]!);
    return out;
  }
  // Typed-array assignment truncates toward zero and wraps for int targets, rounds for f32.
  (out.data as Exclude<TypedArray, BigInt64Array | BigUint64Array>).set(src);
  return out;
}

/** Elements of a non-64-bit, non-string tensor as numbers, without copying where storage already is. */
function numericView(x: Tensor): ArrayLike<number> {
  if (x.dtype === 'f16' || x.dtype === 'bf16') return x.toFloat64();
  return x.data as ArrayLike<number>;
}

function fromStrings(src: readonly string[], shape: readonly number[], to: DType): Tensor {
  const out = Tensor.zeros(to, shape);
  for (let i = 0; i < src.length; i++) {
    const s = src[i]!.trim();
    if (isBigInt(to) && /^[+-]?\d+$/.test(s)) {
      const v = BigInt(s);
      (out.data as BigInt64Array)[i] = to === 'i64' ? BigInt.asIntN(64, v) : BigInt.asUintN(64, v);
    } else {
      out.setNumber(i, parseNumber(s));
    }
  }
  return out;
}

/** Parses ONNX's textual numbers: decimal/exponent forms, NaN, INF/inf with optional sign. */
function parseNumber(s: string): number {
  const lower = s.toLowerCase();
  if (lower === 'nan' || lower === '+nan' || lower === '-nan') return NaN;
  if (/^\+?inf(inity)?$/.test(lower)) return Infinity;
  if (/^-inf(inity)?$/.test(lower)) return -Infinity;
  const v = Number(s);
  return Number.isNaN(v) ? parseFloat(s) : v;
}

function formatElement(x: Tensor, i: number): string {
  if (isBigInt(x.dtype)) return String((x.data as BigInt64Array)[i]);
  const v = x.getNumber(i);
  if (x.dtype === 'bool') return v ? 'True' : 'False';
  if (x.dtype === 'f64') return formatFloat(v, 17, (a) => a);
  if (x.dtype === 'f32') return formatFloat(v, 9, Math.fround);
  if (x.dtype === 'f16' || x.dtype === 'bf16') return formatFloat(v, 5, (a) => Tensor.scalar(x.dtype, a).getNumber(0));
  return String(v);
}

/** Shortest text that reads back as the same value of the source precision (NumPy's str style). */
function formatFloat(v: number, maxDigits: number, round: (a: number) => number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  let text = v.toPrecision(maxDigits);
  for (let p = 1; p <= maxDigits; p++) {
    const t = v.toPrecision(p);
    if (round(Number(t)) === v) {
      text = t;
      break;
    }
  }
  const num = Number(text);
  const abs = Math.abs(num);
  if (abs >= 1e-4 && abs < 1e16) {
    const s = String(num);
    return s.includes('.') || s.includes('e') ? s : `${s}.0`;
  }
  // Scientific: mantissa digits then e±XX, as NumPy prints 1e-05 or 1.5e+20.
  const [m, e] = num.toExponential().split('e') as [string, string];
  const exp = Number(e);
  return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}
