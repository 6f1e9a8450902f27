// `ireets dump MODEL.vmfb [--weights FILE]`: exports and signatures, executables, constants, host program.
import type { CommandModule } from 'yargs';
import { initHashing } from '../../src/util/hash.js';
import { disassemble } from '../../src/vm/disassembler.js';
import { readModule } from '../../src/vm/module-reader.js';
import type { TensorSignature, VmModule } from '../../src/vm/module.js';
import { disassembleSpirv } from '../../src/codegen/spirv/index.js';
import { IreetsError } from '../../src/util/errors.js';
import { readModuleFiles } from '../../src/runtime/module-files.js';
import { readArchive } from '../../src/vm/parameter-archive.js';
import { weightsFileOption } from '../weights-options.js';

interface DumpArgs {
  module: string;
  bytecode: boolean;
  executable?: number;
  format?: 'wgsl' | 'spirv' | 'wasm';
  weights?: string;
}

const sig = (s: TensorSignature): string => `${s.name}: ${s.dtype}[${s.shape.join(',')}]`;

export const dumpCommand: CommandModule<object, DumpArgs> = {
  command: 'dump <module>',
  describe: 'describe a compiled module',
  builder: (y) =>
    y
      .positional('module', { type: 'string', demandOption: true, describe: 'path of the .vmfb file' })
      .option('bytecode', { type: 'boolean', default: true, describe: 'include the host program listing' })
      .option('executable', { type: 'number', describe: 'show one executable\'s code instead (its index in the listing)' })
      .option('format', { choices: ['wgsl', 'spirv', 'wasm'] as const, describe: 'with --executable: which target\'s code (default: the first executable of that index)' })
      .option('weights', weightsFileOption) as never,
  handler: async (args) => {
    await initHashing();
    const files = await readModuleFiles(args.module, { weights: args.weights });
    const bytes = files.module;
    const mod = readModule(bytes, args.module, files.parameters && readArchive(files.parameters.bytes, files.parameters.name));
    if (args.executable !== undefined) {
      process.stdout.write(await showExecutable(mod, args.executable, args.format));
      return;
    }
    const out: string[] = [`module ${args.module}: ${bytes.length} bytes`];
    if (files.parameters) out.push(`weights in ${files.parameters.name}: ${files.parameters.bytes.length} bytes`);
    for (const [k, v] of Object.entries(mod.metadata)) out.push(`  ${k} = ${v}`);
    for (const e of mod.exports) {
      out.push(`export ${e.name}${e.target ? ` [${e.target}]` : ''}(${e.inputs.map(sig).join(', ')}) -> (${e.outputs.map(sig).join(', ')})`);
    }
    out.push(`executables: ${mod.executables.length}`);
    mod.executables.forEach((e, i) => {
      const entries = ((e.meta['entryPoints'] as { name: string }[] | undefined) ?? []).map((x) => x.name).join(', ');
      out.push(`  #${i} ${e.format} ${e.hash} ${e.code.length} bytes  entry: ${entries}  workgroups: ${JSON.stringify(e.meta['workgroupCount'] ?? null)}`);
    });
    const dispatches = mod.imports.filter((i) => i.name.startsWith('hal.command_buffer.dispatch')).length;
    out.push(`dispatch imports: ${dispatches}`);
    out.push(`constants: ${mod.rodata.length} segments, ${mod.rodata.reduce((a, r) => a + r.length, 0)} bytes`);
    if (args.bytecode) out.push('', disassemble(mod));
    process.stdout.write(`${out.join('\n')}\n`);
  },
};

const FORMAT_OF: Record<string, string> = { wgsl: 'wgsl', spirv: 'spirv', wasm: 'wasm-simd128' };

/**
 * One kernel's code: WGSL as text, SPIR-V disassembled with `spirv-dis` when it is installed,
 * wasm as a hex summary. `--executable N` counts executables of the chosen format.
 */
async function showExecutable(mod: VmModule, index: number, format: DumpArgs['format']): Promise<string> {
  const pool = format ? mod.executables.filter((e) => e.format === FORMAT_OF[format]) : mod.executables;
  const exe = pool[index];
  if (!exe) {
    throw new IreetsError('INPUT_INVALID', `module has ${pool.length} ${format ?? ''} executables; there is no #${index}`.replace('  ', ' '));
  }
  if (exe.format === 'wgsl') return new TextDecoder().decode(exe.code);
  if (exe.format === 'spirv') {
    const text = disassembleSpirv(exe.code);
    return text ?? `; spirv-dis is not installed: ${exe.code.length} bytes of SPIR-V (apt-get install spirv-tools)\n`;
  }
  return `; ${exe.format}, ${exe.code.length} bytes\n${Buffer.from(exe.code).toString('hex').replace(/(.{64})/g, '$1\n')}\n`;
}
