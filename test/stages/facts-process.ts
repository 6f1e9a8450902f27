// Child process of compiler-facts.test.ts: one compiler process over a cache (a "fresh process"
// for the build it runs). Compiles MODEL to OUT with external weights and prints what it had to
// hash and pack, and the module's and archive's bytes as one embedded module's hash.
import { createHash } from 'node:crypto';
import { packCounts } from '../../src/codegen/strategies/pack-weights.js';
import { reuseCounts } from '../../src/frontend/initializer-reuse.js';
import { openCompiler } from '../../src/stages/compiler.js';
import { embeddedModuleOf } from '../support/module-files.js';

const [cacheDir, model, output] = process.argv.slice(2) as [string, string, string];
const compiler = await openCompiler({ cacheDir });
try {
  const r = await compiler.compileToFile(model, output, { weights: 'external' });
  const module = createHash('sha256').update(await embeddedModuleOf(output)).digest('hex');
  console.log(JSON.stringify({ hashed: reuseCounts.hashed, packed: packCounts.packed, module, summary: r.explain.summary }));
} finally {
  await compiler.close();
}
