// A model whose weights live in external data files (TensorProto.external_data): the files are
// part of the model's content for the build graph. Editing only a data file rebuilds (as a
// weight edit: no executable, a relink) and gives a clean build's module; a fresh process trusts
// the files' stamps for a no-op and notices a data file that changed while it was away; a
// missing data file fails naming it, and its return recovers; watch watches the data files.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { digestModel } from '../../src/frontend/model-digest.js';
import { rawDataRanges } from '../../src/frontend/onnx-skim.js';
import { externalBytes, writeOnnxModel } from '../../src/frontend/onnx-writer.js';
import { Tensor } from '../../src/ir/tensor.js';
import { compileOnnx } from '../../src/stages/compile-pipeline.js';
import { openCompiler } from '../../src/stages/compiler.js';
import { dataFileReads } from '../../src/stages/queries/data-files.js';
import { watchBuilds, type WatchEvent } from '../../src/stages/watch.js';
import { formatWatchEvent } from '../../src/stages/watch-format.js';
import { initHashing } from '../../src/util/hash.js';
import { sameModuleFile } from '../support/module-files.js';
import { tempDirs } from '../support/temp-dirs.js';

const tempDir = tempDirs('ireets-external-data-');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const N = 64;
/** A weight whose values depend on `scale`. */
const weight = (scale: number): Tensor => new Tensor('f32', [N, N], Float32Array.from({ length: N * N }, (_, i) => ((i % 13) - 6) * scale));

/** y = relu(x · w), w in `weights.bin` beside the model (in a subfolder: locations may name one). */
function model(): Uint8Array {
  return writeOnnxModel({
    graph: {
      inputs: [{ name: 'x', dtype: 'f32', shape: [1, N] }],
      outputs: [{ name: 'y', dtype: 'f32', shape: [1, N] }],
      initializers: [{ name: 'w', tensor: weight(1), external: { location: 'data/weights.bin', offset: 0 } }],
      nodes: [
        { op: 'MatMul', inputs: ['x', 'w'], outputs: ['h'] },
        { op: 'Relu', inputs: ['h'], outputs: ['y'] },
      ],
    },
  });
}

function project(): { dir: string; path: string; data: string; output: string; cacheDir: string } {
  const dir = tempDir();
  const path = join(dir, 'm.onnx');
  writeFileSync(path, model());
  mkdirSync(join(dir, 'data'));
  const data = join(dir, 'data', 'weights.bin');
  writeFileSync(data, externalBytes(weight(1)));
  return { dir, path, data, output: join(dir, 'm.vmfb'), cacheDir: join(dir, 'cache') };
}

/** A clean build of the model with the data files as they are now (read from disk by the import). */
async function clean(path: string): Promise<Uint8Array> {
  return (await compileOnnx(model(), { path })).module;
}

describe('the skim', () => {
  it('finds the data files a model’s tensors name, and the digest reports them', async () => {
    await initHashing();
    const bytes = model();
    const locations = new Set<string>();
    expect(rawDataRanges(bytes, 4096, locations)).toEqual([]);
    expect([...locations]).toEqual(['data/weights.bin']);
    expect(digestModel(bytes).externalLocations).toEqual(['data/weights.bin']);
  });
});

