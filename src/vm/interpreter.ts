import { IreetsError } from '../util/errors.js';
import type { VmModule } from './module.js';
import { Op, REF_BIT } from './opcodes.js';

/** A host function the module imports (HAL calls). Integer args arrive as numbers. */
export type ImportFn = (args: unknown[]) => unknown[] | Promise<unknown[]>;

const MAX_CALL_DEPTH = 256;

/**
 * Runs validated modules (see readModule: the interpreter relies on validation and does no
 * bounds checks of its own). Imports resolve by name once, at construction.
 */
export class VmInstance {
  private readonly imports: ImportFn[];

  constructor(readonly mod: VmModule, imports: Readonly<Record<string, ImportFn>>) {
    this.imports = mod.imports.map((imp) => {
      const fn = imports[imp.name];
      if (!fn) throw new IreetsError('MODULE_CORRUPT', `module imports ${imp.name}, which this runtime does not provide`);
      return fn;
    });
  }

  /** Calls an exported function by name. */
  async invokeExport(name: string, args: unknown[]): Promise<unknown[]> {
    const ex = this.mod.exports.find((e) => e.name === name);
    if (!ex) throw new IreetsError('INPUT_INVALID', `module has no export named ${name}`);
    return this.invoke(ex.functionIndex, args, 0);
  }

  async invoke(fnIndex: number, args: unknown[], depth = 0): Promise<unknown[]> {
    const fn = this.mod.functions[fnIndex]!;
    if (depth > MAX_CALL_DEPTH) throw new IreetsError('INTERNAL', `call depth exceeds ${MAX_CALL_DEPTH} in ${fn.name}`);
    if (args.length !== fn.params.length) {
      throw new IreetsError('INPUT_INVALID', `${fn.name} takes ${fn.params.length} arguments, got ${args.length}`);
    }
    const iregs = new Float64Array(fn.numI);
    const rregs = new Array<unknown>(fn.numR).fill(null);
    // Parameters occupy the first registers of each bank, in order.
    let ni = 0;
    let nr = 0;
    fn.params.forEach((k, i) => {
      if (k === 'i') iregs[ni++] = args[i] as number;
      else rregs[nr++] = args[i];
    });
    const bc = this.mod.bytecode;
    const view = new DataView(bc.buffer, bc.byteOffset + fn.codeOffset, fn.codeLength);
    const readList = (pc: number): [unknown[], number[], number] => {
      const n = view.getUint8(pc);
      const vals: unknown[] = [];
      const raw: number[] = [];
      for (let k = 0; k < n; k++) {
        const r = view.getUint16(pc + 1 + 2 * k, true);
        raw.push(r);
        vals.push(r & REF_BIT ? rregs[r & ~REF_BIT] : iregs[r]);
      }
      return [vals, raw, pc + 1 + 2 * n];
    };
    const writeList = (raw: number[], vals: unknown[]): void => {
      raw.forEach((r, k) => {
        if (r & REF_BIT) rregs[r & ~REF_BIT] = vals[k];
        else iregs[r] = vals[k] as number;
      });
    };
    let pc = 0;
    for (;;) {
      const op = view.getUint8(pc) as Op;
      switch (op) {
        case Op.ConstI: iregs[view.getUint16(pc + 1, true)] = view.getFloat64(pc + 3, true); pc += 11; break;
        case Op.ConstRodata: rregs[view.getUint16(pc + 1, true)] = this.mod.rodata[view.getUint32(pc + 3, true)]; pc += 7; break;
        case Op.ConstNull: rregs[view.getUint16(pc + 1, true)] = null; pc += 3; break;
        case Op.MovI: iregs[view.getUint16(pc + 1, true)] = iregs[view.getUint16(pc + 3, true)]!; pc += 5; break;
        case Op.MovR: rregs[view.getUint16(pc + 1, true)] = rregs[view.getUint16(pc + 3, true)]; pc += 5; break;
        case Op.SelectI: {
          const c = iregs[view.getUint16(pc + 3, true)]!;
          iregs[view.getUint16(pc + 1, true)] = c !== 0 ? iregs[view.getUint16(pc + 5, true)]! : iregs[view.getUint16(pc + 7, true)]!;
          pc += 9;
          break;
        }
        case Op.Br: pc = view.getUint32(pc + 1, true); break;
        case Op.BrIf: pc = iregs[view.getUint16(pc + 1, true)] !== 0 ? view.getUint32(pc + 3, true) : pc + 7; break;
        case Op.Call:
        case Op.CallImport: {
          const index = view.getUint16(pc + 1, true);
          const [vals, , afterArgs] = readList(pc + 3);
          const n = view.getUint8(afterArgs);
          const raw: number[] = [];
          for (let k = 0; k < n; k++) raw.push(view.getUint16(afterArgs + 1 + 2 * k, true));
          let results: unknown[];
          if (op === Op.Call) {
            results = await this.invoke(index, vals, depth + 1);
          } else {
            const r = this.imports[index]!(vals);
            results = r instanceof Promise ? await r : r;
          }
          writeList(raw, results);
          pc = afterArgs + 1 + 2 * n;
          break;
        }
        case Op.Ret: return readList(pc + 1)[0];
        case Op.Fail:
          throw new IreetsError('INPUT_INVALID', this.mod.strings[view.getUint32(pc + 1, true)]!, fn.name);
        default: {
          const a = iregs[view.getUint16(pc + 3, true)]!;
          const b = iregs[view.getUint16(pc + 5, true)]!;
          iregs[view.getUint16(pc + 1, true)] = binaryI(op, a, b, fn.name);
          pc += 7;
        }
      }
    }
  }
}

function binaryI(op: Op, a: number, b: number, where: string): number {
  switch (op) {
    case Op.AddI: return a + b;
    case Op.SubI: return a - b;
    case Op.MulI: return a * b;
    case Op.DivI:
      if (b === 0) throw new IreetsError('INPUT_INVALID', 'integer division by zero', where);
      return Math.trunc(a / b);
    case Op.RemI:
      if (b === 0) throw new IreetsError('INPUT_INVALID', 'integer remainder by zero', where);
      return a % b;
    case Op.MinI: return Math.min(a, b);
    case Op.MaxI: return Math.max(a, b);
    case Op.CeilDivI:
      if (b === 0) throw new IreetsError('INPUT_INVALID', 'integer division by zero', where);
      return Math.ceil(a / b);
    case Op.CmpEqI: return a === b ? 1 : 0;
    case Op.CmpNeI: return a !== b ? 1 : 0;
    case Op.CmpLtI: return a < b ? 1 : 0;
    case Op.CmpLeI: return a <= b ? 1 : 0;
    default: throw new IreetsError('MODULE_CORRUPT', `bad opcode 0x${(op as number).toString(16)}`, where);
  }
}
