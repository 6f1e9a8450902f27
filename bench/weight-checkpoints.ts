// Memory of one compiler process through a run of new checkpoints of MiniLM (every weight ×1.01
// each time, as a training run's saves would give): the array buffers held after each build,
// after a full GC. A long watch session should level off, not grow with every version.
//   node --expose-gc --import tsx bench/weight-checkpoints.ts [--checkpoints N]
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureFixture } from '../fixtures/generate.js';
import { onnx } from '../src/frontend/onnx-proto.js';
import { encodeModelProto } from '../src/frontend/onnx-writer.js';
import { openCompiler } from '../src/stages/compiler.js';

const at = process.argv.indexOf('--checkpoints');
const checkpoints = at >= 0 ? Number(process.argv[at + 1]) : 12;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) console.log('# run with --expose-gc for figures after a full collection');
const mb = (n: number): string => (n / 2 ** 20).toFixed(0);

const dir = mkdtempSync(join(tmpdir(), 'ireets-checkpoints-'));
try {
  const path = join(dir, 'minilm.onnx');
  copyFileSync(await ensureFixture('minilm'), path);
  const model = onnx.ModelProto.decode(readFileSync(path));
  const compiler = await openCompiler({ cacheDir: join(dir, 'cache') });
  const output = join(dir, 'minilm.vmfb');
  const report = (label: string): string => {
    gc?.();
    const m = process.memoryUsage();
    return `${label}: array buffers ${mb(m.arrayBuffers)} MB, rss ${mb(m.rss)} MB`;
  };
  try {
    await compiler.compileToFile(path, output, { weights: 'external' });
    const lines = [report('cold')];
    for (let k = 1; k <= checkpoints; k++) {
      for (const t of model.graph!.initializer!) {
        if (!t.rawData || t.rawData.length <= 4096) continue;
        const f = new Float32Array(Uint8Array.from(t.rawData).buffer);
        for (let i = 0; i < f.length; i++) f[i] = f[i]! * 1.01;
        t.rawData = new Uint8Array(f.buffer);
      }
      writeFileSync(path, encodeModelProto(model));
      await compiler.compileToFile(path, output, { weights: 'external' });
      lines.push(report(`checkpoint ${k}`));
    }
    console.log(lines.join('\n'));
  } finally {
    await compiler.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
