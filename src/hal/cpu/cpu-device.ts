import { availableParallelism, cpus } from 'node:os';
import { CPU_EXECUTABLE_FORMAT, CPU_MATH_IMPORTS } from '../../util/cpu-kernel-abi.js';
import { IreetsError } from '../../util/errors.js';
import { TimelineSemaphore } from '../semaphore.js';
import type { BufferUsage, ExecutableSource, HalAllocator, HalBuffer, HalCommandBuffer, HalDevice, HalExecutable, HalSemaphore } from '../types.js';
import { CpuCommandBuffer, type CpuCommand } from './command-buffer.js';
import type { CommandTimer } from './command-timer.js';
import { CpuExecutable } from './cpu-executable.js';
import { CpuBuffer, LinearMemory } from './linear-memory.js';
import { WorkerPool } from './worker-pool.js';

export interface CpuDeviceOptions {
  /** Threads that run workgroups, the calling thread included. 1 = `cpu-sync` (no workers). */
  threads?: number;
}

type Entry = (b: number, c: number, x: number, y: number, z: number) => void;

/**
 * The CPU device: buffers live in one shared wasm memory; executables are wasm modules run
 * workgroup by workgroup on the calling thread (`cpu-sync`) or across a worker pool (`cpu`).
 */
export class CpuDevice implements HalDevice {
  readonly formats = [CPU_EXECUTABLE_FORMAT];
  readonly allocator: HalAllocator;
  /** Profiling hook: when set, every executed command is timed and reported to it. */
  commandTimer: CommandTimer | undefined;
  private nextExecutable = 0;

  private constructor(
    readonly driver: string,
    readonly threads: number,
    readonly mem: LinearMemory,
    private readonly pool: WorkerPool | undefined,
  ) {
    this.allocator = {
      allocate: (n: number, usage: BufferUsage) => mem.allocate(n, usage),
      importConstant: (bytes: Uint8Array) => {
        // Wasm can only address its own memory: constants are copied in once, at load.
        const b = mem.allocate(bytes.length, 'constant');
        mem.bytes.set(bytes, b.offset);
        return b;
      },
      release: (b: HalBuffer) => mem.release(b as CpuBuffer),
    };
  }

  static async create(options: CpuDeviceOptions = {}): Promise<CpuDevice> {
    const threads = Math.max(1, options.threads ?? availableParallelism());
    const mem = new LinearMemory(true);
    const pool = threads > 1 ? await WorkerPool.start(threads - 1, mem.memory) : undefined;
    return new CpuDevice(threads > 1 ? 'cpu' : 'cpu-sync', threads, mem, pool);
  }

  get description(): string {
    return `${cpus()[0]?.model ?? 'CPU'}, ${this.threads} thread${this.threads > 1 ? 's' : ''}`;
  }

  async loadExecutable(source: ExecutableSource): Promise<HalExecutable> {
    if (source.format !== CPU_EXECUTABLE_FORMAT) {
      throw new IreetsError('MODULE_CORRUPT', `CPU device cannot load executables of format ${source.format}`);
    }
    const entryPoints = (source.meta['entryPoints'] as { name: string }[] | undefined)?.map((e) => e.name) ?? [];
    let module: WebAssembly.Module;
    try {
      module = await WebAssembly.compile(source.code as Uint8Array<ArrayBuffer>);
    } catch (e) {
      throw new IreetsError('MODULE_CORRUPT', `executable does not compile: ${(e as Error).message}`);
    }
    const inst = await WebAssembly.instantiate(module, { env: { memory: this.mem.memory }, math: CPU_MATH_IMPORTS });
    const entries = entryPoints.map((n) => {
      const f = inst.exports[n];
      if (typeof f !== 'function') throw new IreetsError('MODULE_CORRUPT', `executable lacks entry point ${n}`);
      return f as Entry;
    });
    const id = this.nextExecutable++;
    await this.pool?.load(id, module, entryPoints);
    return new CpuExecutable(id, module, entryPoints, entries, source);
  }

  createCommandBuffer(): HalCommandBuffer {
    return new CpuCommandBuffer();
  }

  createSemaphore(initial = 0): HalSemaphore {
    return new TimelineSemaphore(initial);
  }

  submit(commandBuffers: readonly HalCommandBuffer[], semaphore: HalSemaphore, signalValue: number): void {
    for (const cb of commandBuffers) this.execute(cb as CpuCommandBuffer);
    (semaphore as TimelineSemaphore).signal(signalValue);
  }

  private execute(cb: CpuCommandBuffer): void {
    const timer = this.commandTimer;
    for (const cmd of cb.commands) {
      if (timer) {
        const t0 = performance.now();
        this.run(cmd);
        timer({ command: cmd, ms: performance.now() - t0 });
      } else {
        this.run(cmd);
      }
    }
  }

  private run(cmd: CpuCommand): void {
    if (cmd.kind === 'copy') {
      this.mem.bytes.copyWithin(cmd.dst.offset + cmd.dstOffset, cmd.src.offset + cmd.srcOffset, cmd.src.offset + cmd.srcOffset + cmd.length);
    } else if (cmd.kind === 'fill') {
      this.mem.bytes.fill(cmd.byte, cmd.buffer.offset + cmd.offset, cmd.buffer.offset + cmd.offset + cmd.length);
    } else {
      // Argument tables go to the scratch area at the bottom of memory: binding offsets, then constants.
      const table = new Int32Array(this.mem.memory.buffer, 0, 1024 * 8);
      cmd.bindings.forEach((bd, i) => { table[i] = (bd.buffer as CpuBuffer).offset + bd.offset; });
      const cBase = cmd.bindings.length;
      cmd.constants.forEach((v, i) => { table[cBase + i] = v; });
      const entry = cmd.exe.entries[cmd.entry]!;
      const [nx, ny, nz] = cmd.workgroups;
      if (nx * ny * nz === 0) return;
      if (this.pool) {
        this.pool.dispatch(cmd.exe.id, cmd.entry, entry, 0, cBase * 4, cmd.workgroups);
      } else {
        for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) entry(0, cBase * 4, x, y, z);
      }
    }
  }

  async write(buffer: HalBuffer, offset: number, data: Uint8Array): Promise<void> {
    this.mem.bytes.set(data, (buffer as CpuBuffer).offset + offset);
  }

  async read(buffer: HalBuffer, offset: number, length: number): Promise<Uint8Array> {
    const start = (buffer as CpuBuffer).offset + offset;
    return this.mem.bytes.slice(start, start + length);
  }

  async destroy(): Promise<void> {
    await this.pool?.stop();
  }
}
