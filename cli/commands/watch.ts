// `ireets watch MODEL.onnx [--target cpu[,webgpu,…]] [-o MODEL.vmfb] [--tuning SPEC.json] [--run [--input NAME=…]]`
// Rebuilds the module whenever the model (or the tuning spec) changes, through the build cache:
// one line per rebuild, errors keep the last good module, Ctrl-C stops.
import type { CommandModule } from 'yargs';
import { TARGETS } from '../../src/stages/compile-pipeline.js';
import { formatExplain, openCompiler } from '../../src/stages/compiler.js';
import { DEFAULT_DEBOUNCE_MS, watchBuilds, type WatchEvent } from '../../src/stages/watch.js';
import { formatWatchEvent } from '../../src/stages/watch-format.js';
import { moduleRunner } from '../../src/stages/watch-run.js';
import { parseTargets } from './compile.js';
import { weightsPlacementOption } from '../weights-options.js';
import { rerunWithV8Pool, stopWithParent } from '../v8-pool.js';

interface WatchArgs {
  model: string;
  target: string;
  output?: string;
  tuning?: string;
  debounce: number;
  weights: 'embed' | 'external';
  run: boolean;
  input: string[];
  device: string;
  threads?: number;
  verbose: boolean;
  'cache-dir'?: string;
}

export const watchCommand: CommandModule<object, WatchArgs> = {
  command: 'watch <model>',
  describe: 'rebuild the module whenever the model (or tuning spec) changes',
  builder: (y) =>
    y
      .positional('model', { type: 'string', demandOption: true, describe: 'path of the .onnx file' })
      .option('target', { type: 'string', default: 'cpu', describe: `target(s) to compile for, comma-separated: ${TARGETS.join(', ')}` })
      .option('output', { alias: 'o', type: 'string', describe: 'module file to keep up to date (default: MODEL.vmfb)' })
      .option('tuning', { type: 'string', describe: 'tuning spec (JSON), watched too' })
      .option('debounce', { type: 'number', default: DEFAULT_DEBOUNCE_MS, describe: 'quiet time (ms) after a change before rebuilding' })
      .option('weights', weightsPlacementOption('external'))
      .option('run', { type: 'boolean', default: false, describe: 'run each new module and print how its outputs moved' })
      .option('input', { type: 'string', array: true, default: [] as string[], describe: 'with --run: NAME=@file.npy or NAME=random' })
      .option('device', { type: 'string', default: 'cpu', describe: 'with --run: the device to run on, as `ireets run --device` takes it' })
      .option('threads', { type: 'number', describe: 'with --run: CPU threads (default: all cores)' }) as never,
  handler: async (args) => {
    // A long-running compiler: with a V8 pool that leaves its main thread a core (v8-pool.ts).
    const code = await rerunWithV8Pool();
    if (code !== undefined) {
      process.exitCode = code;
      return;
    }
    stopWithParent();
    const targets = parseTargets(args.target);
    const output = args.output ?? args.model.replace(/\.onnx$/i, '') + '.vmfb';
    const compiler = await openCompiler({ cacheDir: args['cache-dir'] });
    const events$ = watchBuilds(compiler, {
      model: args.model,
      output,
      targets,
      ...(args.tuning ? { tuning: args.tuning } : {}),
      debounceMs: args.debounce,
      weights: args.weights,
      ...(args.run ? { afterBuild: moduleRunner({ device: args.device, threads: args.threads, inputs: args.input }) } : {}),
    });
    const watched = args.tuning ? `${args.model} and ${args.tuning}` : args.model;
    process.stdout.write(`watching ${watched} → ${output} (Ctrl-C to stop)\n`);
    await new Promise<void>((resolve, reject) => {
      let subscription: { unsubscribe(): void } | undefined;
      const stop = onStop(() => {
        subscription?.unsubscribe();
        void compiler.close().finally(resolve);
      });
      subscription = events$.subscribe({
        next: (e) => print(e, output, args.verbose),
        error: (e: unknown) => {
          stop.off();
          void compiler.close().finally(() => reject(e));
        },
      });
    });
  },
};

function print(e: WatchEvent, output: string, verbose: boolean): void {
  if (e.kind === 'cancelled' && !verbose) return;
  const line = `${formatWatchEvent(e, output)}\n`;
  if (e.kind === 'failed') process.stderr.write(line);
  else process.stdout.write(line);
  if (e.kind === 'built') {
    if (verbose) process.stdout.write(`${formatExplain(e.explain)}\n`);
    for (const l of e.report) process.stdout.write(`${l}\n`);
  }
}

/** Calls `stop` once on Ctrl-C or SIGTERM. */
/**
 * Calls stop on the first SIGINT or SIGTERM. Further ones while it stops are the same request (a
 * Ctrl-C reaches this process twice when it runs under v8-pool.ts's parent), not a harder one.
 */
function onStop(stop: () => void): { off(): void } {
  let stopping = false;
  const handler = (): void => {
    if (stopping) return;
    stopping = true;
    stop();
  };
  const off = (): void => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return { off };
}
