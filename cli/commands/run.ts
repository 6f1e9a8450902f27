// `ireets run MODEL.vmfb|MODEL.onnx [--device cpu|cpu-sync] [--input NAME=@file.npy|NAME=random] [--output-dir DIR]`
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { createDevice, targetOfDevice } from '../../src/runtime/devices.js';
import { readModuleFiles, type ModuleFiles } from '../../src/runtime/module-files.js';
import { Session } from '../../src/runtime/session.js';
import { bytesOf, type RuntimeTensor } from '../../src/runtime/tensor.js';
import { parseInputs, preview, resolveInput } from '../../src/runtime/input-spec.js';
import { compileOnnx, type Target } from '../../src/stages/compile-pipeline.js';
import { openCompiler } from '../../src/stages/compiler.js';
import { IreetsError, isIreetsError } from '../../src/util/errors.js';
import { writeNpy } from '../../src/util/npy.js';
import { readInputFile } from '../../src/util/read-input-file.js';
import { weightsFileOption } from '../weights-options.js';

interface RunArgs {
  model: string;
  device: string;
  input: string[];
  'output-dir'?: string;
  threads?: number;
  verbose: boolean;
  'cache-dir'?: string;
  weights?: string;
}

/** An ONNX model compiled through the build cache: a model run before is not compiled again. */
async function compileCached(path: string, cacheDir: string | undefined, target: Target): Promise<ModuleFiles> {
  let compiler;
  try {
    compiler = await openCompiler({ cacheDir });
  } catch (e) {
    if (!isIreetsError(e) || e.code !== 'CACHE_IO') throw e;
    // Running needs no cache: compile from scratch rather than refuse.
    process.stderr.write(`ireets: warning: ${e.message}; compiling without the cache\n`);
    return { module: (await compileOnnx(await readInputFile(path, 'model'), { path, target })).module };
  }
  try {
    return { module: (await compiler.compile(path, { target })).module };
  } finally {
    await compiler.close();
  }
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run <model>',
  describe: 'run a module (or an ONNX model, compiled first) and print or save its outputs',
  builder: (y) =>
    y
      .positional('model', { type: 'string', demandOption: true, describe: '.vmfb module or .onnx model' })
      .option('device', { type: 'string', default: 'cpu', describe: 'cpu | cpu-sync | webgpu | webgpu:N' })
      .option('input', { type: 'string', array: true, default: [] as string[], describe: 'NAME=@file.npy or NAME=random' })
      .option('output-dir', { type: 'string', describe: 'write each output as DIR/<name>.npy' })
      .option('threads', { type: 'number', describe: 'CPU threads (default: all cores)' })
      .option('weights', weightsFileOption) as never,
  handler: async (args) => {
    // An ONNX model compiles for the device's target through the cache, as `compile` would.
    const files = /\.onnx$/i.test(args.model)
      ? await compileCached(args.model, args['cache-dir'], targetOfDevice(args.device))
      : await readModuleFiles(args.model, { weights: args.weights });
    const device = await createDevice(args.device, { threads: args.threads });
    try {
      const session = await Session.load(files.module, device, args.model, files.parameters);
      if (args.verbose) process.stdout.write(`device: ${device.driver} (${device.description})\n`);
      const given = parseInputs(args.input);
      const inputs: RuntimeTensor[] = [];
      for (const sig of session.inputs) inputs.push(await resolveInput(sig, given.get(sig.name)));
      for (const name of given.keys()) {
        if (!session.inputs.some((s) => s.name === name)) {
          throw new IreetsError('INPUT_INVALID', `the model has no input named ${name} (inputs: ${session.inputs.map((s) => s.name).join(', ')})`);
        }
      }
      const t0 = performance.now();
      const outputs = await session.run(inputs);
      const ms = performance.now() - t0;
      if (args['output-dir']) await mkdir(args['output-dir'], { recursive: true });
      for (let i = 0; i < outputs.length; i++) {
        const o = outputs[i]!;
        const name = session.outputs[i]!.name;
        process.stdout.write(`${name}: ${o.dtype}[${o.shape.join(',')}] ${preview(o)}\n`);
        if (args['output-dir']) {
          await writeFile(join(args['output-dir'], `${safeFileName(name)}.npy`), writeNpy({ dtype: o.dtype, shape: [...o.shape], bytes: bytesOf(o.data) }));
        }
      }
      if (args.verbose) process.stdout.write(`ran in ${ms.toFixed(2)} ms\n`);
    } finally {
      await device.destroy();
    }
  },
};

function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_');
}
