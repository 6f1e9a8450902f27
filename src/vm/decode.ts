import { BINARY_I_OPS, Op, OP_NAMES, REF_BIT } from './opcodes.js';
import type { Reg } from './bytecode-builder.js';

/** One decoded instruction, for validation and disassembly (the interpreter decodes inline). */
export interface Instruction {
  offset: number;
  op: Op;
  /** Scalar operands in encoding order (registers, immediates, targets, indices). */
  operands: number[];
  /** Operand lists of call / call.import / ret. */
  args?: Reg[];
  results?: Reg[];
  next: number;
}

export class DecodeError extends Error {}

const BINARY = new Set<number>(BINARY_I_OPS);

/** Decodes the instruction at `pc` of `code`; throws DecodeError on truncation or unknown opcode. */
export function decodeInstruction(code: DataView, pc: number): Instruction {
  let p = pc;
  const need = (n: number): void => {
    if (p + n > code.byteLength) throw new DecodeError(`truncated instruction at byte ${pc}`);
  };
  const u8 = (): number => { need(1); return code.getUint8(p++); };
  const u16 = (): number => { need(2); const v = code.getUint16(p, true); p += 2; return v; };
  const u32 = (): number => { need(4); const v = code.getUint32(p, true); p += 4; return v; };
  const f64 = (): number => { need(8); const v = code.getFloat64(p, true); p += 8; return v; };
  const regs = (): Reg[] => {
    const n = u8();
    const out: Reg[] = [];
    for (let i = 0; i < n; i++) {
      const r = u16();
      out.push({ kind: r & REF_BIT ? 'r' : 'i', index: r & ~REF_BIT });
    }
    return out;
  };
  const op = u8() as Op;
  if (!(op in OP_NAMES)) throw new DecodeError(`unknown opcode 0x${op.toString(16)} at byte ${pc}`);
  let operands: number[];
  let args: Reg[] | undefined;
  let results: Reg[] | undefined;
  if (BINARY.has(op)) operands = [u16(), u16(), u16()];
  else {
    switch (op) {
      case Op.ConstI: operands = [u16(), f64()]; break;
      case Op.ConstRodata: operands = [u16(), u32()]; break;
      case Op.ConstNull: operands = [u16()]; break;
      case Op.MovI: case Op.MovR: operands = [u16(), u16()]; break;
      case Op.SelectI: operands = [u16(), u16(), u16(), u16()]; break;
      case Op.Br: operands = [u32()]; break;
      case Op.BrIf: operands = [u16(), u32()]; break;
      case Op.Call: case Op.CallImport: operands = [u16()]; args = regs(); results = regs(); break;
      case Op.Ret: operands = []; args = regs(); break;
      case Op.Fail: operands = [u32()]; break;
      default: throw new DecodeError(`unknown opcode 0x${(op as number).toString(16)} at byte ${pc}`);
    }
  }
  return { offset: pc, op, operands, args, results, next: p };
}

export function formatReg(r: Reg): string {
  return `${r.kind}${r.index}`;
}
