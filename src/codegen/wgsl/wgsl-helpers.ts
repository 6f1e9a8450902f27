/**
 * WGSL functions that kernels call for what WGSL lacks or leaves implementation-defined: NaN
 * tests on the bit pattern (drivers may assume no NaNs in float compares), IEEE-conformant
 * min/max/sign, erf, pow with C/ONNX semantics, f16/bf16/f64 storage conversions, and an opaque
 * identity that keeps constant operands out of WGSL's compile-time evaluation (which rejects
 * inf, NaN and overflow). Each helper lists the helpers it calls; an executable includes only
 * those its kernels use.
 */
export interface WgslHelper {
  readonly code: string;
  readonly deps?: readonly string[];
}

export const WGSL_HELPERS: Readonly<Record<string, WgslHelper>> = {
  ireets_f32_bits: { code: 'fn ireets_f32_bits(b: u32) -> f32 { return bitcast<f32>(b); }' },
  ireets_opaque_f32: { code: 'fn ireets_opaque_f32(x: f32) -> f32 { return x; }' },
  ireets_opaque_i32: { code: 'fn ireets_opaque_i32(x: i32) -> i32 { return x; }' },
  ireets_opaque_u32: { code: 'fn ireets_opaque_u32(x: u32) -> u32 { return x; }' },
  ireets_is_nan: { code: 'fn ireets_is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }' },
  ireets_minf: {
    deps: ['ireets_is_nan'],
    code: `fn ireets_minf(a: f32, b: f32) -> f32 {
  if (ireets_is_nan(a) || ireets_is_nan(b)) { return a + b; }
  return select(b, a, a < b);
}`,
  },
  ireets_maxf: {
    deps: ['ireets_is_nan'],
    code: `fn ireets_maxf(a: f32, b: f32) -> f32 {
  if (ireets_is_nan(a) || ireets_is_nan(b)) { return a + b; }
  return select(b, a, a > b);
}`,
  },
  ireets_signf: {
    deps: ['ireets_is_nan'],
    // NaN stays NaN, ±0 stay ±0 (tested on the bits: drivers fold x * 0 to 0).
    code: `fn ireets_signf(x: f32) -> f32 {
  if (ireets_is_nan(x) || x == 0.0f) { return x; }
  return select(-1.0f, 1.0f, x > 0.0f);
}`,
  },
  ireets_tanh: {
    deps: ['ireets_is_nan'],
    // Clamped: tanh is ±1 in f32 beyond ±9, and some drivers' exp-based tanh gives NaN for large |x|.
    code: `fn ireets_tanh(x: f32) -> f32 {
  if (ireets_is_nan(x)) { return x; }
  return tanh(clamp(x, -10.0f, 10.0f));
}`,
  },
  ireets_sigmoid: {
    code: `fn ireets_sigmoid(x: f32) -> f32 {
  return 1.0f / (1.0f + exp(-x));
}`,
  },
  ireets_erf: {
    // Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7) beyond 0.5; the Taylor series below it keeps
    // small arguments' relative error small.
    code: `fn ireets_erf(x: f32) -> f32 {
  let a = abs(x);
  if (a < 0.5f) {
    let x2 = x * x;
    return x * (1.1283791671f + x2 * (-0.3761263890f + x2 * (0.1128379167f + x2 * (-0.0268661706f + x2 * (0.0052239776f + x2 * -0.0008548327f)))));
  }
  let t = 1.0f / (1.0f + 0.3275911f * a);
  let poly = t * (0.254829592f + t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f))));
  let y = 1.0f - poly * exp(-a * a);
  return select(y, -y, x < 0.0f);
}`,
  },
  ireets_powf: {
    deps: ['ireets_is_nan', 'ireets_f32_bits'],
    // C pow: negative bases with integer exponents keep the sign of odd powers, otherwise NaN;
    // zero bases give 0 or inf; x^0 = 1.
    code: `fn ireets_powf(x: f32, y: f32) -> f32 {
  if (y == 0.0f) { return 1.0f; }
  if (ireets_is_nan(x) || ireets_is_nan(y)) { return x + y; }
  let is_int = floor(y) == y;
  let odd = is_int && abs(y) < 16777216.0f && (floor(y * 0.5f) * 2.0f != y);
  if (x == 0.0f) {
    if (y > 0.0f) { return select(0.0f, x, odd); }
    return select(ireets_f32_bits(0x7f800000u), select(ireets_f32_bits(0x7f800000u), ireets_f32_bits(0xff800000u), bitcast<u32>(x) != 0u), odd);
  }
  let r = pow(abs(x), y);
  if (x < 0.0f) {
    if (!is_int) { return ireets_f32_bits(0x7fc00000u); }
    return select(r, -r, odd);
  }
  return r;
}`,
  },
  ireets_divf: {
    // Correctly rounded f32 division (WGSL allows 2.5 ulp and NVIDIA's is approximate, which
    // flips round-half-even results such as quantization): long division of the mantissas in
    // integers, rounded to nearest even. Specials and subnormal quotients take the driver's a / b.
    code: `fn ireets_divf(a: f32, b: f32) -> f32 {
  let q = a / b;
  let ba = bitcast<u32>(a);
  let bb = bitcast<u32>(b);
  let fa = (ba >> 23u) & 0xffu;
  let fb = (bb >> 23u) & 0xffu;
  if (fa == 255u || fb == 255u || (ba & 0x7fffffffu) == 0u || (bb & 0x7fffffffu) == 0u) { return q; }
  var ma = ba & 0x7fffffu;
  var mb = bb & 0x7fffffu;
  var ea = i32(fa);
  var eb = i32(fb);
  if (fa == 0u) { let s = countLeadingZeros(ma) - 8u; ma = ma << s; ea = 1i - i32(s); } else { ma = ma | 0x800000u; }
  if (fb == 0u) { let s = countLeadingZeros(mb) - 8u; mb = mb << s; eb = 1i - i32(s); } else { mb = mb | 0x800000u; }
  var e = ea - eb + 127i;
  if (ma < mb) { ma = ma << 1u; e = e - 1i; }
  var m = 0u;
  var rem = ma;
  for (var i = 0; i < 24; i = i + 1) {
    m = m << 1u;
    if (rem >= mb) { rem = rem - mb; m = m | 1u; }
    rem = rem << 1u;
  }
  let guard = rem >= mb;
  if (guard) { rem = rem - mb; }
  if (guard && (rem != 0u || (m & 1u) != 0u)) { m = m + 1u; }
  if (m == 0x1000000u) { m = 0x800000u; e = e + 1i; }
  let sign = (ba ^ bb) & 0x80000000u;
  if (e >= 255i) { return bitcast<f32>(sign | 0x7f800000u); }
  if (e <= 0i) { return q; }
  return bitcast<f32>(sign | (u32(e) << 23u) | (m & 0x7fffffu));
}`,
  },
  ireets_fmodf: {
    deps: ['ireets_is_nan', 'ireets_f32_bits'],
    // C fmod, exact: subtract the largest b·2^k not above the remainder until it is below |b|
    // (each subtraction is exact); the result takes the dividend's sign.
    code: `fn ireets_fmodf(a: f32, b: f32) -> f32 {
  let y = abs(b);
  var r = abs(a);
  if (ireets_is_nan(a) || ireets_is_nan(b) || r == ireets_f32_bits(0x7f800000u) || y == 0.0f) { return ireets_f32_bits(0x7fc00000u); }
  if (r < y) { return a; }
  if (y == ireets_f32_bits(0x7f800000u)) { return a; }
  loop {
    if (r < y) { break; }
    var t = ldexp(y, frexp(r).exp - frexp(y).exp);
    if (t > r) { t = t * 0.5f; }
    r = r - t;
  }
  return select(r, -r, a < 0.0f);
}`,
  },
  ireets_reduce_2pi: {
    // x - 2πk with k = round(x / 2π), the constant split in three (Cody-Waite) so the first
    // products are exact: accurate for |x| up to ~1e5, where WGSL's sin/cos make no promise.
    code: `fn ireets_reduce_2pi(x: f32) -> f32 {
  if (abs(x) <= 3.14159265f) { return x; }
  let k = round(x * 0.15915494309189535f);
  return ((x - k * 6.28125f) - k * 0.0019350051879882812f) - k * 3.0199159795074593e-7f;
}`,
  },
  ireets_mod_floorf: {
    deps: ['ireets_fmodf'],
    code: `fn ireets_mod_floorf(a: f32, b: f32) -> f32 {
  let r = ireets_fmodf(a, b);
  return select(r, r + b, r != 0.0f && ((r < 0.0f) != (b < 0.0f)));
}`,
  },
  ireets_mod_floori: {
    code: `fn ireets_mod_floori(a: i32, b: i32) -> i32 {
  let r = a % b;
  return select(r, r + b, r != 0i && ((r < 0i) != (b < 0i)));
}`,
  },
  ireets_powi: {
    // Exact, wrapping; negative exponents give the truncated reciprocal (0 unless |base| = 1).
    code: `fn ireets_powi(b: i32, e: i32) -> i32 {
  if (e < 0i) { return select(select(0i, select(1i, -1i, (e & 1i) != 0i), b == -1i), 1i, b == 1i); }
  var r = 1i;
  var base = b;
  var n = e;
  loop {
    if (n == 0i) { break; }
    if ((n & 1i) != 0i) { r = r * base; }
    base = base * base;
    n = n >> 1u;
  }
  return r;
}`,
  },
  ireets_powu: {
    code: `fn ireets_powu(b: u32, e: u32) -> u32 {
  var r = 1u;
  var base = b;
  var n = e;
  loop {
    if (n == 0u) { break; }
    if ((n & 1u) != 0u) { r = r * base; }
    base = base * base;
    n = n >> 1u;
  }
  return r;
}`,
  },
  // 64-bit shifts on values narrowed to their low word (sign- or zero-extended): the amount is
  // taken mod 64; 32 or more shifts the whole low word out (left) or leaves the extension (right).
  ireets_shl64: {
    code: `fn ireets_shl64(a: i32, b: i32) -> i32 {
  let s = bitcast<u32>(b) & 63u;
  return select(a << (s & 31u), 0i, s >= 32u);
}`,
  },
  ireets_shr64: {
    code: `fn ireets_shr64(a: i32, b: i32) -> i32 {
  return a >> min(bitcast<u32>(b) & 63u, 31u);
}`,
  },
  ireets_shl64u: {
    code: `fn ireets_shl64u(a: u32, b: u32) -> u32 {
  let s = b & 63u;
  return select(a << (s & 31u), 0u, s >= 32u);
}`,
  },
  ireets_shr64u: {
    code: `fn ireets_shr64u(a: u32, b: u32) -> u32 {
  let s = b & 63u;
  return select(a >> (s & 31u), 0u, s >= 32u);
}`,
  },
  ireets_f32_to_i32: {
    deps: ['ireets_is_nan'],
    // Truncates toward zero and saturates; NaN gives 0 (WebAssembly's trunc_sat).
    code: `fn ireets_f32_to_i32(x: f32) -> i32 {
  if (ireets_is_nan(x)) { return 0i; }
  if (x >= 2147483648.0f) { return 2147483647i; }
  if (x < -2147483648.0f) { return i32(-2147483648); }
  return i32(x);
}`,
  },
  ireets_f32_to_u32: {
    deps: ['ireets_is_nan'],
    code: `fn ireets_f32_to_u32(x: f32) -> u32 {
  if (ireets_is_nan(x) || x <= -1.0f) { return 0u; }
  if (x >= 4294967296.0f) { return 4294967295u; }
  return u32(x);
}`,
  },
  ireets_f32_to_i64_low: {
    deps: ['ireets_is_nan'],
    // The low 32 bits of trunc(x) as a 64-bit integer (what an i64 narrowed to i32 holds).
    code: `fn ireets_f32_to_i64_low(x: f32) -> i32 {
  if (ireets_is_nan(x) || abs(x) >= 9223372036854775808.0f) { return 0i; }
  let t = trunc(x);
  if (abs(t) < 2147483648.0f) { return i32(t); }
  let r = t - 4294967296.0f * floor(t / 4294967296.0f);
  return bitcast<i32>(u32(r));
}`,
  },
  ireets_f32_to_u64_low: {
    deps: ['ireets_f32_to_i64_low'],
    // Negative values saturate to 0, like the float → u64 conversion.
    code: `fn ireets_f32_to_u64_low(x: f32) -> u32 {
  if (x < 0.0f) { return 0u; }
  return bitcast<u32>(ireets_f32_to_i64_low(x));
}`,
  },
  ireets_f16_to_f32: {
    code: `fn ireets_f16_to_f32(h: u32) -> f32 {
  let sign = (h & 0x8000u) << 16u;
  let e = (h >> 10u) & 0x1fu;
  let m = h & 0x3ffu;
  if (e == 0u) {
    let r = f32(m) * 5.9604644775390625e-8f;
    return select(r, -r, sign != 0u);
  }
  if (e == 31u) { return bitcast<f32>(sign | 0x7f800000u | (m << 13u)); }
  return bitcast<f32>(sign | ((e + 112u) << 23u) | (m << 13u));
}`,
  },
  ireets_f32_to_f16: {
    // Round to nearest even; overflow gives ±inf, NaN a quiet NaN.
    code: `fn ireets_f32_to_f16(x: f32) -> u32 {
  let b = bitcast<u32>(x);
  let sign = (b >> 16u) & 0x8000u;
  let a = b & 0x7fffffffu;
  if (a > 0x7f800000u) { return sign | 0x7e00u; }
  if (a >= 0x477ff000u) { return sign | 0x7c00u; }
  if (a < 0x38800000u) { return sign | u32(round(bitcast<f32>(a) * 16777216.0f)); }
  let r = a - 0x38000000u;
  return sign | ((r + 0xfffu + ((r >> 13u) & 1u)) >> 13u);
}`,
  },
  ireets_f32_to_bf16: {
    code: `fn ireets_f32_to_bf16(x: f32) -> u32 {
  let b = bitcast<u32>(x);
  if ((b & 0x7fffffffu) > 0x7f800000u) { return ((b >> 16u) & 0x8000u) | 0x7fc0u; }
  return ((b + 0x7fffu + ((b >> 16u) & 1u)) >> 16u) & 0xffffu;
}`,
  },
  ireets_f64_to_f32: {
    // f64 bits (low word, high word) → nearest f32 (ties to even; overflow → inf; NaN kept).
    code: `fn ireets_f64_to_f32(w: vec2<u32>) -> f32 {
  let sign = w.y & 0x80000000u;
  let e = (w.y >> 20u) & 0x7ffu;
  let m23 = ((w.y & 0xfffffu) << 3u) | (w.x >> 29u);
  let rest = w.x & 0x1fffffffu;
  if (e == 0x7ffu) {
    if (((w.y & 0xfffffu) | w.x) != 0u) { return bitcast<f32>(sign | 0x7fc00000u | m23); }
    return bitcast<f32>(sign | 0x7f800000u);
  }
  let ee = i32(e) - 896i;
  if (ee >= 255i) { return bitcast<f32>(sign | 0x7f800000u); }
  if (ee <= 0i) {
    let shift = u32(1i - ee);
    if (e == 0u || shift > 24u) { return bitcast<f32>(sign); }
    let m = 0x800000u | m23;
    var q = m >> shift;
    let r = m & ((1u << shift) - 1u);
    let half = 1u << (shift - 1u);
    if (r > half || (r == half && (rest != 0u || (q & 1u) != 0u))) { q = q + 1u; }
    return bitcast<f32>(sign | q);
  }
  var bits = sign | (u32(ee) << 23u) | m23;
  if (rest > 0x10000000u || (rest == 0x10000000u && (m23 & 1u) != 0u)) { bits = bits + 1u; }
  return bitcast<f32>(bits);
}`,
  },
  ireets_f32_to_f64: {
    // Exact: every f32 is an f64. Returns (low word, high word).
    code: `fn ireets_f32_to_f64(x: f32) -> vec2<u32> {
  let b = bitcast<u32>(x);
  let sign = b & 0x80000000u;
  let e = (b >> 23u) & 0xffu;
  var m = b & 0x7fffffu;
  if (e == 255u) { return vec2<u32>(m << 29u, sign | 0x7ff00000u | (m >> 3u)); }
  var ee = i32(e) + 896i;
  if (e == 0u) {
    if (m == 0u) { return vec2<u32>(0u, sign); }
    let p = 31u - countLeadingZeros(m);
    ee = i32(p) + 874i;
    m = (m << (23u - p)) & 0x7fffffu;
  }
  return vec2<u32>(m << 29u, sign | (u32(ee) << 20u) | (m >> 3u));
}`,
  },
};

/** `names` and everything they call, in an order where callees come first. */
export function collectHelpers(names: Iterable<string>): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (n: string): void => {
    if (seen.has(n)) return;
    seen.add(n);
    const h = WGSL_HELPERS[n];
    if (!h) throw new Error(`unknown WGSL helper ${n}`);
    for (const d of h.deps ?? []) visit(d);
    out.push(n);
  };
  for (const n of [...names].sort()) visit(n);
  return out;
}
