// `ireets bench MODEL.vmfb|MODEL.onnx [--device cpu|cpu-sync|webgpu[:N]] [--threads N] [--warmup W] [--runs R]
//               [--json] [--dispatches [--top N]] [--dispatch K [--repeat N]] [--tuning SPEC.json]`
// After iree-benchmark-module: warm-up calls, timed repetitions, median / min / max latency;
// `--dispatches` times every dispatch (CPU) and lists them slowest first; `--dispatch K` times
// dispatch K alone (any device), replayed with the buffers a real run gave it. An .onnx model
// is compiled first through the build cache, for the device's target, with the tuning given.
import type { CommandModule } from 'yargs';
import { benchmarkSession, profileDispatches, randomInputs, type DispatchProfile } from '../../src/runtime/benchmark.js';
import { createDevice, targetOfDevice } from '../../src/runtime/devices.js';
import { DispatchBench } from '../../src/runtime/dispatch-bench.js';
import { readModuleFiles, type ModuleFiles } from '../../src/runtime/module-files.js';
import { Session } from '../../src/runtime/session.js';
import { openCompiler } from '../../src/stages/compiler.js';
import { readTuningSpec } from '../../src/stages/tuning-file.js';
import { IreetsError } from '../../src/util/errors.js';
import { weightsFileOption } from '../weights-options.js';

interface BenchArgs {
  model: string;
  device: string;
  threads?: number;
  warmup: number;
  runs: number;
  json: boolean;
  dispatches: boolean;
  top?: number;
  dispatch?: string;
  repeat: number;
  tuning?: string;
  'cache-dir'?: string;
  weights?: string;
}

export const benchCommand: CommandModule<object, BenchArgs> = {
  command: 'bench <model>',
  describe: 'measure the latency of a module (or an ONNX model, compiled first), or of one of its dispatches, on random inputs',
  builder: (y) =>
    y
      .positional('model', { type: 'string', demandOption: true, describe: '.vmfb module or .onnx model' })
      .option('device', { type: 'string', default: 'cpu', describe: 'cpu | cpu-sync | webgpu[:N]' })
      .option('threads', { type: 'number', describe: 'CPU threads (default: all cores)' })
      .option('warmup', { type: 'number', default: 3, describe: 'untimed runs (batches with --dispatch) first' })
      .option('runs', { type: 'number', default: 10, describe: 'timed runs (batches with --dispatch)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the figures as JSON' })
      .option('dispatches', { type: 'boolean', default: false, describe: 'time every dispatch (cpu devices) and list them, slowest first' })
      .option('top', { type: 'number', describe: 'with --dispatches: list only the N slowest' })
      .option('dispatch', { type: 'string', describe: 'time one dispatch alone: its position in a run (as --dispatches lists it, #K) or, for an .onnx model, a region key' })
      .option('repeat', { type: 'number', default: 0, describe: 'with --dispatch: dispatches per timed batch (0: enough for ~20 ms)' })
      .option('tuning', { type: 'string', describe: 'with an .onnx model: compile with this tuning spec' })
      .option('weights', weightsFileOption) as never,
  handler: async (args) => {
    // Executable hash → the regions it runs, known when we compiled the model ourselves.
    const labels = new Map<string, { key: string; label: string }[]>();
    let files: ModuleFiles;
    if (/\.onnx$/i.test(args.model)) {
      const target = targetOfDevice(args.device);
      const tuning = args.tuning ? await readTuningSpec(args.tuning) : {};
      const compiler = await openCompiler({ cacheDir: args['cache-dir'] });
      try {
        files = { module: (await compiler.compile(args.model, { target, tuning })).module };
        for (const r of await compiler.regions(args.model, { target, tuning })) {
          const hash = r.executables[target]!;
          const l = labels.get(hash) ?? labels.set(hash, []).get(hash)!;
          l.push({ key: r.regionKey, label: r.label });
        }
      } finally {
        await compiler.close();
      }
    } else {
      if (args.tuning) throw new IreetsError('INPUT_INVALID', '--tuning applies when compiling an .onnx model; a module is already compiled', args.model);
      files = await readModuleFiles(args.model, { weights: args.weights });
    }
    const device = await createDevice(args.device, { threads: args.threads });
    try {
      if (args.dispatch !== undefined) {
        await benchOneDispatch(args, files, device, labels);
        return;
      }
      const session = await Session.load(files.module, device, args.model, files.parameters);
      const inputs = randomInputs(session.inputs);
      const options = { warmup: args.warmup, runs: args.runs };
      if (args.dispatches) {
        const profile = await profileDispatches(session, inputs, options);
        if (args.json) process.stdout.write(`${JSON.stringify(profile)}\n`);
        else process.stdout.write(formatProfile(profile, (i) => labelOf(labels, session.module.executables[i]?.hash), args.top));
        return;
      }
      const stats = await benchmarkSession(session, inputs, options);
      if (args.json) {
        process.stdout.write(`${JSON.stringify(stats)}\n`);
      } else {
        process.stdout.write(`device: ${device.driver} (${device.description})\n`);
        process.stdout.write(`${args.model}: median ${stats.median_ms.toFixed(2)} ms, min ${stats.min_ms.toFixed(2)} ms, max ${stats.max_ms.toFixed(2)} ms over ${stats.runs} runs\n`);
      }
    } finally {
      await device.destroy();
    }
  },
};

