import type { BufferBinding, HalBuffer, HalCommandBuffer, HalExecutable } from '../types.js';
import type { CpuExecutable } from './cpu-executable.js';
import type { CpuBuffer } from './linear-memory.js';

export type CpuCommand =
  | { kind: 'dispatch'; exe: CpuExecutable; entry: number; workgroups: readonly [number, number, number]; bindings: readonly BufferBinding[]; constants: readonly number[] }
  | { kind: 'copy'; src: CpuBuffer; srcOffset: number; dst: CpuBuffer; dstOffset: number; length: number }
  | { kind: 'fill'; buffer: CpuBuffer; offset: number; length: number; byte: number };

/** Records commands; the device replays them in order at submit (CPU work is already ordered, so barriers are no-ops). */
export class CpuCommandBuffer implements HalCommandBuffer {
  readonly commands: CpuCommand[] = [];

  dispatch(executable: HalExecutable, entryPoint: number, workgroups: readonly [number, number, number], bindings: readonly BufferBinding[], constants: readonly number[]): void {
    this.commands.push({ kind: 'dispatch', exe: executable as CpuExecutable, entry: entryPoint, workgroups, bindings, constants });
  }
  copy(src: HalBuffer, srcOffset: number, dst: HalBuffer, dstOffset: number, length: number): void {
    this.commands.push({ kind: 'copy', src: src as CpuBuffer, srcOffset, dst: dst as CpuBuffer, dstOffset, length });
  }
  fill(buffer: HalBuffer, offset: number, length: number, byte: number): void {
    this.commands.push({ kind: 'fill', buffer: buffer as CpuBuffer, offset, length, byte });
  }
  barrier(): void {}
}
