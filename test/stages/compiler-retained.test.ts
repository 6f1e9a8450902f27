// A compiler that keeps few weights in memory (CompilerOptions.retainedBytes) reads the others
// back from the cache when a build needs them: through a run of weight edits and back, with
// weights in a parameter archive (rewritten from every weight) and embedded, every module it
// writes is a clean build's.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileOnnx } from '../../src/stages/compile-pipeline.js';
import { openCompiler } from '../../src/stages/compiler.js';
import { readModuleFiles } from '../../src/runtime/module-files.js';
import { mlp } from '../support/mlp-model.js';
import { sameModuleFile } from '../support/module-files.js';
import { tempDirs } from '../support/temp-dirs.js';

const tempDir = tempDirs('ireets-retained-');

describe('a compiler with a small weight budget', () => {
  it('reads let-go weights back from the cache and still writes clean builds', async () => {
    const dir = tempDir();
    const model = join(dir, 'mlp.onnx');
    const output = join(dir, 'mlp.vmfb');
    const compiler = await openCompiler({ cacheDir: join(dir, 'cache'), retainedBytes: 1 });
    try {
      for (const w2Seed of [1, 2, 3, 1, 2]) {
        const bytes = mlp({ w2Seed });
        writeFileSync(model, bytes);
        for (const weights of ['external', 'embed'] as const) {
          const out = weights === 'embed' ? join(dir, 'embedded.vmfb') : output;
          await compiler.compileToFile(model, out, { weights });
          const clean = (await compileOnnx(bytes, { path: model })).module;
          expect(await sameModuleFile(out, clean)).toBe(true);
          if (weights === 'external') expect((await readModuleFiles(out)).parameters).toBeDefined();
        }
        const inMemory = await compiler.compile(model);
        expect(Buffer.from(inMemory.module).equals(Buffer.from((await compileOnnx(bytes, { path: model })).module))).toBe(true);
      }
    } finally {
      await compiler.close();
    }
  }, 60_000);
});
