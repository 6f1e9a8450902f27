import type { BufferBinding, HalBuffer, HalCommandBuffer, HalExecutable } from '../types.js';
import type { WebGpuBuffer } from './webgpu-buffer.js';
import type { WebGpuExecutable } from './webgpu-executable.js';

export type GpuCommand =
  | { kind: 'dispatch'; exe: WebGpuExecutable; entry: number; workgroups: readonly [number, number, number]; bindings: readonly BufferBinding[]; constants: readonly number[] }
  | { kind: 'copy'; src: WebGpuBuffer; srcOffset: number; dst: WebGpuBuffer; dstOffset: number; length: number }
  | { kind: 'fill'; buffer: WebGpuBuffer; offset: number; length: number; byte: number };

/**
 * Records commands; the device encodes them at submit into one GPU command buffer, with runs of
 * dispatches in one compute pass. Barriers are no-ops: WebGPU orders every dispatch, copy and
 * clear after the writes of those recorded before it (each dispatch is its own usage scope).
 */
export class WebGpuCommandBuffer implements HalCommandBuffer {
  readonly commands: GpuCommand[] = [];

  dispatch(executable: HalExecutable, entryPoint: number, workgroups: readonly [number, number, number], bindings: readonly BufferBinding[], constants: readonly number[]): void {
    this.commands.push({ kind: 'dispatch', exe: executable as WebGpuExecutable, entry: entryPoint, workgroups: [...workgroups] as [number, number, number], bindings: bindings.map((b) => ({ ...b })), constants: [...constants] });
  }
  copy(src: HalBuffer, srcOffset: number, dst: HalBuffer, dstOffset: number, length: number): void {
    this.commands.push({ kind: 'copy', src: src as WebGpuBuffer, srcOffset, dst: dst as WebGpuBuffer, dstOffset, length });
  }
  fill(buffer: HalBuffer, offset: number, length: number, byte: number): void {
    this.commands.push({ kind: 'fill', buffer: buffer as WebGpuBuffer, offset, length, byte: byte & 0xff });
  }
  barrier(): void {}
}
