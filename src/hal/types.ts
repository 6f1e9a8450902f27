/**
 * The hardware abstraction layer, after Vulkan and IREE's HAL: a device owns an allocator and a
 * queue; work is recorded into command buffers (dispatches, copies, fills, barriers) and
 * submitted; completion is observed through a timeline semaphore. Drivers: cpu-sync, cpu
 * (worker pool), webgpu.
 */

export type BufferUsage = 'transient' | 'constant' | 'io';

export interface HalBuffer {
  readonly byteLength: number;
  readonly usage: BufferUsage;
}

/** A binding of a dispatch: a range of a buffer. */
export interface BufferBinding {
  buffer: HalBuffer;
  offset: number;
  length: number;
}

export interface HalAllocator {
  allocate(byteLength: number, usage: BufferUsage): HalBuffer;
  /** Makes read-only bytes (module rodata) a buffer, without copying where the driver can. */
  importConstant(bytes: Uint8Array): HalBuffer;
  release(buffer: HalBuffer): void;
}

/** A loaded device executable (one per module executable). */
export interface HalExecutable {
  readonly entryPoints: readonly string[];
}

export interface HalCommandBuffer {
  dispatch(
    executable: HalExecutable,
    entryPoint: number,
    workgroups: readonly [number, number, number],
    bindings: readonly BufferBinding[],
    constants: readonly number[],
  ): void;
  copy(src: HalBuffer, srcOffset: number, dst: HalBuffer, dstOffset: number, length: number): void;
  fill(buffer: HalBuffer, offset: number, length: number, byte: number): void;
  /** Orders everything recorded before it ahead of everything after it. */
  barrier(): void;
}

/** Timeline semaphore: a monotonically increasing value that work signals and hosts wait on. */
export interface HalSemaphore {
  readonly value: number;
  wait(value: number): Promise<void>;
}

export interface ExecutableSource {
  format: string;
  code: Uint8Array;
  meta: Record<string, unknown>;
}

export interface HalDevice {
  /** Driver name: `cpu-sync`, `cpu`, `webgpu`. */
  readonly driver: string;
  /** Executable formats the device loads, best first (e.g. `wasm-simd128`). */
  readonly formats: readonly string[];
  /** Human-readable: CPU model and thread count, GPU adapter name. */
  readonly description: string;
  readonly allocator: HalAllocator;
  loadExecutable(source: ExecutableSource): Promise<HalExecutable>;
  createCommandBuffer(): HalCommandBuffer;
  /** Submits command buffers in order; the semaphore reaches `signalValue` when they are done. */
  submit(commandBuffers: readonly HalCommandBuffer[], semaphore: HalSemaphore, signalValue: number): void;
  createSemaphore(initial?: number): HalSemaphore;
  write(buffer: HalBuffer, offset: number, data: Uint8Array): Promise<void>;
  read(buffer: HalBuffer, offset: number, length: number): Promise<Uint8Array>;
  destroy(): Promise<void>;
}
