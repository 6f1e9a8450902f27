import { decodeInstruction, formatReg } from './decode.js';
import type { VmModule } from './module.js';
import { Op, OP_NAMES } from './opcodes.js';

/** Human-readable listing of every function (for `ireets dump` and golden tests). */
export function disassemble(mod: VmModule): string {
  const lines: string[] = [];
  mod.functions.forEach((fn, fi) => {
    const params = fn.params.join(', ');
    lines.push(`func #${fi} ${fn.name}(${params}) -> (${fn.results.join(', ')})  ; i-regs ${fn.numI}, r-regs ${fn.numR}`);
    const view = new DataView(mod.bytecode.buffer, mod.bytecode.byteOffset + fn.codeOffset, fn.codeLength);
    for (let pc = 0; pc < fn.codeLength;) {
      const inst = decodeInstruction(view, pc);
      lines.push(`  ${String(pc).padStart(5)}  ${formatInstruction(mod, inst.op, inst.operands, inst.args, inst.results)}`);
      pc = inst.next;
    }
  });
  return lines.join('\n') + '\n';
}

function formatInstruction(
  mod: VmModule, op: Op, o: number[], args?: { kind: string; index: number }[], results?: { kind: string; index: number }[],
): string {
  const name = OP_NAMES[op]!;
  const list = (rs?: { kind: string; index: number }[]): string => `(${(rs ?? []).map((r) => formatReg(r as never)).join(', ')})`;
  switch (op) {
    case Op.ConstI: return `${name} i${o[0]}, ${o[1]}`;
    case Op.ConstRodata: return `${name} r${o[0]}, rodata#${o[1]}`;
    case Op.ConstNull: return `${name} r${o[0]}`;
    case Op.MovI: return `${name} i${o[0]}, i${o[1]}`;
    case Op.MovR: return `${name} r${o[0]}, r${o[1]}`;
    case Op.SelectI: return `${name} i${o[0]}, i${o[1]} ? i${o[2]} : i${o[3]}`;
    case Op.Br: return `${name} @${o[0]}`;
    case Op.BrIf: return `${name} i${o[0]}, @${o[1]}`;
    case Op.Call: return `${name} ${mod.functions[o[0]!]?.name ?? `#${o[0]}`}${list(args)} -> ${list(results)}`;
    case Op.CallImport: return `${name} ${mod.imports[o[0]!]?.name ?? `#${o[0]}`}${list(args)} -> ${list(results)}`;
    case Op.Ret: return `${name} ${list(args)}`;
    case Op.Fail: return `${name} ${JSON.stringify(mod.strings[o[0]!] ?? '')}`;
    default: return `${name} i${o[0]}, i${o[1]}, i${o[2]}`;
  }
}
