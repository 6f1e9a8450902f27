import { Op, REF_BIT } from './opcodes.js';
import type { ArgKind } from './module.js';

/** Where a float is turned into its 8 little-endian bytes (two arrays per constant cost a link ms). */
const F64_SCRATCH = new DataView(new ArrayBuffer(8));

/** A register operand: bank and index. */
export interface Reg {
  kind: ArgKind;
  index: number;
}
export const iReg = (index: number): Reg => ({ kind: 'i', index });
export const rReg = (index: number): Reg => ({ kind: 'r', index });

export interface Label {
  readonly id: number;
}

/**
 * Emits one function's bytecode. Branch targets are labels patched at `finish()`, so code can
 * jump forward. Offsets are relative to the function start; the module writer relocates them.
 */
export class BytecodeBuilder {
  private bytes: number[] = [];
  private readonly labelOffsets = new Map<number, number>();
  private readonly fixups: { at: number; label: number }[] = [];
  private nextLabel = 0;

  private u8(v: number): void {
    this.bytes.push(v & 0xff);
  }
  private u16(v: number): void {
    this.bytes.push(v & 0xff, (v >>> 8) & 0xff);
  }
  private u32(v: number): void {
    this.bytes.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  }
  private f64(v: number): void {
    F64_SCRATCH.setFloat64(0, v, true);
    for (let i = 0; i < 8; i++) this.bytes.push(F64_SCRATCH.getUint8(i));
  }
  private regList(regs: readonly Reg[]): void {
    this.u8(regs.length);
    for (const r of regs) this.u16(r.index | (r.kind === 'r' ? REF_BIT : 0));
  }

  label(): Label {
    return { id: this.nextLabel++ };
  }
  bind(l: Label): void {
    this.labelOffsets.set(l.id, this.bytes.length);
  }

  constI(dst: number, value: number): this {
    this.u8(Op.ConstI); this.u16(dst); this.f64(value);
    return this;
  }
  constRodata(dst: number, segment: number): this {
    this.u8(Op.ConstRodata); this.u16(dst); this.u32(segment);
    return this;
  }
  constNull(dst: number): this {
    this.u8(Op.ConstNull); this.u16(dst);
    return this;
  }
  movI(dst: number, src: number): this {
    this.u8(Op.MovI); this.u16(dst); this.u16(src);
    return this;
  }
  movR(dst: number, src: number): this {
    this.u8(Op.MovR); this.u16(dst); this.u16(src);
    return this;
  }
  /** Any `dst = a op b` integer op (arith and compare). */
  binaryI(op: Op, dst: number, a: number, b: number): this {
    this.u8(op); this.u16(dst); this.u16(a); this.u16(b);
    return this;
  }
  selectI(dst: number, cond: number, a: number, b: number): this {
    this.u8(Op.SelectI); this.u16(dst); this.u16(cond); this.u16(a); this.u16(b);
    return this;
  }
  br(target: Label): this {
    this.u8(Op.Br); this.fixup(target);
    return this;
  }
  brIf(cond: number, target: Label): this {
    this.u8(Op.BrIf); this.u16(cond); this.fixup(target);
    return this;
  }
  call(fn: number, args: readonly Reg[], results: readonly Reg[]): this {
    this.u8(Op.Call); this.u16(fn); this.regList(args); this.regList(results);
    return this;
  }
  callImport(imp: number, args: readonly Reg[], results: readonly Reg[]): this {
    this.u8(Op.CallImport); this.u16(imp); this.regList(args); this.regList(results);
    return this;
  }
  ret(values: readonly Reg[]): this {
    this.u8(Op.Ret); this.regList(values);
    return this;
  }
  fail(messageIndex: number): this {
    this.u8(Op.Fail); this.u32(messageIndex);
    return this;
  }

  private fixup(l: Label): void {
    this.fixups.push({ at: this.bytes.length, label: l.id });
    this.u32(0);
  }

  /** The function's code with branch targets resolved to function-relative offsets. */
  finish(): Uint8Array {
    const out = Uint8Array.from(this.bytes);
    const view = new DataView(out.buffer);
    for (const f of this.fixups) {
      const off = this.labelOffsets.get(f.label);
      if (off === undefined) throw new Error(`label ${f.label} used but never bound`);
      view.setUint32(f.at, off, true);
    }
    return out;
  }
}
