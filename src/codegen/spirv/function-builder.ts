// One SPIR-V function under construction: its blocks, its Function-storage variables (which
// SPIR-V requires at the top of the entry block) and typed instruction helpers.
import { instruction } from './module-builder.js';
import { FunctionControl, Op, StorageClass } from './spirv-enums.js';
import type { ModuleTypes, Num, Val } from './module-types.js';

export class FunctionBuilder {
  readonly id: number;
  private readonly variables: number[] = [];
  private readonly code: number[] = [];
  private readonly entryLabel: number;
  /** Whether the current block still accepts instructions (no terminator yet). */
  private open = true;

  constructor(readonly types: ModuleTypes) {
    this.id = types.b.id();
    this.entryLabel = types.b.id();
  }

  /** An instruction with a result: returns the result id. */
  op(opcode: number, resultType: number, operands: readonly number[]): number {
    const result = this.types.b.id();
    this.inst(opcode, [resultType, result, ...operands]);
    return result;
  }

  /** Same as `op`, typed. */
  val(opcode: number, t: Num, operands: readonly number[]): Val {
    return { id: this.op(opcode, this.types.num(t), operands), t };
  }

  /** An instruction without a result (stores, branches, merges). */
  inst(opcode: number, operands: readonly number[]): void {
    if (!this.open) throw new Error('SPIR-V emitter: instruction after a block terminator');
    this.code.push(...instruction(opcode, operands));
    if (opcode === Op.Branch || opcode === Op.BranchConditional || opcode === Op.Return) this.open = false;
  }

  /** A GLSL.std.450 instruction. */
  glsl(inst: number, t: Num, operands: readonly number[]): Val;
  glsl(inst: number, t: number, operands: readonly number[]): number;
  glsl(inst: number, t: Num | number, operands: readonly number[]): Val | number {
    const type = typeof t === 'number' ? t : this.types.num(t);
    const id = this.op(Op.ExtInst, type, [this.types.glsl, inst, ...operands]);
    return typeof t === 'number' ? id : { id, t };
  }

  newLabel(): number {
    return this.types.b.id();
  }

  /** Starts block `label`; the previous block must have been terminated. */
  block(label: number): void {
    if (this.open) throw new Error('SPIR-V emitter: new block while the previous one is open');
    this.code.push(...instruction(Op.Label, [label]));
    this.open = true;
  }

  branch(label: number): void {
    this.inst(Op.Branch, [label]);
  }

  /** A Function-storage variable of scalar type `t` (returns the pointer id). */
  variable(t: Num): number {
    const ptr = this.types.pointer(StorageClass.Function, this.types.num(t));
    const id = this.types.b.id();
    this.variables.push(...instruction(Op.Variable, [ptr, id, StorageClass.Function]));
    return id;
  }

  constant(t: Num, v: number): Val {
    return { id: this.types.constant(t, v), t };
  }

  /** The words of `void f()` with this body; terminates the last block with OpReturn. */
  finish(): number[] {
    if (this.open) this.inst(Op.Return, []);
    const fnType = this.types.b.typeFunction(this.types.void, []);
    return [
      ...instruction(Op.Function, [this.types.void, this.id, FunctionControl.None, fnType]),
      ...instruction(Op.Label, [this.entryLabel]),
      ...this.variables,
      ...this.code,
      ...instruction(Op.FunctionEnd, []),
    ];
  }
}
