// `ireets bench MODEL.vmfb|MODEL.onnx [--device cpu] [--threads N] [--warmup W] [--runs R] [--json] [--dispatches]`
// After iree-benchmark-module: warm-up calls, timed repetitions, median / min / max latency;
// `--dispatches` times every dispatch and lists them slowest first.
import type { CommandModule } from 'yargs';
import { benchmarkSession, profileDispatches, randomInputs, type DispatchProfile } from '../../src/runtime/benchmark.js';
import { createDevice } from '../../src/runtime/devices.js';
import { Session } from '../../src/runtime/session.js';
import { compileOnnx } from '../../src/stages/compile-pipeline.js';
import { readInputFile } from '../read-input-file.js';

interface BenchArgs {
  model: string;
  device: string;
  threads?: number;
  warmup: number;
  runs: number;
  json: boolean;
  dispatches: boolean;
  top?: number;
}

export const benchCommand: CommandModule<object, BenchArgs> = {
  command: 'bench <model>',
  describe: 'measure the latency of a module (or an ONNX model, compiled first) on random inputs',
  builder: (y) =>
    y
      .positional('model', { type: 'string', demandOption: true, describe: '.vmfb module or .onnx model' })
      .option('device', { type: 'string', default: 'cpu', describe: 'cpu | cpu-sync' })
      .option('threads', { type: 'number', describe: 'CPU threads (default: all cores)' })
      .option('warmup', { type: 'number', default: 3, describe: 'untimed runs first' })
      .option('runs', { type: 'number', default: 10, describe: 'timed runs' })
      .option('json', { type: 'boolean', default: false, describe: 'print {median_ms, min_ms, max_ms, runs} as JSON' })
      .option('dispatches', { type: 'boolean', default: false, describe: 'time every dispatch and list them, slowest first' })
      .option('top', { type: 'number', describe: 'with --dispatches: list only the N slowest' }) as never,
  handler: async (args) => {
    const bytes = await readInputFile(args.model, 'model');
    // Executable index → the regions it runs, known when we compiled the model ourselves.
    const labels = new Map<number, string[]>();
    let module = bytes;
    if (/\.onnx$/i.test(args.model)) {
      const compiled = await compileOnnx(bytes, { path: args.model });
      module = compiled.module;
      for (const d of compiled.dispatches) {
        const l = labels.get(d.executable) ?? labels.set(d.executable, []).get(d.executable)!;
        if (!l.includes(d.summary)) l.push(d.summary);
      }
    }
    const device = await createDevice(args.device, { threads: args.threads });
    try {
      const session = await Session.load(module, device, args.model);
      const inputs = randomInputs(session.inputs);
      const options = { warmup: args.warmup, runs: args.runs };
      if (args.dispatches) {
        const profile = await profileDispatches(session, inputs, options);
        if (args.json) process.stdout.write(`${JSON.stringify(profile)}\n`);
        else process.stdout.write(formatProfile(profile, labels, args.top));
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

function formatProfile(p: DispatchProfile, labels: ReadonlyMap<number, string[]>, top?: number): string {
  const lines = [`dispatches: ${p.dispatches.length}, ${p.dispatch_ms.toFixed(2)} ms of ${p.total_ms.toFixed(2)} ms per run (medians); per dispatch: median ms, share, min ms`];
  const shown = top === undefined ? p.dispatches : p.dispatches.slice(0, top);
  for (const d of shown) {
    const share = p.dispatch_ms > 0 ? (100 * d.median_ms) / p.dispatch_ms : 0;
    const what = labels.get(d.executable)?.join(' | ') ?? `executable ${d.executable}`;
    lines.push(`${d.median_ms.toFixed(3).padStart(9)} ms ${share.toFixed(1).padStart(5)}%  (min ${d.min_ms.toFixed(3)})  #${String(d.ordinal).padEnd(4)} wg ${d.workgroups.join('x').padEnd(10)} ${what}`);
  }
  return `${lines.join('\n')}\n`;
}
