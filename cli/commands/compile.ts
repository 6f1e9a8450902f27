// `ireets compile MODEL.onnx [--target cpu[,webgpu,vulkan-spirv]] [-o MODEL.vmfb] [--weights embed|external] [--tuning SPEC.json] [--explain] [--json]`
// Compiles through the build cache (--cache-dir): only what changed since the last build runs,
// and a module file that already holds the result is left alone.
import type { CommandModule } from 'yargs';
import { TARGETS, type Target } from '../../src/stages/compile-pipeline.js';
import { formatExplain, openCompiler } from '../../src/stages/compiler.js';
import { readTuningSpec } from '../../src/stages/tuning-file.js';
import { IreetsError } from '../../src/util/errors.js';
import { weightsPlacementOption } from '../weights-options.js';

interface CompileArgs {
  model: string;
  target: string;
  output?: string;
  tuning?: string;
  weights: 'embed' | 'external';
  explain: boolean;
  json: boolean;
  'cache-dir'?: string;
}

/** `cpu,webgpu` → the targets, each checked; a module carries one host program per target. */
export function parseTargets(spec: string): Target[] {
  const targets = spec.split(',').map((t) => t.trim()).filter(Boolean);
  for (const t of targets) {
    if (!(TARGETS as readonly string[]).includes(t)) throw new IreetsError('INPUT_INVALID', `unknown target ${t} (known: ${TARGETS.join(', ')})`);
  }
  if (targets.length === 0) throw new IreetsError('INPUT_INVALID', 'no target given');
  return targets as Target[];
}

export const compileCommand: CommandModule<object, CompileArgs> = {
  command: 'compile <model>',
  describe: 'compile an ONNX model into a module (.vmfb), reusing the build cache',
  builder: (y) =>
    y
      .positional('model', { type: 'string', demandOption: true, describe: 'path of the .onnx file' })
      .option('target', { type: 'string', default: 'cpu', describe: `target(s) to compile for, comma-separated: ${TARGETS.join(', ')}` })
      .option('output', { alias: 'o', type: 'string', describe: 'module file to write (default: MODEL.vmfb)' })
      .option('tuning', { type: 'string', describe: 'tuning spec (JSON: {"default": {...}, "regions": {...}, "targets": {"cpu": {"regions": {"<region key>": {"tileRows": 3}}}}}), e.g. from ireets tune' })
      .option('weights', weightsPlacementOption('embed'))
      .option('explain', { type: 'boolean', default: false, describe: 'show what each stage executed, verified or reused, and why dispatches recompiled' })
      .option('json', { type: 'boolean', default: false, describe: 'print the build report as JSON' }) as never,
  handler: async (args) => {
    const targets = parseTargets(args.target);
    const tuning = args.tuning ? await readTuningSpec(args.tuning) : undefined;
    const out = args.output ?? args.model.replace(/\.onnx$/i, '') + '.vmfb';
    const compiler = await openCompiler({ cacheDir: args['cache-dir'] });
    let result;
    try {
      // Written atomically (temp file + rename): a reader never sees a half-written module.
      result = await compiler.compileToFile(args.model, out, { targets, weights: args.weights, ...(tuning ? { tuning } : {}) });
    } finally {
      await compiler.close();
    }
    const { explain } = result;
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ output: out, bytes: result.bytes, written: result.written, ...(result.parameters ? { parameters: result.parameters } : {}), ...explain }, null, 2)}\n`);
      return;
    }
    if (args.explain) process.stdout.write(`${formatExplain(explain)}\n`);
    else for (const p of explain.staleInputs) process.stderr.write(`ireets: warning: ${p} changed during the build; nothing derived from it was cached\n`);
    const verb = result.written ? 'wrote' : 'kept';
    const p = result.parameters;
    const weights = p ? `; weights in ${p.output}: ${p.bytes} bytes${p.written ? '' : ', unchanged'}` : '';
    process.stdout.write(`${verb} ${out}: ${result.bytes} bytes, ${explain.dispatches} dispatches (${explain.summary})${weights}\n`);
  },
};
