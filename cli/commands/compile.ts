// `ireets compile MODEL.onnx --target cpu -o MODEL.vmfb [--explain]`
import { rename, writeFile } from 'node:fs/promises';
import type { CommandModule } from 'yargs';
import { compileOnnx, TARGETS, type Target } from '../../src/stages/compile-pipeline.js';
import { readInputFile } from '../read-input-file.js';

interface CompileArgs {
  model: string;
  target: Target;
  output?: string;
  explain: boolean;
}

export const compileCommand: CommandModule<object, CompileArgs> = {
  command: 'compile <model>',
  describe: 'compile an ONNX model into a module (.vmfb)',
  builder: (y) =>
    y
      .positional('model', { type: 'string', demandOption: true, describe: 'path of the .onnx file' })
      .option('target', { choices: TARGETS, default: 'cpu' as Target, describe: 'target to compile for' })
      .option('output', { alias: 'o', type: 'string', describe: 'module file to write (default: MODEL.vmfb)' })
      .option('explain', { type: 'boolean', default: false, describe: 'list dispatch regions with their keys' }) as never,
  handler: async (args) => {
    const bytes = await readInputFile(args.model, 'model');
    const result = await compileOnnx(bytes, { path: args.model, target: args.target });
    const out = args.output ?? args.model.replace(/\.onnx$/i, '') + '.vmfb';
    // Write atomically: a reader never sees a half-written module.
    const tmp = `${out}.tmp-${process.pid}`;
    await writeFile(tmp, result.module);
    await rename(tmp, out);
    if (args.explain) {
      result.dispatches.forEach((d, i) => process.stdout.write(`dispatch ${i}: ${d.key}  ${d.summary}  (executable ${d.executable})\n`));
      const s = result.schedule;
      process.stdout.write(`transient arena: ${s.arenaBytes} bytes (intermediates total ${s.intermediateBytes} bytes)\n`);
    }
    process.stdout.write(`wrote ${out}: ${result.module.length} bytes, ${result.dispatches.length} dispatches\n`);
  },
};
