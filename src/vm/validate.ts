import { decodeInstruction, type Instruction } from './decode.js';
import type { VmModule } from './module.js';
import { BINARY_I_OPS, Op } from './opcodes.js';
import type { Reg } from './bytecode-builder.js';

const BINARY = new Set<number>(BINARY_I_OPS);

/**
 * Checks every function's code so the interpreter can run without bounds checks: opcodes known,
 * registers within the function's banks, branches land on instruction starts inside the function,
 * calls name existing functions/imports with matching arity and register kinds, code ends in a
 * terminator. Throws an Error naming the function and byte offset.
 */
export function validateBytecode(mod: VmModule): void {
  mod.functions.forEach((fn, fi) => {
    const where = (pc: number): string => `function ${fn.name} (#${fi}) at byte ${pc}`;
    if (fn.codeOffset < 0 || fn.codeLength <= 0 || fn.codeOffset + fn.codeLength > mod.bytecode.length) {
      throw new Error(`function ${fn.name} (#${fi}) code lies outside the bytecode section`);
    }
    const code = new DataView(mod.bytecode.buffer, mod.bytecode.byteOffset + fn.codeOffset, fn.codeLength);
    const starts = new Set<number>();
    const insts: Instruction[] = [];
    for (let pc = 0; pc < fn.codeLength;) {
      let inst: Instruction;
      try {
        inst = decodeInstruction(code, pc);
      } catch (e) {
        throw new Error(`${where(pc)}: ${(e as Error).message}`);
      }
      starts.add(pc);
      insts.push(inst);
      pc = inst.next;
    }
    const last = insts[insts.length - 1]!;
    if (last.op !== Op.Ret && last.op !== Op.Br && last.op !== Op.Fail) {
      throw new Error(`${where(last.offset)}: code does not end in ret, br or fail`);
    }
    const checkI = (r: number, pc: number): void => {
      if (r >= fn.numI) throw new Error(`${where(pc)}: integer register i${r} out of range (${fn.numI})`);
    };
    const checkR = (r: number, pc: number): void => {
      if (r >= fn.numR) throw new Error(`${where(pc)}: reference register r${r} out of range (${fn.numR})`);
    };
    const checkRegs = (regs: Reg[], kinds: readonly string[], pc: number, what: string): void => {
      if (regs.length !== kinds.length) throw new Error(`${where(pc)}: ${what} takes ${kinds.length} operands, got ${regs.length}`);
      regs.forEach((r, i) => {
        if (r.kind !== kinds[i]) throw new Error(`${where(pc)}: ${what} operand ${i} must be a ${kinds[i]} register`);
        if (r.kind === 'i') checkI(r.index, pc);
        else checkR(r.index, pc);
      });
    };
    const checkTarget = (t: number, pc: number): void => {
      if (!starts.has(t)) throw new Error(`${where(pc)}: branch target ${t} is not an instruction start`);
    };
    for (const inst of insts) {
      const [a, b, c, d] = inst.operands as [number, number, number, number];
      const pc = inst.offset;
      if (BINARY.has(inst.op)) {
        checkI(a, pc); checkI(b, pc); checkI(c, pc);
        continue;
      }
      switch (inst.op) {
        case Op.ConstI: checkI(a, pc); break;
        case Op.ConstRodata:
          checkR(a, pc);
          if (b >= mod.rodata.length) throw new Error(`${where(pc)}: rodata segment #${b} does not exist`);
          break;
        case Op.ConstNull: checkR(a, pc); break;
        case Op.MovI: checkI(a, pc); checkI(b, pc); break;
        case Op.MovR: checkR(a, pc); checkR(b, pc); break;
        case Op.SelectI: checkI(a, pc); checkI(b, pc); checkI(c, pc); checkI(d, pc); break;
        case Op.Br: checkTarget(a, pc); break;
        case Op.BrIf: checkI(a, pc); checkTarget(b, pc); break;
        case Op.Call: {
          const callee = mod.functions[a];
          if (!callee) throw new Error(`${where(pc)}: call to missing function #${a}`);
          checkRegs(inst.args!, callee.params, pc, `call ${callee.name}`);
          checkRegs(inst.results!, callee.results, pc, `results of ${callee.name}`);
          break;
        }
        case Op.CallImport: {
          const imp = mod.imports[a];
          if (!imp) throw new Error(`${where(pc)}: call to missing import #${a}`);
          checkRegs(inst.args!, imp.params, pc, `call.import ${imp.name}`);
          checkRegs(inst.results!, imp.results, pc, `results of ${imp.name}`);
          break;
        }
        case Op.Ret: checkRegs(inst.args!, fn.results, pc, `ret of ${fn.name}`); break;
        case Op.Fail:
          if (a >= mod.strings.length) throw new Error(`${where(pc)}: fail message #${a} does not exist`);
          break;
        default:
          break;
      }
    }
  });
}
