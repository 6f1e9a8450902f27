// Latency benchmarking of a loaded module, after iree-benchmark-module: warm-up calls, timed
// repetitions, median / min / max; and a per-dispatch profile through the CPU device's command
// timer, so the slow kernels show.
import type { CpuCommand } from '../hal/cpu/command-buffer.js';
import type { CommandTimer } from '../hal/cpu/command-timer.js';
import type { CpuExecutable } from '../hal/cpu/cpu-executable.js';
import type { HalDevice } from '../hal/types.js';
import type { TensorSignature } from '../vm/module.js';
import type { Session } from './session.js';
import { elementBytes, typedArrayFromBytes, type RuntimeTensor } from './tensor.js';

export interface LatencyStats {
  median_ms: number;
  min_ms: number;
  max_ms: number;
  runs: number;
}

export interface BenchmarkOptions {
  /** Untimed calls first (JIT tiers, caches, worker wake-up). */
  warmup?: number;
  /** Timed calls. */
  runs?: number;
}

export function median(samples: readonly number[]): number {
  if (samples.length === 0) return NaN;
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function latencyStats(samples: readonly number[]): LatencyStats {
  return { median_ms: median(samples), min_ms: Math.min(...samples), max_ms: Math.max(...samples), runs: samples.length };
}

/** Times `call` (one model run): `warmup` untimed calls, then `runs` timed ones. */
export async function timeCalls(call: () => Promise<unknown>, options: BenchmarkOptions = {}): Promise<LatencyStats> {
  const warmup = options.warmup ?? 3;
  const runs = Math.max(1, options.runs ?? 10);
  for (let i = 0; i < warmup; i++) await call();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await call();
    samples.push(performance.now() - t0);
  }
  return latencyStats(samples);
}

/** Latency of `session.run(inputs)`, inputs uploaded and outputs read back each call. */
export function benchmarkSession(session: Session, inputs: readonly RuntimeTensor[], options: BenchmarkOptions = {}): Promise<LatencyStats> {
  return timeCalls(() => session.run(inputs), options);
}

/**
 * Deterministic pseudo-random inputs for a signature (symbolic dims taken as 1): floats in
 * [-1, 1), integers in [0, 10), bools 0/1, so index-like inputs stay in range.
 */
export function randomInputs(signatures: readonly TensorSignature[], seed = 12345): RuntimeTensor[] {
  let state = seed >>> 0;
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  return signatures.map((sig) => {
    const shape = sig.shape.map((d) => (typeof d === 'number' ? d : 1));
    const n = shape.reduce((a, b) => a * b, 1);
    const data = typedArrayFromBytes(sig.dtype, new Uint8Array(n * elementBytes(sig.dtype)));
    for (let i = 0; i < n; i++) {
      const u = next();
      if (data instanceof BigInt64Array || data instanceof BigUint64Array) data[i] = BigInt(Math.floor(u * 10));
      else if (sig.dtype === 'bool') data[i] = u < 0.5 ? 0 : 1;
      else if (sig.dtype === 'f32' || sig.dtype === 'f64') data[i] = u * 2 - 1;
      else data[i] = Math.floor(u * 10);
    }
    return { dtype: sig.dtype, shape, data };
  });
}

/** One dispatch of the host program (by its position in a run) and its median time. */
export interface DispatchTiming {
  /** Position among the run's dispatches. */
  ordinal: number;
  /** Index of the executable in the module, or -1 if it could not be mapped back. */
  executable: number;
  entryPoint: string;
  workgroups: readonly [number, number, number];
  median_ms: number;
  /** The fastest run: what the kernel does when nothing else competes for the core. */
  min_ms: number;
}

export interface DispatchProfile {
  dispatches: DispatchTiming[];
  /** Median over runs of the summed dispatch time of a run. */
  dispatch_ms: number;
  /** Median over runs of the whole call (host program, copies, I/O included). */
  total_ms: number;
}

interface CommandTimerHost {
  commandTimer: CommandTimer | undefined;
}

function hasCommandTimer(d: HalDevice): d is HalDevice & CommandTimerHost {
  return 'commandTimer' in d;
}

/**
 * Times every dispatch of `runs` calls (after `warmup` untimed ones) and returns them slowest
 * first. Needs a device with a command timer (the CPU device).
 */
export async function profileDispatches(session: Session, inputs: readonly RuntimeTensor[], options: BenchmarkOptions = {}): Promise<DispatchProfile> {
  const device = session.device;
  if (!hasCommandTimer(device)) throw new Error(`device ${device.driver} cannot time dispatches`);
  const warmup = options.warmup ?? 3;
  const runs = Math.max(1, options.runs ?? 10);
  for (let i = 0; i < warmup; i++) await session.run(inputs);
  const exeIndex = new Map<Uint8Array, number>();
  session.module.executables.forEach((e, i) => exeIndex.set(e.code, i));

  const perRun: { cmd: Extract<CpuCommand, { kind: 'dispatch' }>; ms: number }[][] = [];
  const totals: number[] = [];
  let current: { cmd: Extract<CpuCommand, { kind: 'dispatch' }>; ms: number }[] = [];
  device.commandTimer = ({ command, ms }) => {
    if (command.kind === 'dispatch') current.push({ cmd: command, ms });
  };
  try {
    for (let r = 0; r < runs; r++) {
      current = [];
      const t0 = performance.now();
      await session.run(inputs);
      totals.push(performance.now() - t0);
      perRun.push(current);
    }
  } finally {
    device.commandTimer = undefined;
  }
  const first = perRun[0]!;
  const dispatches: DispatchTiming[] = first.map(({ cmd }, ordinal) => {
    const exe = cmd.exe as CpuExecutable;
    const samples = perRun.map((run) => run[ordinal]?.ms ?? NaN).filter((x) => !Number.isNaN(x));
    return {
      ordinal,
      executable: exe.source ? exeIndex.get(exe.source.code) ?? -1 : -1,
      entryPoint: exe.entryPoints[cmd.entry] ?? String(cmd.entry),
      workgroups: cmd.workgroups,
      median_ms: median(samples),
      min_ms: Math.min(...samples),
    };
  });
  dispatches.sort((a, b) => b.median_ms - a.median_ms || a.ordinal - b.ordinal);
  return {
    dispatches,
    dispatch_ms: median(perRun.map((run) => run.reduce((s, d) => s + d.ms, 0))),
    total_ms: median(totals),
  };
}
