import type { ExecutableSource, HalExecutable } from '../types.js';

/** A compiled CPU executable: the wasm module (shared with workers) and its entry points. */
export class CpuExecutable implements HalExecutable {
  constructor(
    readonly id: number,
    readonly module: WebAssembly.Module,
    readonly entryPoints: readonly string[],
    /** Entry functions instantiated on the calling thread. */
    readonly entries: readonly ((b: number, c: number, x: number, y: number, z: number) => void)[],
    /** What it was loaded from (profilers map timed dispatches back to module executables by it). */
    readonly source?: ExecutableSource,
  ) {}
}
