import { CPU_MAX_PAGES } from '../../util/cpu-kernel-abi.js';
import type { BufferUsage, HalBuffer } from '../types.js';

const PAGE = 65536;
const ALIGN = 64;
/** 2 GiB: kernels address memory with i32 offsets, so stay below 2^31. */
export const MAX_PAGES = CPU_MAX_PAGES;
/** Bytes at the start of memory reserved for dispatch argument tables. */
export const SCRATCH_BYTES = 64 * 1024;

/** A buffer on the CPU device: a byte range of the shared wasm memory. */
export class CpuBuffer implements HalBuffer {
  constructor(readonly offset: number, readonly byteLength: number, readonly usage: BufferUsage) {}
}

/**
 * One shared WebAssembly.Memory holds every buffer, so kernels on any worker read and write
 * them in place. Allocation is first-fit over a free list, aligned to 64 bytes.
 */
export class LinearMemory {
  readonly memory: WebAssembly.Memory;
  private free: { offset: number; size: number }[] = [];
  private top = SCRATCH_BYTES;

  constructor(shared: boolean) {
    this.memory = new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared });
  }

  get bytes(): Uint8Array {
    return new Uint8Array(this.memory.buffer);
  }

  allocate(byteLength: number, usage: BufferUsage): CpuBuffer {
    const size = Math.max(ALIGN, Math.ceil(byteLength / ALIGN) * ALIGN);
    const i = this.free.findIndex((f) => f.size >= size);
    if (i >= 0) {
      const f = this.free[i]!;
      const buf = new CpuBuffer(f.offset, byteLength, usage);
      if (f.size === size) this.free.splice(i, 1);
      else this.free[i] = { offset: f.offset + size, size: f.size - size };
      return buf;
    }
    const offset = this.top;
    this.ensure(offset + size);
    this.top += size;
    return new CpuBuffer(offset, byteLength, usage);
  }

  release(buf: CpuBuffer): void {
    const size = Math.max(ALIGN, Math.ceil(buf.byteLength / ALIGN) * ALIGN);
    this.free.push({ offset: buf.offset, size });
    this.free.sort((a, b) => a.offset - b.offset);
    // Coalesce neighbours, and give the tail back to the bump pointer.
    const merged: { offset: number; size: number }[] = [];
    for (const f of this.free) {
      const last = merged[merged.length - 1];
      if (last && last.offset + last.size === f.offset) last.size += f.size;
      else merged.push({ ...f });
    }
    const tail = merged[merged.length - 1];
    if (tail && tail.offset + tail.size === this.top) {
      this.top = tail.offset;
      merged.pop();
    }
    this.free = merged;
  }

  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const pages = Math.ceil((end - have) / PAGE);
    if (have / PAGE + pages > MAX_PAGES) {
      throw new Error(`CPU device memory exhausted: ${end} bytes needed, limit ${MAX_PAGES * PAGE}`);
    }
    this.memory.grow(pages);
  }
}
