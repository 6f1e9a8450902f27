import { BytecodeBuilder } from './bytecode-builder.js';
import type { ArgKind, VmExecutable, VmExport, VmFunction, VmImport, VmModule } from './module.js';

/**
 * Assembles a module from functions built with BytecodeBuilder: interns imports and strings,
 * collects rodata and executables, and lays the functions' code out one after another.
 */
export class ModuleAssembler {
  private readonly functions: { fn: Omit<VmFunction, 'codeOffset' | 'codeLength'>; code: Uint8Array }[] = [];
  private readonly imports: VmImport[] = [];
  private readonly importIndex = new Map<string, number>();
  private readonly strings: string[] = [];
  private readonly stringIndex = new Map<string, number>();
  readonly rodata: Uint8Array[] = [];
  readonly executables: VmExecutable[] = [];
  readonly exports: VmExport[] = [];
  readonly metadata: Record<string, string> = {};

  /** Index of an import, declaring it on first use. */
  importFn(name: string, params: ArgKind[], results: ArgKind[]): number {
    const known = this.importIndex.get(name);
    if (known !== undefined) return known;
    this.imports.push({ name, params, results });
    this.importIndex.set(name, this.imports.length - 1);
    return this.imports.length - 1;
  }

  string(s: string): number {
    const known = this.stringIndex.get(s);
    if (known !== undefined) return known;
    this.strings.push(s);
    this.stringIndex.set(s, this.strings.length - 1);
    return this.strings.length - 1;
  }

  addRodata(bytes: Uint8Array): number {
    this.rodata.push(bytes);
    return this.rodata.length - 1;
  }

  addExecutable(exe: VmExecutable): number {
    const i = this.executables.findIndex((e) => e.hash === exe.hash && e.format === exe.format);
    if (i >= 0) return i;
    this.executables.push(exe);
    return this.executables.length - 1;
  }

  /** Reserves a function index (so functions can call each other) and returns its builder. */
  addFunction(name: string, params: ArgKind[], results: ArgKind[], numI: number, numR: number, code: BytecodeBuilder): number {
    this.functions.push({ fn: { name, params, results, numI, numR }, code: code.finish() });
    return this.functions.length - 1;
  }

  finish(): VmModule {
    let offset = 0;
    const functions: VmFunction[] = this.functions.map(({ fn, code }) => {
      const f = { ...fn, codeOffset: offset, codeLength: code.length };
      offset += code.length;
      return f;
    });
    const bytecode = new Uint8Array(offset);
    this.functions.forEach(({ code }, i) => bytecode.set(code, functions[i]!.codeOffset));
    return {
      functions,
      imports: this.imports,
      exports: this.exports,
      bytecode,
      strings: this.strings,
      executables: this.executables,
      rodata: this.rodata,
      metadata: this.metadata,
    };
  }
}
