// How each storage dtype lives in a SPIR-V StorageBuffer. Only 32-bit element arrays are used,
// so modules need no 8/16/64-bit storage or arithmetic capabilities (as in WGSL):
// - f32/i32/u32: one array element per tensor element;
// - 8- and 16-bit dtypes (i8, u8, bool, i16, u16, f16, bf16): packed little-endian into u32
//   words, read with bitfield extracts and written with atomic and/or on the word, so that
//   invocations storing neighbouring elements of one word do not race;
// - i64/u64/f64: two u32 words per element (the tensor's own byte layout), computed narrowed to
//   i32/u32/f32 (loads saturate to the narrow range; stores widen exactly).
import type { DType } from '../../ir/dtype.js';
import { IreetsError } from '../../util/errors.js';
import type { Num } from './module-types.js';

export type StorageLayout =
  | { readonly kind: 'word'; readonly elem: Num }
  | { readonly kind: 'packed'; readonly bits: 8 | 16; readonly format: 'sint' | 'uint' | 'f16' | 'bf16' }
  | { readonly kind: 'wide'; readonly format: 'i64' | 'u64' | 'f64' };

export function storageLayout(d: DType): StorageLayout {
  switch (d) {
    case 'f32': return { kind: 'word', elem: 'f32' };
    case 'i32': return { kind: 'word', elem: 'i32' };
    case 'u32': return { kind: 'word', elem: 'u32' };
    case 'i8': return { kind: 'packed', bits: 8, format: 'sint' };
    case 'u8': case 'bool': return { kind: 'packed', bits: 8, format: 'uint' };
    case 'i16': return { kind: 'packed', bits: 16, format: 'sint' };
    case 'u16': return { kind: 'packed', bits: 16, format: 'uint' };
    case 'f16': return { kind: 'packed', bits: 16, format: 'f16' };
    case 'bf16': return { kind: 'packed', bits: 16, format: 'bf16' };
    case 'i64': case 'u64': case 'f64': return { kind: 'wide', format: d };
    default: throw new IreetsError('MODEL_UNSUPPORTED', `SPIR-V kernels cannot bind ${d} tensors`);
  }
}

/** Element type of the binding's runtime array. */
export function arrayElementType(l: StorageLayout): Num {
  return l.kind === 'word' ? l.elem : 'u32';
}

/** Type a loaded element computes in (before conversion to the expression's type). */
export function loadedType(l: StorageLayout): Num {
  switch (l.kind) {
    case 'word': return l.elem;
    case 'packed': return l.format === 'f16' || l.format === 'bf16' ? 'f32' : 'i32';
    case 'wide': return l.format === 'f64' ? 'f32' : l.format === 'i64' ? 'i32' : 'u32';
  }
}
