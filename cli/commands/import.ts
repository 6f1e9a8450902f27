// `ireets import MODEL.onnx [--after import|infer|fold]`: prints the IR text and op counts.
import { readFile } from 'node:fs/promises';
import type { CommandModule } from 'yargs';
import { importModel } from '../../src/frontend/import-model.js';
import { byteSize } from '../../src/ir/dtype.js';
import { walkNodes, type IRModule } from '../../src/ir/graph.js';
import { PIPELINE_STAGES, runPipeline, type PipelineStage } from '../../src/ir/passes.js';
import { printModule } from '../../src/ir/printer.js';
import { isStaticShape, staticSize } from '../../src/ir/types.js';
import { IreetsError } from '../../src/util/errors.js';

interface ImportArgs {
  model: string;
  after: PipelineStage;
}

export const importCommand: CommandModule<object, ImportArgs> = {
  command: 'import <model>',
  describe: 'import an ONNX model and print its tensor IR and op counts',
  builder: (y) =>
    y
      .positional('model', { type: 'string', demandOption: true, describe: 'path of the .onnx file' })
      .option('after', { choices: PIPELINE_STAGES, default: 'import' as PipelineStage, describe: 'print the IR after this stage' }) as never,
  handler: async (args) => {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(args.model);
    } catch (e) {
      throw new IreetsError('INPUT_INVALID', `cannot read the model: ${(e as Error).message}`, args.model, { cause: e });
    }
    const mod = runPipeline(await importModel(bytes, { path: args.model }), args.after);
    process.stdout.write(printModule(mod));
    process.stdout.write(`\n${formatOpCounts(mod)}`);
  },
};

/** A table of IR op → node count (regions included), then totals. */
export function formatOpCounts(mod: IRModule): string {
  const counts = new Map<string, number>();
  let total = 0;
  for (const n of walkNodes(mod.graph)) {
    counts.set(n.op, (counts.get(n.op) ?? 0) + 1);
    total++;
  }
  let constantBytes = 0;
  for (const c of mod.constants.values()) {
    if (isStaticShape(c.type.shape)) constantBytes += staticSize(c.type.shape) * byteSize(c.type.dtype);
  }
  const rows = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const width = Math.max(2, ...rows.map(([op]) => op.length));
  const lines = ['op'.padEnd(width) + '  count', ...rows.map(([op, n]) => `${op.padEnd(width)}  ${String(n).padStart(5)}`)];
  lines.push(`total nodes: ${total}`, `constants: ${mod.constants.size} (${constantBytes} bytes)`);
  return `${lines.join('\n')}\n`;
}
