// `ireets dump MODEL.vmfb`: exports and signatures, executables, constants, host program.
import type { CommandModule } from 'yargs';
import { initHashing } from '../../src/util/hash.js';
import { disassemble } from '../../src/vm/disassembler.js';
import { readModule } from '../../src/vm/module-reader.js';
import type { TensorSignature } from '../../src/vm/module.js';
import { readInputFile } from '../read-input-file.js';

interface DumpArgs {
  module: string;
  bytecode: boolean;
}

const sig = (s: TensorSignature): string => `${s.name}: ${s.dtype}[${s.shape.join(',')}]`;

export const dumpCommand: CommandModule<object, DumpArgs> = {
  command: 'dump <module>',
  describe: 'describe a compiled module',
  builder: (y) =>
    y
      .positional('module', { type: 'string', demandOption: true, describe: 'path of the .vmfb file' })
      .option('bytecode', { type: 'boolean', default: true, describe: 'include the host program listing' }) as never,
  handler: async (args) => {
    await initHashing();
    const bytes = await readInputFile(args.module, 'module');
    const mod = readModule(bytes, args.module);
    const out: string[] = [`module ${args.module}: ${bytes.length} bytes`];
    for (const [k, v] of Object.entries(mod.metadata)) out.push(`  ${k} = ${v}`);
    for (const e of mod.exports) {
      out.push(`export ${e.name}(${e.inputs.map(sig).join(', ')}) -> (${e.outputs.map(sig).join(', ')})`);
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
