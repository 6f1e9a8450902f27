/** The in-memory form of a VM module (what the writer serialises and the reader validates). */

export type ArgKind = 'i' | 'r';

export interface VmFunction {
  name: string;
  /** Register counts of each bank. */
  numI: number;
  numR: number;
  /** Parameter registers, in order: `i3` / `r0`. Results come back through `ret`. */
  params: ArgKind[];
  results: ArgKind[];
  /** Byte range of the function's code in the module's bytecode. */
  codeOffset: number;
  codeLength: number;
}

export interface VmImport {
  /** e.g. `hal.command_buffer.dispatch` */
  name: string;
  params: ArgKind[];
  results: ArgKind[];
}

/** A tensor in an exported function's signature; dims are numbers or symbol names. */
export interface TensorSignature {
  name: string;
  dtype: string;
  shape: (number | string)[];
}

export interface VmExport {
  name: string;
  /** The target whose host program this is; a module has one `main` per target. */
  target?: string;
  functionIndex: number;
  inputs: TensorSignature[];
  outputs: TensorSignature[];
}

/** A device executable: the code for one target (wasm bytes, WGSL text, SPIR-V words). */
export interface VmExecutable {
  /** Content hash of `code`, the key executables are stored and shared by. */
  hash: string;
  /** Target format, e.g. `wasm-simd128`, `wgsl`, `spirv`. */
  format: string;
  code: Uint8Array;
  /** Format-specific metadata: entry points, binding layout, workgroup size and count formula. */
  meta: Record<string, unknown>;
}

export interface VmModule {
  functions: VmFunction[];
  imports: VmImport[];
  exports: VmExport[];
  bytecode: Uint8Array;
  strings: string[];
  executables: VmExecutable[];
  /** Read-only data (weights), each aligned in the file so it can be viewed without copying. */
  rodata: Uint8Array[];
  metadata: Record<string, string>;
}