type Labels = ReadonlyMap<string, { key: string; label: string }[]>;

function labelOf(labels: Labels, hash: string | undefined): string | undefined {
  const l = hash === undefined ? undefined : labels.get(hash);
  return l ? l.map((x) => `${x.label} (${x.key})`).join(' | ') : undefined;
}

async function benchOneDispatch(args: BenchArgs, files: ModuleFiles, device: Awaited<ReturnType<typeof createDevice>>, labels: Labels): Promise<void> {
  const bench = await DispatchBench.capture(files.module, device, (signatures) => randomInputs(signatures), args.model, files.parameters);
  try {
    const ordinal = pickDispatch(args.dispatch!, bench, labels);
    const d = bench.dispatch(ordinal);
    const stats = await bench.time(ordinal, { warmup: args.warmup, runs: args.runs, repeat: args.repeat });
    const what = labelOf(labels, d.executableHash) ?? `executable ${d.executable}`;
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ dispatch: ordinal, executable: d.executable, workgroups: d.workgroups, region: what, ...stats })}\n`);
      return;
    }
    process.stdout.write(`device: ${device.driver} (${device.description})\n`);
    process.stdout.write(`dispatch #${ordinal} of ${bench.dispatches.length}: ${what}, workgroups ${d.workgroups.join('x')}\n`);
    process.stdout.write(`median ${stats.median_ms.toFixed(4)} ms, min ${stats.min_ms.toFixed(4)} ms, max ${stats.max_ms.toFixed(4)} ms per dispatch over ${stats.runs} batches of ${stats.repeat}\n`);
  } finally {
    bench.close();
  }
}

/** `--dispatch K`: a position in the run, or a region key (its first dispatch). */
function pickDispatch(spec: string, bench: DispatchBench, labels: Labels): number {
  if (/^\d+$/.test(spec)) return Number(spec);
  if (/^[0-9a-f]{16}$/.test(spec)) {
    for (const d of bench.dispatches) if (labels.get(d.executableHash)?.some((l) => l.key === spec)) return d.ordinal;
    throw new IreetsError('INPUT_INVALID', `no dispatch runs region ${spec} (ireets compile --explain lists region keys)`, `--dispatch ${spec}`);
  }
  throw new IreetsError('INPUT_INVALID', 'expected a dispatch position (e.g. 12) or a region key (16 hex digits)', `--dispatch ${spec}`);
}

function formatProfile(p: DispatchProfile, labelOfExecutable: (i: number) => string | undefined, top?: number): string {
  const lines = [`dispatches: ${p.dispatches.length}, ${p.dispatch_ms.toFixed(2)} ms of ${p.total_ms.toFixed(2)} ms per run (medians); per dispatch: median ms, share, min ms`];
  const shown = top === undefined ? p.dispatches : p.dispatches.slice(0, top);
  for (const d of shown) {
    const share = p.dispatch_ms > 0 ? (100 * d.median_ms) / p.dispatch_ms : 0;
    const what = labelOfExecutable(d.executable) ?? `executable ${d.executable}`;
    lines.push(`${d.median_ms.toFixed(3).padStart(9)} ms ${share.toFixed(1).padStart(5)}%  (min ${d.min_ms.toFixed(3)})  #${String(d.ordinal).padEnd(4)} wg ${d.workgroups.join('x').padEnd(10)} ${what}`);
  }
  return `${lines.join('\n')}\n`;
}
