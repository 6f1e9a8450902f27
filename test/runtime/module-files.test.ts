// readModuleFiles with `reuse` (what `ireets watch --run` does between rebuilds): an archive file
// that is as it was when read is taken again with its checked archive, not read again; one the
// compiler replaced (a weight edit renames a new file over it) is read and checked afresh.
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readModuleFiles } from '../../src/runtime/module-files.js';
import { readParameters } from '../../src/runtime/session.js';
import { openCompiler, type Compiler } from '../../src/stages/compiler.js';
import { mlp } from '../support/mlp-model.js';
import { tempDirs } from '../support/temp-dirs.js';

const tempDir = tempDirs('ireets-module-files-');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** mlp() compiled with its weights in an archive: the folder, the paths, and the open compiler. */
async function compiled(): Promise<{ dir: string; model: string; output: string; compiler: Compiler }> {
  const dir = tempDir();
  const model = join(dir, 'mlp.onnx');
  const output = join(dir, 'mlp.vmfb');
  writeFileSync(model, mlp());
  const compiler = await openCompiler({ cacheDir: join(dir, 'cache') });
  await compiler.compileToFile(model, output, { weights: 'external' });
  return { dir, model, output, compiler };
}

describe('readModuleFiles', () => {
  it('takes an unchanged archive from the last read, and reads a replaced one', async () => {
    const { model, output, compiler } = await compiled();
    try {
      await sleep(50); // older than the file clock's granularity: its stat can vouch
      const first = await readModuleFiles(output);
      const checked = { ...first, parameters: readParameters(first.parameters!) };
      const again = await readModuleFiles(output, { reuse: checked });
      expect(again.parameters).toBe(checked.parameters);
      expect(again.parameters!.archive).toBeDefined();

      writeFileSync(model, mlp({ w2Seed: 7 }));
      await compiler.compileToFile(model, output, { weights: 'external' });
      const replaced = await readModuleFiles(output, { reuse: checked });
      expect(replaced.parameters).not.toBe(checked.parameters);
      expect(replaced.parameters!.archive).toBeUndefined();
      expect(Buffer.from(replaced.parameters!.bytes).equals(Buffer.from(checked.parameters.bytes))).toBe(false);
    } finally {
      await compiler.close();
    }
  }, 60_000);

  it('reads an archive again when its stat cannot vouch (changed within the file clock’s granularity of the read)', async () => {
    const { dir, output, compiler } = await compiled();
    try {
      // Changed "now" as far as the file clock can tell (a time ahead of the read): a stat cannot vouch.
      const ahead = new Date(Date.now() + 10_000);
      utimesSync(join(dir, 'mlp.params'), ahead, ahead);
      const first = await readModuleFiles(output);
      const again = await readModuleFiles(output, { reuse: first });
      expect(again.parameters).not.toBe(first.parameters);
      expect(Buffer.from(again.parameters!.bytes).equals(Buffer.from(first.parameters!.bytes))).toBe(true);
    } finally {
      await compiler.close();
    }
  }, 60_000);
});
