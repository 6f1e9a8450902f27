// A SPIR-V binary module under construction: id allocation, the module's logical sections in the
// order the specification requires, and de-duplicated types and constants.
import { AddressingModel, MemoryModel, Op, SPIRV_GENERATOR, SPIRV_MAGIC, SPIRV_VERSION_1_3 } from './spirv-enums.js';

/** Words of one instruction: the word count and opcode, then the operands. */
export function instruction(opcode: number, operands: readonly number[]): number[] {
  const count = operands.length + 1;
  if (count > 0xffff) throw new Error(`SPIR-V instruction ${opcode} has too many operands`);
  return [(count << 16) | opcode, ...operands];
}

/** A literal string: UTF-8, nul-terminated, padded to whole words (little-endian within a word). */
export function stringWords(s: string): number[] {
  const bytes = new TextEncoder().encode(s);
  const words = new Array<number>(Math.floor(bytes.length / 4) + 1).fill(0);
  bytes.forEach((b, i) => {
    words[i >> 2]! |= b << ((i & 3) * 8);
  });
  return words.map((w) => w >>> 0);
}

/** 32-bit pattern of an f32 number (rounded to nearest f32). */
export function f32Bits(v: number): number {
  const buf = new DataView(new ArrayBuffer(4));
  buf.setFloat32(0, v, true);
  return buf.getUint32(0, true);
}

export class SpirvModuleBuilder {
  private nextId = 1;
  private readonly capabilities = new Set<number>();
  private readonly extensions = new Set<string>();
  private readonly extInstImports = new Map<string, number>();
  private readonly entryPoints: number[] = [];
  private readonly executionModes: number[] = [];
  private readonly debugNames: number[] = [];
  private readonly annotations: number[] = [];
  /** Types, constants and global variables, in declaration order. */
  private readonly globals: number[] = [];
  private readonly functions: number[] = [];
  private readonly interned = new Map<string, number>();

  id(): number {
    return this.nextId++;
  }

  capability(c: number): void {
    this.capabilities.add(c);
  }

  extension(name: string): void {
    this.extensions.add(name);
  }

  extInstImport(name: string): number {
    let id = this.extInstImports.get(name);
    if (id === undefined) {
      id = this.id();
      this.extInstImports.set(name, id);
    }
    return id;
  }

  entryPoint(model: number, fn: number, name: string, interfaceIds: readonly number[]): void {
    this.entryPoints.push(...instruction(Op.EntryPoint, [model, fn, ...stringWords(name), ...interfaceIds]));
  }

  executionMode(fn: number, mode: number, literals: readonly number[]): void {
    this.executionModes.push(...instruction(Op.ExecutionMode, [fn, mode, ...literals]));
  }

  name(target: number, name: string): void {
    this.debugNames.push(...instruction(Op.Name, [target, ...stringWords(name)]));
  }

  memberName(struct: number, member: number, name: string): void {
    this.debugNames.push(...instruction(Op.MemberName, [struct, member, ...stringWords(name)]));
  }

  decorate(target: number, decoration: number, literals: readonly number[] = []): void {
    this.annotations.push(...instruction(Op.Decorate, [target, decoration, ...literals]));
  }

  memberDecorate(struct: number, member: number, decoration: number, literals: readonly number[] = []): void {
    this.annotations.push(...instruction(Op.MemberDecorate, [struct, member, decoration, ...literals]));
  }

  /**
   * Declares a global instruction with a fresh result id (structs, arrays, variables: each
   * declaration is a distinct object); `operands` gets that id and returns all operands.
   */
  declare(opcode: number, operands: (result: number) => readonly number[]): number {
    const result = this.id();
    this.globals.push(...instruction(opcode, operands(result)));
    return result;
  }

  /**
   * Declares a global instruction once per distinct (opcode, result type, operands): SPIR-V
   * forbids duplicate scalar and vector types, and sharing constants keeps modules small.
   */
  private intern(opcode: number, resultType: number | undefined, operands: readonly number[]): number {
    const key = `${opcode}:${resultType ?? ''}:${operands.join(',')}`;
    let id = this.interned.get(key);
    if (id === undefined) {
      id = this.id();
      const head = resultType === undefined ? [id] : [resultType, id];
      this.globals.push(...instruction(opcode, [...head, ...operands]));
      this.interned.set(key, id);
    }
    return id;
  }

  typeVoid(): number { return this.intern(Op.TypeVoid, undefined, []); }
  typeBool(): number { return this.intern(Op.TypeBool, undefined, []); }
  typeInt(width: number, signed: boolean): number { return this.intern(Op.TypeInt, undefined, [width, signed ? 1 : 0]); }
  typeFloat(width: number): number { return this.intern(Op.TypeFloat, undefined, [width]); }
  typeVector(component: number, count: number): number { return this.intern(Op.TypeVector, undefined, [component, count]); }
  typePointer(storageClass: number, pointee: number): number { return this.intern(Op.TypePointer, undefined, [storageClass, pointee]); }
  typeFunction(result: number, params: readonly number[]): number { return this.intern(Op.TypeFunction, undefined, [result, ...params]); }

  /** A 32-bit scalar constant given by its bit pattern. */
  constant32(type: number, bits: number): number {
    return this.intern(Op.Constant, type, [bits >>> 0]);
  }

  constantBool(value: boolean): number {
    return this.intern(value ? Op.ConstantTrue : Op.ConstantFalse, this.typeBool(), []);
  }

  /** Appends a finished function's words. */
  addFunction(words: readonly number[]): void {
    this.functions.push(...words);
  }

  build(): Uint8Array {
    const words: number[] = [SPIRV_MAGIC, SPIRV_VERSION_1_3, SPIRV_GENERATOR, this.nextId, 0];
    for (const c of [...this.capabilities].sort((a, b) => a - b)) words.push(...instruction(Op.Capability, [c]));
    for (const e of [...this.extensions].sort()) words.push(...instruction(Op.Extension, stringWords(e)));
    for (const [name, id] of this.extInstImports) words.push(...instruction(Op.ExtInstImport, [id, ...stringWords(name)]));
    words.push(...instruction(Op.MemoryModel, [AddressingModel.Logical, MemoryModel.GLSL450]));
    words.push(...this.entryPoints, ...this.executionModes, ...this.debugNames, ...this.annotations, ...this.globals, ...this.functions);
    const out = new Uint8Array(words.length * 4);
    const view = new DataView(out.buffer);
    words.forEach((w, i) => view.setUint32(i * 4, w >>> 0, true));
    return out;
  }
}
