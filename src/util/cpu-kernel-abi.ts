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
