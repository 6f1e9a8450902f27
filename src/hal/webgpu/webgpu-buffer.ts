/// <reference types="@webgpu/types" />
import type { BufferUsage, HalBuffer } from '../types.js';

/** WebGPU's buffer usage bits (fixed by the spec; no globals needed). */
export const GPU_BUFFER_USAGE = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80 } as const;
export const GPU_MAP_MODE_READ = 0x1;
export const GPU_SHADER_STAGE_COMPUTE = 0x4;

/** A HAL buffer backed by one GPUBuffer (storage | copy_src | copy_dst, size rounded up to 4). */
export class WebGpuBuffer implements HalBuffer {
  constructor(
    /** Unique per device: keys the bind-group cache. */
    readonly id: number,
    readonly gpu: GPUBuffer,
    readonly byteLength: number,
    readonly usage: BufferUsage,
  ) {}
}
