/**
 * How each tensor dtype lives in a WGSL storage buffer, keeping the CPU's byte layout:
 * - f32, i32, u32: `array<T>`.
 * - i64, u64, f64: `array<vec2<u32>>` (low word, high word). i64/u64 compute in i32/u32: loads
 *   take the low word, stores write the low word and its sign (or zero) extension. f64 computes in
 *   f32: loads and stores convert on the bit pattern in software (round to nearest even).
 * - i8, u8, bool, i16, u16, f16, bf16: packed in `array<u32>` words. Loads extract the element.
 *   Written bindings are `array<atomic<u32>>` and a store is atomicAnd (clear the element's bits)
 *   then atomicOr (set them): race-free between invocations that write different elements of one
 *   word, with no zero-fill needed first.
 */
import type { DType } from '../../ir/dtype.js';
import { computeType, type ScalarType } from '../kernel-ir.js';

export type WgslScalar = 'f32' | 'i32' | 'u32';

/** The WGSL type a kernel-IR compute type is held in (64-bit types narrowed). */
export function wgslScalar(t: ScalarType): WgslScalar {
  switch (t) {
    case 'f32': case 'f64': return 'f32';
    case 'i32': case 'i64': return 'i32';
    case 'u32': case 'u64': return 'u32';
  }
}

interface SubWord {
  readonly bits: 8 | 16;
  readonly signed: boolean;
  /** WGSL expression turning the extracted element bits `v` (u32) into the compute value. */
  readonly decode: (v: string) => string;
  /** WGSL expression turning the compute value `x` into element bits (u32, may be wider). */
  readonly encode: (x: string) => string;
}

const SUB_WORD: Partial<Record<DType, SubWord>> = {
  u8: { bits: 8, signed: false, decode: (v) => `bitcast<i32>(${v})`, encode: (x) => `bitcast<u32>(${x})` },
  bool: { bits: 8, signed: false, decode: (v) => `bitcast<i32>(${v})`, encode: (x) => `bitcast<u32>(${x})` },
  i8: { bits: 8, signed: true, decode: (v) => v, encode: (x) => `bitcast<u32>(${x})` },
  u16: { bits: 16, signed: false, decode: (v) => `bitcast<i32>(${v})`, encode: (x) => `bitcast<u32>(${x})` },
  i16: { bits: 16, signed: true, decode: (v) => v, encode: (x) => `bitcast<u32>(${x})` },
  f16: { bits: 16, signed: false, decode: (v) => `ireets_f16_to_f32(${v})`, encode: (x) => `ireets_f32_to_f16(${x})` },
  bf16: { bits: 16, signed: false, decode: (v) => `bitcast<f32>(${v} << 16u)`, encode: (x) => `ireets_f32_to_bf16(${x})` },
};

export const isSubWord = (d: DType): boolean => SUB_WORD[d] !== undefined;
export const isWide = (d: DType): boolean => d === 'i64' || d === 'u64' || d === 'f64';

/** Bytes per element in the buffer. */
export function elementBytes(d: DType): number {
  if (isWide(d)) return 8;
  const s = SUB_WORD[d];
  if (s) return s.bits / 8;
  if (d === 'f32' || d === 'i32' || d === 'u32') return 4;
  throw new Error(`no GPU storage for ${d} tensors`);
}

/** The WGSL array element type of a binding. */
export function arrayElement(d: DType, written: boolean): string {
  if (isWide(d)) return 'vec2<u32>';
  if (isSubWord(d)) return written ? 'atomic<u32>' : 'u32';
  return wgslScalar(computeType(d));
}

export interface StorageAccess {
  /** A helper function's WGSL (or undefined when the access is a plain index expression). */
  readonly helper?: string;
  /** Helpers from WGSL_HELPERS it calls. */
  readonly uses: readonly string[];
}

/**
 * The load function `name(i: i32) -> T` for binding variable `v` of dtype `d` (T = the WGSL type
 * of the dtype's compute type), or a plain expression for 32-bit dtypes.
 */
export function loadFunction(d: DType, v: string, name: string, atomic: boolean): StorageAccess & { inline?: (i: string) => string } {
  const t = wgslScalar(computeType(d));
  if (d === 'f32' || d === 'i32' || d === 'u32') return { uses: [], inline: (i) => `${v}[${i}]` };
  if (d === 'i64') return { uses: [], inline: (i) => `bitcast<i32>(${v}[${i}].x)` };
  if (d === 'u64') return { uses: [], inline: (i) => `${v}[${i}].x` };
  if (d === 'f64') return { uses: ['ireets_f64_to_f32'], inline: (i) => `ireets_f64_to_f32(${v}[${i}])` };
  const s = SUB_WORD[d];
  if (!s) throw new Error(`no GPU storage for ${d} tensors`);
  const per = 32 / s.bits;
  const word = atomic ? `atomicLoad(&${v}[i / ${per}i])` : `${v}[i / ${per}i]`;
  const shift = `u32(i % ${per}i) * ${s.bits}u`;
  const bits = s.signed
    ? `(bitcast<i32>(${word} << (${32 - s.bits}u - ${shift})) >> ${32 - s.bits}u)`
    : `((${word} >> (${shift})) & ${s.bits === 8 ? '0xffu' : '0xffffu'})`;
  const uses = d === 'f16' ? ['ireets_f16_to_f32'] : [];
  return { uses, helper: `fn ${name}(i: i32) -> ${t} {\n  return ${s.decode(bits)};\n}` };
}

/** The store function `name(i: i32, x: T)` for binding variable `v` of dtype `d`. */
export function storeFunction(d: DType, v: string, name: string): StorageAccess & { inline?: (i: string, x: string) => string } {
  const t = wgslScalar(computeType(d));
  if (d === 'f32' || d === 'i32' || d === 'u32') return { uses: [], inline: (i, x) => `${v}[${i}] = ${x};` };
  if (d === 'i64') {
    return { uses: [], helper: `fn ${name}(i: i32, x: i32) {\n  ${v}[i] = vec2<u32>(bitcast<u32>(x), select(0u, 0xffffffffu, x < 0i));\n}` };
  }
  if (d === 'u64') return { uses: [], inline: (i, x) => `${v}[${i}] = vec2<u32>(${x}, 0u);` };
  if (d === 'f64') return { uses: ['ireets_f32_to_f64'], inline: (i, x) => `${v}[${i}] = ireets_f32_to_f64(${x});` };
  const s = SUB_WORD[d];
  if (!s) throw new Error(`no GPU storage for ${d} tensors`);
  const per = 32 / s.bits;
  const mask = s.bits === 8 ? '0xffu' : '0xffffu';
  const uses = d === 'f16' ? ['ireets_f32_to_f16'] : d === 'bf16' ? ['ireets_f32_to_bf16'] : [];
  return {
    uses,
    helper: [
      `fn ${name}(i: i32, x: ${t}) {`,
      `  let shift = u32(i % ${per}i) * ${s.bits}u;`,
      `  atomicAnd(&${v}[i / ${per}i], ~(${mask} << shift));`,
      `  atomicOr(&${v}[i / ${per}i], (${s.encode('x')} & ${mask}) << shift);`,
      '}',
    ].join('\n'),
  };
}
