// One dispatch of a model, timed alone (after IREE's dispatch benchmarks): the module runs once
// on a recording device to capture every dispatch with the buffers the model really gives it
// (inputs, weights, intermediate values), the buffers are kept alive, and then one dispatch is
// replayed in batches of back-to-back submissions on the real device. Works on any HAL device.
import type { BufferBinding, ExecutableSource, HalBuffer, HalCommandBuffer, HalDevice, HalExecutable, HalSemaphore, BufferUsage } from '../hal/types.js';
import { IreetsError } from '../util/errors.js';
import type { TensorSignature } from '../vm/module.js';
import { latencyStats, type LatencyStats } from './benchmark.js';
import { Session, type ModuleParameters } from './session.js';
import type { RuntimeTensor } from './tensor.js';

/** A dispatch as the host program recorded it. */
export interface CapturedDispatch {
  /** Position among the run's dispatches. */
  ordinal: number;
  /** Index of its executable in the module (-1 if unknown). */
  executable: number;
  executableHash: string;
  entryPoint: number;
  workgroups: readonly [number, number, number];
  bindings: readonly BufferBinding[];
  constants: readonly number[];
  /** The loaded executable, to replay it. */
  handle: HalExecutable;
}

/** Forwards to the real command buffer, noting each dispatch while its device records. */
class RecordingCommandBuffer implements HalCommandBuffer {
  constructor(readonly inner: HalCommandBuffer, private readonly device: RecordingDevice) {}

  dispatch(exe: HalExecutable, entry: number, wg: readonly [number, number, number], bindings: readonly BufferBinding[], constants: readonly number[]): void {
    if (this.device.recording) this.device.captured.push({ handle: exe, entryPoint: entry, workgroups: [wg[0], wg[1], wg[2]], bindings: bindings.map((b) => ({ ...b })), constants: [...constants] });
    this.inner.dispatch(exe, entry, wg, bindings, constants);
  }
  copy(src: HalBuffer, srcOffset: number, dst: HalBuffer, dstOffset: number, length: number): void {
    this.inner.copy(src, srcOffset, dst, dstOffset, length);
  }
  fill(buffer: HalBuffer, offset: number, length: number, byte: number): void {
    this.inner.fill(buffer, offset, length, byte);
  }
  barrier(): void {
    this.inner.barrier();
  }
}

/** A device that forwards to `inner`, records dispatches while `recording`, and holds released buffers while `holding`. */
class RecordingDevice implements HalDevice {
  recording = false;
  holding = false;
  readonly captured: Omit<CapturedDispatch, 'ordinal' | 'executable' | 'executableHash'>[] = [];
  readonly sources = new Map<HalExecutable, ExecutableSource>();
  private readonly held: HalBuffer[] = [];
  readonly allocator;

  constructor(readonly inner: HalDevice) {
    const a = inner.allocator;
    this.allocator = {
      allocate: (n: number, usage: BufferUsage): HalBuffer => a.allocate(n, usage),
      importConstant: (bytes: Uint8Array): HalBuffer => a.importConstant(bytes),
      release: (b: HalBuffer): void => {
        if (this.holding) this.held.push(b);
        else a.release(b);
      },
    };
  }
  get driver(): string {
    return this.inner.driver;
  }
  get formats(): readonly string[] {
    return this.inner.formats;
  }
  get description(): string {
    return this.inner.description;
  }
  async loadExecutable(source: ExecutableSource): Promise<HalExecutable> {
    const exe = await this.inner.loadExecutable(source);
    this.sources.set(exe, source);
    return exe;
  }
  createCommandBuffer(): HalCommandBuffer {
    return new RecordingCommandBuffer(this.inner.createCommandBuffer(), this);
  }
  submit(commandBuffers: readonly HalCommandBuffer[], semaphore: HalSemaphore, signalValue: number): void {
    this.inner.submit(commandBuffers.map((c) => (c instanceof RecordingCommandBuffer ? c.inner : c)), semaphore, signalValue);
  }
  createSemaphore(initial?: number): HalSemaphore {
    return this.inner.createSemaphore(initial);
  }
  write(buffer: HalBuffer, offset: number, data: Uint8Array): Promise<void> {
    return this.inner.write(buffer, offset, data);
  }
  read(buffer: HalBuffer, offset: number, length: number): Promise<Uint8Array> {
    return this.inner.read(buffer, offset, length);
  }
  releaseHeld(): void {
    for (const b of this.held.splice(0)) this.inner.allocator.release(b);
  }
  destroy(): Promise<void> {
    this.releaseHeld();
    return this.inner.destroy();
  }
}

export interface DispatchBenchOptions {
  /** Untimed batches first. */
  warmup?: number;
  /** Timed batches (samples). */
  runs?: number;
  /** Dispatches per batch (one submission); 0 picks enough for ~`targetBatchMs` per batch. */
  repeat?: number;
  /** With repeat 0: aim for batches this long (default 20 ms), so short kernels are not lost in submit overhead. */
  targetBatchMs?: number;
}

