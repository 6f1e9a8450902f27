// Loads and stores of tensor elements in StorageBuffer bindings, per storage layout
// (see storage-layout.ts). Indices are in elements, as i32.
import type { Val } from './module-types.js';
import type { ScalarOps } from './scalar-ops.js';
import { f16BitsToF32, f32ToBf16Bits, f32ToF16Bits } from './half-float.js';
import { MemorySemantics, Op, Scope, StorageClass } from './spirv-enums.js';
import { arrayElementType, loadedType, type StorageLayout } from './storage-layout.js';
import { f32ToF64Words, f64WordsToF32 } from './wide-float.js';

export interface BoundBuffer {
  /** The StorageBuffer variable. */
  readonly variable: number;
  readonly layout: StorageLayout;
}

export class BindingAccess {
  constructor(private readonly o: ScalarOps, private readonly buffers: readonly BoundBuffer[]) {}

  private buffer(binding: number): BoundBuffer {
    const b = this.buffers[binding];
    if (!b) throw new Error(`kernel uses binding ${binding}, which it does not declare`);
    return b;
  }

  /** Pointer to word `wordIndex` of the binding's runtime array. */
  private pointer(binding: number, wordIndex: Val): number {
    const b = this.buffer(binding);
    const types = this.o.fb.types;
    const elem = types.num(arrayElementType(b.layout));
    const ptr = types.pointer(StorageClass.StorageBuffer, elem);
    return this.o.fb.op(Op.AccessChain, ptr, [b.variable, types.constant('i32', 0), wordIndex.id]);
  }

  private loadWord(binding: number, wordIndex: Val): Val {
    const t = arrayElementType(this.buffer(binding).layout);
    return this.o.fb.val(Op.Load, t, [this.pointer(binding, wordIndex)]);
  }

  private storeWord(binding: number, wordIndex: Val, value: Val): void {
    const t = arrayElementType(this.buffer(binding).layout);
    this.o.fb.inst(Op.Store, [this.pointer(binding, wordIndex), this.o.convert(value, t).id]);
  }

  /** Word index and bit offset (u32) of a packed element. */
  private packedPlace(index: Val, bits: 8 | 16): { word: Val; shift: Val } {
    const o = this.o;
    const perWordLog2 = bits === 8 ? 2 : 1;
    const word = o.bin(Op.ShiftRightArithmetic, index, o.c('i32', perWordLog2));
    const lane = o.bin(Op.BitwiseAnd, index, o.c('i32', (1 << perWordLog2) - 1));
    const shift = o.asU32(o.bin(Op.ShiftLeftLogical, lane, o.c('i32', bits === 8 ? 3 : 4)));
    return { word, shift };
  }

  /** The element at `index`, in the layout's loaded type (see `loadedType`). */
  load(binding: number, index: Val): Val {
    const o = this.o;
    const layout = this.buffer(binding).layout;
    switch (layout.kind) {
      case 'word':
        return this.loadWord(binding, index);
      case 'packed': {
        const { word, shift } = this.packedPlace(index, layout.bits);
        const w = this.loadWord(binding, word);
        const count = o.c('u32', layout.bits);
        switch (layout.format) {
          case 'sint':
            return o.fb.val(Op.BitFieldSExtract, 'i32', [o.bitcast(w, 'i32').id, shift.id, count.id]);
          case 'uint':
            return o.bitcast(o.fb.val(Op.BitFieldUExtract, 'u32', [w.id, shift.id, count.id]), 'i32');
          case 'f16':
            return f16BitsToF32(o, o.fb.val(Op.BitFieldUExtract, 'u32', [w.id, shift.id, count.id]));
          case 'bf16':
            return o.bitcast(o.ushl(o.fb.val(Op.BitFieldUExtract, 'u32', [w.id, shift.id, count.id]), 16), 'f32');
        }
        break;
      }
      case 'wide': {
        const loIndex = o.bin(Op.ShiftLeftLogical, index, o.c('i32', 1));
        const lo = this.loadWord(binding, loIndex);
        switch (layout.format) {
          case 'f64':
            return f64WordsToF32(o, lo, this.loadWord(binding, o.bin(Op.BitwiseOr, loIndex, o.c('i32', 1))));
          // The narrowed value is the low word (as in the WGSL emitter).
          case 'i64':
            return o.bitcast(lo, 'i32');
          case 'u64':
            return lo;
        }
      }
    }
    throw new Error('unreachable storage layout');
  }

  /** Stores `value` (any compute type; converted to the storage's type first). */
  store(binding: number, index: Val, value: Val): void {
    const o = this.o;
    const layout = this.buffer(binding).layout;
    const v = o.convert(value, loadedType(layout));
    switch (layout.kind) {
      case 'word':
        this.storeWord(binding, index, v);
        return;
      case 'packed': {
        const { word, shift } = this.packedPlace(index, layout.bits);
        const mask = layout.bits === 8 ? 0xff : 0xffff;
        const bits = o.uand(this.packedBits(layout.format, v), mask);
        const ptr = this.pointer(binding, word);
        const scope = o.c('u32', Scope.Device).id;
        const semantics = o.c('u32', MemorySemantics.None).id;
        const keep = o.fb.val(Op.Not, 'u32', [o.ushl(o.c('u32', mask), shift).id]);
        // Clear then set only this element's bits: other invocations may own the rest of the word.
        o.fb.op(Op.AtomicAnd, o.fb.types.u32, [ptr, scope, semantics, keep.id]);
        o.fb.op(Op.AtomicOr, o.fb.types.u32, [ptr, scope, semantics, o.ushl(bits, shift).id]);
        return;
      }
      case 'wide': {
        const loIndex = o.bin(Op.ShiftLeftLogical, index, o.c('i32', 1));
        const hiIndex = o.bin(Op.BitwiseOr, loIndex, o.c('i32', 1));
        let lo: Val;
        let hi: Val;
        if (layout.format === 'f64') [lo, hi] = f32ToF64Words(o, v);
        else if (layout.format === 'i64') [lo, hi] = [o.asU32(v), o.asU32(o.bin(Op.ShiftRightArithmetic, v, o.c('i32', 31)))];
        else [lo, hi] = [v, o.c('u32', 0)];
        this.storeWord(binding, loIndex, lo);
        this.storeWord(binding, hiIndex, hi);
        return;
      }
    }
  }

  /** The low bits to store for a packed element (u32). */
  private packedBits(format: 'sint' | 'uint' | 'f16' | 'bf16', v: Val): Val {
    const o = this.o;
    switch (format) {
      case 'sint': case 'uint':
        return o.asU32(v);
      case 'f16':
        return f32ToF16Bits(o, v);
      case 'bf16':
        return f32ToBf16Bits(o, v);
    }
  }
}

