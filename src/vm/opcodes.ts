/**
 * The VM's instruction set: a register machine with two banks, integer registers (JS numbers,
 * exact up to 2^53: enough for sizes and offsets) and reference registers (buffers, command
 * buffers, executables, rodata views). Operands are little-endian; register operands are u16.
 */
export enum Op {
  /** i[dst] = f64 immediate */
  ConstI = 0x01,
  /** r[dst] = rodata segment #u32 */
  ConstRodata = 0x02,
  /** r[dst] = null */
  ConstNull = 0x03,
  MovI = 0x04,
  MovR = 0x05,
  AddI = 0x10,
  SubI = 0x11,
  MulI = 0x12,
  /** integer division truncating toward zero; traps on zero */
  DivI = 0x13,
  RemI = 0x14,
  MinI = 0x15,
  MaxI = 0x16,
  /** ceil(a / b), common in workgroup-count formulas */
  CeilDivI = 0x17,
  CmpEqI = 0x20,
  CmpNeI = 0x21,
  CmpLtI = 0x22,
  CmpLeI = 0x23,
  /** i[dst] = i[c] ? i[a] : i[b] */
  SelectI = 0x24,
  /** jump to absolute byte offset u32 */
  Br = 0x30,
  /** if i[c] != 0 jump to u32 */
  BrIf = 0x31,
  /** call function #u16 with operand list args, results */
  Call = 0x32,
  /** call import #u16 with operand list args, results */
  CallImport = 0x33,
  /** return operand list */
  Ret = 0x34,
  /** trap with message (string table #u32) */
  Fail = 0x35,
}

/** In operand lists (call, call_import, ret) bit 15 marks a reference register. */
export const REF_BIT = 0x8000;

export const OP_NAMES: Record<number, string> = {
  [Op.ConstI]: 'const.i',
  [Op.ConstRodata]: 'const.rodata',
  [Op.ConstNull]: 'const.null',
  [Op.MovI]: 'mov.i',
  [Op.MovR]: 'mov.r',
  [Op.AddI]: 'add.i',
  [Op.SubI]: 'sub.i',
  [Op.MulI]: 'mul.i',
  [Op.DivI]: 'div.i',
  [Op.RemI]: 'rem.i',
  [Op.MinI]: 'min.i',
  [Op.MaxI]: 'max.i',
  [Op.CeilDivI]: 'ceildiv.i',
  [Op.CmpEqI]: 'cmp.eq.i',
  [Op.CmpNeI]: 'cmp.ne.i',
  [Op.CmpLtI]: 'cmp.lt.i',
  [Op.CmpLeI]: 'cmp.le.i',
  [Op.SelectI]: 'select.i',
  [Op.Br]: 'br',
  [Op.BrIf]: 'br_if',
  [Op.Call]: 'call',
  [Op.CallImport]: 'call.import',
  [Op.Ret]: 'ret',
  [Op.Fail]: 'fail',
};

/** Binary integer ops share the format `dst, a, b`. */
export const BINARY_I_OPS: readonly Op[] = [
  Op.AddI, Op.SubI, Op.MulI, Op.DivI, Op.RemI, Op.MinI, Op.MaxI, Op.CeilDivI,
  Op.CmpEqI, Op.CmpNeI, Op.CmpLtI, Op.CmpLeI,
];
