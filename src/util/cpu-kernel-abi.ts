/**
 * The contract between the wasm emitter (src/codegen/wasm) and the CPU HAL driver (src/hal/cpu):
 * both sides import it, neither imports the other.
 *
 * A CPU executable is a WebAssembly module that imports `env.memory` (a shared memory holding
 * every buffer) and exports one function per entry point with the signature
 *   (bindings: i32, constants: i32, wgX: i32, wgY: i32, wgZ: i32) -> ()
 * where `bindings` points at an i32 array of byte offsets (one per binding, in binding order)
 * and `constants` at an i32 array of push constants (dims and the like). The driver calls the
 * entry once per workgroup id, on any thread, in any order.
 */
export const CPU_EXECUTABLE_FORMAT = 'wasm-simd128';
export const CPU_ENTRY_PARAMS = 5;
export const CPU_MEMORY_IMPORT = { module: 'env', name: 'memory' } as const;

import { erf } from './erf.js';

/**
 * Math functions WebAssembly lacks, imported by kernels as `math.<name>` with f64 operands.
 * The driver passes this object (and every worker builds the same one).
 */
export const CPU_MATH_IMPORTS: Readonly<Record<string, (...a: number[]) => number>> = {
  exp: Math.exp, log: Math.log, sin: Math.sin, cos: Math.cos, tan: Math.tan,
  asin: Math.asin, acos: Math.acos, atan: Math.atan, sinh: Math.sinh, cosh: Math.cosh, tanh: Math.tanh,
  asinh: Math.asinh, acosh: Math.acosh, atanh: Math.atanh, pow: Math.pow,
  fmod: (a: number, b: number) => a % b,
  erf,
};

/** Maximum pages of the shared memory (2 GiB): kernels address it with i32 offsets. */
export const CPU_MAX_PAGES = 32768;
