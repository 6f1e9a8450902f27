// What any edit of a model must pay before compiling anything: read the model file, hash it
// (to know whether and what changed), and write a module file of the same size. One line per
// sample; the figures behind "MiniLM's one-op edit cannot reach 10% of cold" (issue #6).
//   node --import tsx bench/io-floor.ts [MODEL.onnx] [--samples N]
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureFixture } from '../fixtures/generate.js';
import { hashBytes, initHashing } from '../src/util/hash.js';

const args = process.argv.slice(2);
const samplesAt = args.indexOf('--samples');
const samples = samplesAt >= 0 ? Number(args[samplesAt + 1]) : 3;
const model = args.find((a) => a.endsWith('.onnx')) ?? (await ensureFixture('minilm'));
await initHashing();
const out = join(tmpdir(), `ireets-io-floor-${process.pid}.bin`);
try {
  for (let i = 0; i < samples; i++) {
    let t = performance.now();
    const bytes = readFileSync(model);
    const read = performance.now() - t;
    t = performance.now();
    hashBytes(bytes);
    const hash = performance.now() - t;
    t = performance.now();
    writeFileSync(out, bytes);
    const write = performance.now() - t;
    console.log(`io-floor ${model}: ${(bytes.length / 1e6).toFixed(1)} MB  read ${read.toFixed(1)} ms  xxhash64 ${hash.toFixed(1)} ms  write ${write.toFixed(1)} ms`);
  }
} finally {
  rmSync(out, { force: true });
}