describe('a model with external data', () => {
  it('rebuilds when only a data file changes, as a weight edit, and matches a clean build', async () => {
    const p = project();
    const compiler = await openCompiler({ cacheDir: p.cacheDir });
    try {
      const cold = await compiler.compileToFile(p.path, p.output);
      expect(cold.written).toBe(true);
      expect(compiler.dataFiles(p.path)).toEqual([p.data]);
      expect(await sameModuleFile(p.output, await clean(p.path))).toBe(true);
      const first = readFileSync(p.output);

      writeFileSync(p.data, externalBytes(weight(2)));
      const edited = await compiler.compileToFile(p.path, p.output);
      expect(edited.written).toBe(true);
      expect(edited.explain.recompiledDispatches).toBe(0); // weights are bindings: only a relink
      expect(edited.explain.stages.find((s) => s.stage === 'importModel')?.executed).toBe(1);
      expect(Buffer.from(readFileSync(p.output)).equals(first)).toBe(false);
      expect(await sameModuleFile(p.output, await clean(p.path))).toBe(true);

      const again = await compiler.compileToFile(p.path, p.output);
      expect(again.written).toBe(false);
      expect(again.explain.stages.every((s) => s.executed === 0)).toBe(true);
    } finally {
      await compiler.close();
    }
  }, 60_000);

  it('an edit of the model file alone does not read its unchanged data files again', async () => {
    const p = project();
    await sleep(50); // older than the file clock's granularity: the data file's stamp can vouch
    const compiler = await openCompiler({ cacheDir: p.cacheDir });
    try {
      await compiler.compileToFile(p.path, p.output);
      const reads = dataFileReads.count;
      writeFileSync(p.path, model()); // saved again: a new stamp, the same data file
      const again = await compiler.compileToFile(p.path, p.output);
      expect(dataFileReads.count).toBe(reads);
      expect(again.written).toBe(false);
      writeFileSync(p.data, externalBytes(weight(6)));
      writeFileSync(p.path, model());
      await sleep(50); // no longer racy when read: the commit's recheck can trust the stamps
      await compiler.compileToFile(p.path, p.output);
      expect(dataFileReads.count).toBe(reads + 1);
      expect(await sameModuleFile(p.output, await clean(p.path))).toBe(true);
    } finally {
      await compiler.close();
    }
  }, 60_000);

  it('a fresh process trusts unchanged data files, and notices one that changed while it was away', async () => {
    const p = project();
    await sleep(50); // older than the file clock's granularity: the stamps can vouch
    let compiler = await openCompiler({ cacheDir: p.cacheDir });
    await compiler.compileToFile(p.path, p.output);
    await compiler.close();

    compiler = await openCompiler({ cacheDir: p.cacheDir });
    try {
      const noop = await compiler.compileToFile(p.path, p.output);
      expect(noop.written).toBe(false);
      expect(noop.explain.stages.every((s) => s.executed === 0)).toBe(true);
    } finally {
      await compiler.close();
    }

    writeFileSync(p.data, externalBytes(weight(3)));
    await sleep(50);
    compiler = await openCompiler({ cacheDir: p.cacheDir });
    try {
      const rebuilt = await compiler.compileToFile(p.path, p.output);
      expect(rebuilt.written).toBe(true);
      expect(await sameModuleFile(p.output, await clean(p.path))).toBe(true);
    } finally {
      await compiler.close();
    }
  }, 60_000);

  it('a missing data file fails the build naming it; its return recovers', async () => {
    const p = project();
    const compiler = await openCompiler({ cacheDir: p.cacheDir });
    try {
      await compiler.compileToFile(p.path, p.output);
      rmSync(p.data);
      await expect(compiler.compileToFile(p.path, p.output)).rejects.toMatchObject({ code: 'MODEL_INVALID', message: expect.stringContaining('weights.bin') });
      writeFileSync(p.data, externalBytes(weight(4)));
      const back = await compiler.compileToFile(p.path, p.output);
      expect(back.written).toBe(true);
      expect(await sameModuleFile(p.output, await clean(p.path))).toBe(true);
    } finally {
      await compiler.close();
    }
  }, 60_000);

  it('watch rebuilds when a data file changes', async () => {
    const p = project();
    const compiler = await openCompiler({ cacheDir: p.cacheDir });
    const events: WatchEvent[] = [];
    const subscription = watchBuilds(compiler, { model: p.path, output: p.output, debounceMs: 50 }).subscribe((e) => events.push(e));
    const nextEvent = async (n: number): Promise<WatchEvent> => {
      for (let i = 0; i < 600 && events.length < n; i++) await sleep(100);
      expect(events.length).toBeGreaterThanOrEqual(n);
      return events[n - 1]!;
    };
    try {
      expect((await nextEvent(1)).kind).toBe('built');
      await sleep(100); // the watch re-aims at the data file after the first build
      writeFileSync(p.data, externalBytes(weight(5)));
      const rebuilt = await nextEvent(2);
      expect(rebuilt.kind).toBe('built');
      expect(rebuilt.changed).toEqual(['data']);
      expect(formatWatchEvent(rebuilt, p.output)).toMatch(/^rebuilt in \d+ ms \(external data changed\): 0 of 1 dispatches recompiled, module relinked/);
      expect(await sameModuleFile(p.output, await clean(p.path))).toBe(true);
    } finally {
      subscription.unsubscribe();
      await compiler.close();
    }
  }, 60_000);
});
