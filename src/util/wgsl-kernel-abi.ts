/**
 * The contract between the WGSL emitter (src/codegen/wgsl) and the WebGPU driver
 * (src/hal/webgpu); it imports nothing, so the runtime can bundle it without the compiler.
 *
 * A WGSL executable is UTF-8 WGSL text with one `@compute` entry point per kernel. Entry point
 * `e` declares its storage bindings in `@group(0)`, binding i = the i-th buffer binding of the
 * dispatch, every one `var<storage, read_write>` (so one arena buffer can back inputs and the
 * output of the same dispatch: WebGPU forbids mixing read-only and writable usages of one buffer
 * in a dispatch). Its i32 push constants, if any, live in `@group(1) @binding(0)`, a uniform
 * `array<vec4<i32>, ceil(numParams / 4)>` bound with a dynamic offset.
 */
export const WGSL_EXECUTABLE_FORMAT = 'wgsl';
export const WGSL_PARAMS_GROUP = 1;

export interface WgslBindingMeta {
  readonly name: string;
  /** Storage dtype of the tensor (ir DType name). */
  readonly dtype: string;
  readonly access: 'read' | 'write' | 'readwrite';
  /** Smallest binding size the shader accepts, in bytes (4, or 8 for 64-bit elements). */
  readonly minBindingSize: number;
}

export interface WgslEntryMeta {
  readonly name: string;
  readonly workgroupSize: readonly [number, number, number];
  /** Workgroup counts; -1 stands for the run-time batch size; null for a count the host computes otherwise. */
  readonly workgroupCount: readonly (number | null)[];
  readonly bindings: readonly WgslBindingMeta[];
  /** i32 push constants the entry point reads (0 = no params group). */
  readonly numParams: number;
}

export interface WgslExecutableMeta {
  readonly entryPoints: readonly WgslEntryMeta[];
  /**
   * What the executable computes differently from the CPU, for people: types computed in
   * narrower ones (i64 as i32, f64 as f32) and emulated storage (f64 and sub-word elements).
   */
  readonly narrowed: readonly string[];
}

/** Round-up of a byte count to WebGPU's 4-byte granule of buffer sizes, copies and bindings. */
export const alignTo4 = (n: number): number => Math.ceil(n / 4) * 4;
