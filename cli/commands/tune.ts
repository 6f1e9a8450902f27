// `ireets tune MODEL.onnx [--target cpu|webgpu] [--device D] [--dispatch K | --top N] [--budget 60s]
//              [-o MODEL.tuning.json] [--tuning BASE.json] [--runs R] [--jobs J] [--json]`
// Tries tile sizes per region, each candidate rebuilt through the build cache (only its
// executable) and timed as one dispatch; writes the winners as a tuning spec for
// `ireets compile --tuning`. Trials live in the cache: running it again resumes.
import { existsSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import type { CommandModule } from 'yargs';
import { createDevice } from '../../src/runtime/devices.js';
import type { Target } from '../../src/stages/compile-pipeline.js';
import { openCompiler, type TuningSpec } from '../../src/stages/compiler.js';
import { regionLine, statusLine, summaryLines } from '../../src/stages/tune/progress.js';
import { Tuner } from '../../src/stages/tune/tuner.js';
import { readTuningSpec } from '../../src/stages/tuning-file.js';
import { IreetsError } from '../../src/util/errors.js';

interface TuneArgs {
  model: string;
  target: string;
  device?: string;
  threads?: number;
  dispatch?: string;
  top: number;
  budget: string;
  output?: string;
  tuning?: string;
  runs: number;
  jobs?: number;
  json: boolean;
  verify: boolean;
  'cache-dir'?: string;
}

/** `60s`, `2m`, `500ms`, `90` (seconds) → ms. */
export function parseBudget(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|min)?$/.exec(text.trim());
  if (!m) throw new IreetsError('INPUT_INVALID', 'expected a duration such as 60s, 2m or 500ms', `--budget ${text}`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return unit === 'ms' ? n : unit === 's' ? n * 1000 : n * 60_000;
}

export const tuneCommand: CommandModule<object, TuneArgs> = {
  command: 'tune <model>',
  describe: 'autotune kernel tile sizes per region and write a tuning spec',
  builder: (y) =>
    y
      .positional('model', { type: 'string', demandOption: true, describe: 'path of the .onnx file' })
      .option('target', { type: 'string', default: 'cpu', describe: 'cpu | webgpu' })
      .option('device', { type: 'string', describe: 'device to time on (default: cpu for cpu, webgpu for webgpu)' })
      .option('threads', { type: 'number', describe: 'CPU threads (default: all cores; tune with the count you deploy with)' })
      .option('dispatch', { type: 'string', describe: 'tune one dispatch: its position in a run (ireets bench --dispatches) or a region key' })
      .option('top', { type: 'number', default: 5, describe: 'otherwise tune the N regions with the most time per run' })
      .option('budget', { type: 'string', default: '60s', describe: 'time for picking regions and trials (e.g. 60s, 5m)' })
      .option('output', { alias: 'o', type: 'string', describe: 'tuning spec to write (default: MODEL.tuning.json); an existing one is the starting point' })
      .option('tuning', { type: 'string', describe: 'start from this tuning spec instead of the output file' })
      .option('runs', { type: 'number', default: 7, describe: 'timed batches per measurement' })
      .option('jobs', { type: 'number', describe: 'candidates compiled ahead of the one being timed (default 1: a compile on the host thread disturbs the timing)' })
      .option('verify', { type: 'boolean', default: true, describe: 'time the whole model before and after at the end (--no-verify skips it)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the report as JSON (no progress)' }) as never,
  handler: async (args) => {
    if (args.target !== 'cpu' && args.target !== 'webgpu') throw new IreetsError('INPUT_INVALID', `can tune for cpu or webgpu (a device must run the kernels), not ${args.target}`, `--target ${args.target}`);
    const target = args.target as Target;
    const budgetMs = parseBudget(args.budget);
    const output = args.output ?? args.model.replace(/\.onnx$/i, '') + '.tuning.json';
    const basePath = args.tuning ?? (existsSync(output) ? output : undefined);
    const base: TuningSpec = basePath ? await readTuningSpec(basePath) : {};
    const device = await createDevice(args.device ?? (target === 'cpu' ? 'cpu' : 'webgpu'), { threads: args.threads });
    const compiler = await openCompiler({ cacheDir: args['cache-dir'] });
    const abort = new AbortController();
    const onSigint = (): void => abort.abort();
    process.once('SIGINT', onSigint);
    const tty = !args.json && process.stderr.isTTY === true;
    let region: { index: number; of: number; label: string } | undefined;
    try {
      const tuner = new Tuner({
        path: args.model, target, device, compiler, base, budgetMs, runs: args.runs, top: args.top, signal: abort.signal,
        verifyModel: args.verify,
        ...(args.dispatch !== undefined ? { dispatch: args.dispatch } : {}),
        ...(args.jobs !== undefined ? { jobs: args.jobs } : {}),
      });
      tuner.events.subscribe((e) => {
        if (args.json) return;
        if (e.kind === 'region') region = { index: e.index, of: e.of, label: e.label };
        const status = statusLine(e, region);
        if (status && tty) process.stderr.write(`\r\x1b[K${status}`);
        if (e.kind === 'region-done') {
          if (tty) process.stderr.write('\r\x1b[K');
          process.stdout.write(`${regionLine(e.result)}\n`);
        }
      });
      const report = await tuner.run();
      if (tty) process.stderr.write('\r\x1b[K');
      const tmp = `${output}.tmp-${process.pid}`;
      await writeFile(tmp, `${JSON.stringify(report.spec, null, 2)}\n`);
      await rename(tmp, output);
      if (args.json) process.stdout.write(`${JSON.stringify({ output, ...report }, null, 2)}\n`);
      else process.stdout.write(`${summaryLines(report, output).join('\n')}\n`);
    } finally {
      process.off('SIGINT', onSigint);
      await compiler.close();
      await device.destroy();
    }
  },
};
