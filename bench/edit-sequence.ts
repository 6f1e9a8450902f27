// One compiler process through a run of one-op edits of MiniLM (bench/incremental.ts's edit: a
// layer norm's epsilon ×10 each time), as a watch session sees them: cold build, no-op, then each edit saved (copied into place,
// encoded beforehand) and built 50 ms later. Prints each edit's ms inside compileToFile(): the
// first edit after the cold build against the later ones, for A/B runs of a change.
//   node --import tsx bench/edit-sequence.ts [--edits N] [--gap MS] [--weights external|embed]
// --gap: idle time before each save (default 0; a person edits seconds apart).
// On Linux each time also gives the main thread's CPU time (/proc/self/task/PID/schedstat): wall
// time well above it means the build waited, for I/O or for other threads (V8's among them).
// It runs itself again under the Node flags `ireets watch` uses on this machine (cli/v8-pool.ts).
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureFixture } from '../fixtures/generate.js';
import { onnx } from '../src/frontend/onnx-proto.js';
import { encodeModelProto } from '../src/frontend/onnx-writer.js';
import { openCompiler } from '../src/stages/compiler.js';
import { opEdit } from './incremental.js';
import { rerunWithV8Pool, stopWithParent } from '../cli/v8-pool.js';

const arg = (flag: string, fallback: string): string => {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const edits = Number(arg('--edits', '4'));
const gap = Number(arg('--gap', '0'));
const weights = arg('--weights', 'external') === 'embed' ? 'embed' : 'external';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** CPU time of this process's main thread so far (Linux), in ms. */
const mainThreadCpuMs = (): number | undefined => {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return undefined;
  }
};

const rerun = await rerunWithV8Pool();
if (rerun !== undefined) process.exit(rerun);
stopWithParent();

const dir = mkdtempSync(join(tmpdir(), 'ireets-edit-sequence-'));
try {
  const path = join(dir, 'minilm.onnx');
  copyFileSync(await ensureFixture('minilm'), path);
  const model = onnx.ModelProto.decode(readFileSync(path));
  const editOp = opEdit(model);
  const saves: string[] = [];
  for (let i = 0; i < edits; i++) {
    editOp(i + 1);
    saves.push(join(dir, `edit-${i}.onnx`));
    writeFileSync(saves[i]!, encodeModelProto(model));
  }
  const compiler = await openCompiler({ cacheDir: join(dir, 'cache') });
  try {
    const output = join(dir, 'minilm.vmfb');
    const build = async (): Promise<{ ms: number; cpu: number | undefined; summary: string }> => {
      const t = performance.now();
      const c = mainThreadCpuMs();
      const { explain } = await compiler.compileToFile(path, output, { weights });
      const after = mainThreadCpuMs();
      return { ms: performance.now() - t, cpu: c === undefined || after === undefined ? undefined : after - c, summary: explain.summary };
    };
    const cold = await build();
    const noop = await build();
    const times: { ms: number; cpu: number | undefined }[] = [];
    for (const save of saves) {
      await sleep(gap);
      copyFileSync(save, path);
      await sleep(50);
      times.push(await build());
    }
    const show = (b: { ms: number; cpu: number | undefined }): string => `${b.ms.toFixed(1)}${b.cpu === undefined ? '' : ` (cpu ${b.cpu.toFixed(1)})`}`;
    console.log(`cold ${show(cold)} ms, no-op ${noop.ms.toFixed(1)} ms, edits (gap ${gap} ms, weights ${weights}): ${times.map(show).join(' ')} ms`);
  } finally {
    await compiler.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