export interface DispatchTimingStats extends LatencyStats {
  /** Dispatches per timed batch; the stats are per dispatch (batch time / repeat). */
  repeat: number;
  /** Interquartile range of the batches over their median: the noise, robust to one stray batch. */
  spread: number;
}

/**
 * A module loaded for dispatch benchmarks: `capture()` runs it once (real inputs, real
 * intermediate values), after which any captured dispatch can be timed alone.
 */
export class DispatchBench {
  private constructor(
    readonly session: Session,
    private readonly device: RecordingDevice,
    readonly dispatches: readonly CapturedDispatch[],
  ) {}

  /**
   * Loads `module` on `device`, runs it once on `inputs` (or on what `inputs` makes of the
   * module's input signatures) and captures its dispatches.
   */
  static async capture(
    module: Uint8Array,
    device: HalDevice,
    inputs: readonly RuntimeTensor[] | ((signatures: readonly TensorSignature[]) => RuntimeTensor[]),
    name = 'module',
    parameters?: ModuleParameters,
  ): Promise<DispatchBench> {
    const rec = new RecordingDevice(device);
    const session = await Session.load(module, rec, name, parameters);
    rec.recording = true;
    rec.holding = true;
    try {
      await session.run(typeof inputs === 'function' ? inputs(session.inputs) : inputs);
    } catch (e) {
      rec.holding = false;
      rec.releaseHeld();
      throw e;
    } finally {
      rec.recording = false;
    }
    const byCode = new Map<Uint8Array, number>();
    session.module.executables.forEach((e, i) => byCode.set(e.code, i));
    const dispatches = rec.captured.map((c, ordinal): CapturedDispatch => {
      const source = rec.sources.get(c.handle);
      const executable = source ? byCode.get(source.code) ?? -1 : -1;
      return { ...c, ordinal, executable, executableHash: executable >= 0 ? session.module.executables[executable]!.hash : '' };
    });
    return new DispatchBench(session, rec, dispatches);
  }

  /** The captured dispatch at `ordinal`, or an INPUT_INVALID error naming the range. */
  dispatch(ordinal: number): CapturedDispatch {
    const d = this.dispatches[ordinal];
    if (!d) throw new IreetsError('INPUT_INVALID', `the model runs ${this.dispatches.length} dispatches (0..${this.dispatches.length - 1}); there is no dispatch ${ordinal}`, `--dispatch ${ordinal}`);
    return d;
  }

  /** Runs `d` `repeat` times back to back in one submission and waits for it; returns ms. */
  private async batch(d: CapturedDispatch, repeat: number): Promise<number> {
    const dev = this.device.inner;
    const cb = dev.createCommandBuffer();
    for (let i = 0; i < repeat; i++) {
      cb.dispatch(d.handle, d.entryPoint, d.workgroups, d.bindings, d.constants);
      // Back to back, as in the model: a GPU must not overlap repetitions that write one buffer.
      cb.barrier();
    }
    const sem = dev.createSemaphore(0);
    const t0 = performance.now();
    dev.submit([cb], sem, 1);
    await sem.wait(1);
    return performance.now() - t0;
  }

  /** Per-dispatch latency of dispatch `ordinal`: median over `runs` batches. */
  async time(ordinal: number, options: DispatchBenchOptions = {}): Promise<DispatchTimingStats> {
    const d = this.dispatch(ordinal);
    let repeat = options.repeat ?? 0;
    if (repeat <= 0) {
      // Calibrate: a few single runs (the first loads pipelines/JITs), then size the batch.
      let one = Infinity;
      for (let i = 0; i < 3; i++) one = Math.min(one, await this.batch(d, 1));
      repeat = Math.max(1, Math.min(1000, Math.round((options.targetBatchMs ?? 20) / Math.max(one, 1e-3))));
    }
    for (let i = 0; i < (options.warmup ?? 2); i++) await this.batch(d, repeat);
    const samples: number[] = [];
    for (let i = 0; i < Math.max(1, options.runs ?? 10); i++) samples.push((await this.batch(d, repeat)) / repeat);
    return { ...latencyStats(samples), repeat, spread: relativeIqr(samples) };
  }

  /** Gives the held buffers and the module's weights back (the device itself stays with its owner). */
  close(): void {
    this.device.holding = false;
    this.device.releaseHeld();
    this.session.close();
  }
}

/** (q3 − q1) / median of `xs`, quartiles by linear interpolation. */
export function relativeIqr(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number): number => {
    const at = p * (s.length - 1);
    const lo = Math.floor(at);
    const hi = Math.min(s.length - 1, lo + 1);
    return s[lo]! + (s[hi]! - s[lo]!) * (at - lo);
  };
  const med = q(0.5);
  return med > 0 ? (q(0.75) - q(0.25)) / med : 0;
}
