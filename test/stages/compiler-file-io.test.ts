// The compiler's file I/O on an edit: the model is read in pieces and hashed as they arrive (the
// digest is xxhash64 of the whole file, as modelDigest computes it for bytes that are not a model); the module file is written from
// its pieces, atomically, leaving nothing beside it; stamps reach the cache once the compiler is
// idle (or closed), not on the build's path.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LmdbStore } from '../../src/cache/lmdb-store.js';
import { writeOnnxModel } from '../../src/frontend/onnx-writer.js';
import { Tensor } from '../../src/ir/tensor.js';
import { compileOnnx } from '../../src/stages/compile-pipeline.js';
import { openCompiler } from '../../src/stages/compiler.js';
import { modelDigest } from '../../src/frontend/model-digest.js';
import { readSnapshot } from '../../src/stages/queries/file-snapshot.js';
import { removalsDone, writeModuleFile } from '../../src/stages/queries/module-file.js';
import { readModelStamp, readOutputStamp } from '../../src/stages/queries/stamps.js';
import { hashBytes, initHashing } from '../../src/util/hash.js';
import { layoutModule, writeModule } from '../../src/vm/module-writer.js';
import type { VmModule } from '../../src/vm/module.js';
import { tempDirs } from '../support/temp-dirs.js';

beforeAll(async () => {
  await initHashing();
});
const tempDir = tempDirs('ireets-file-io-');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pattern = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (Math.imul(i, 2654435761) >>> 24) ^ seed);

describe('reading a model', () => {
  it('gives the file’s bytes and their digest, whatever the size against the read pieces', async () => {
    const dir = tempDir();
    const piece = 4 << 20;
    for (const n of [0, 1, 1000, piece, piece + 1, 2 * piece + 7]) {
      const bytes = pattern(n, n & 0xff);
      const path = join(dir, `m${n}.onnx`);
      writeFileSync(path, bytes);
      const snap = await readSnapshot(path);
      expect(Buffer.from(snap.bytes).equals(Buffer.from(bytes))).toBe(true);
      expect(snap.digest).toBe(hashBytes(bytes));
      expect(modelDigest(bytes)).toBe(snap.digest);
      expect(snap.externalLocations).toEqual([]);
      expect(snap.stamp.size).toBe(BigInt(n));
    }
  });
});

describe('writing a module file', () => {
  /** `big`: past the size up to which a module is written on the calling thread (the rest overlap the sealing). */
  const mod = (seed: number, big = false): VmModule => ({
    functions: [],
    imports: [],
    exports: [],
    bytecode: pattern(9, seed),
    strings: [],
    executables: [],
    rodata: [pattern(3000, seed), pattern(big ? 5 << 20 : 70_000, seed + 1)],
    metadata: {},
  });

  it('writes the pieces as writeModule would, replaces the old file, and leaves nothing beside it', async () => {
    const dir = tempDir();
    const output = join(dir, 'm.vmfb');
    for (const [seed, big] of [[1, false], [2, true], [3, false], [4, true]] as const) {
      const written = await writeModuleFile(output, layoutModule(mod(seed, big)), `module-${seed}`);
      const expected = writeModule(mod(seed, big));
      expect(Buffer.from(readFileSync(output)).equals(Buffer.from(expected))).toBe(true);
      expect(Array.from(written.head)).toEqual(Array.from(expected.subarray(0, written.head.length)));
      expect(written.module).toBe(`module-${seed}`);
    }
    await removalsDone();
    expect(readdirSync(dir)).toEqual(['m.vmfb']);
  });
});

describe('stamps', () => {
  it('reach the cache once the compiler is idle, while it stays open', async () => {
    const dir = tempDir();
    const cacheDir = join(dir, 'cache');
    const model = join(dir, 'mm.onnx');
    const output = join(dir, 'mm.vmfb');
    const bytes = writeOnnxModel({
      graph: {
        nodes: [{ op: 'MatMul', inputs: ['x', 'w'], outputs: ['y'] }],
        inputs: [{ name: 'x', dtype: 'f32', shape: [1, 64] }],
        outputs: [{ name: 'y', dtype: 'f32', shape: [1, 64] }],
        initializers: [{ name: 'w', tensor: new Tensor('f32', [64, 64], Float32Array.from({ length: 4096 }, (_, i) => (i % 7) - 3)) }],
      },
    });
    writeFileSync(model, bytes);
    await sleep(50); // older than the file clock's granularity: its stamp can vouch
    const compiler = await openCompiler({ cacheDir });
    try {
      const built = await compiler.compileToFile(model, output);
      expect(built.written).toBe(true);
      expect(Buffer.from(readFileSync(output)).equals(Buffer.from((await compileOnnx(bytes, { path: model })).module))).toBe(true);
      await sleep(1500);
      const store = await LmdbStore.open({ cacheDir });
      try {
        expect(readModelStamp(store, model)?.digest).toEqual({ digest: modelDigest(bytes), size: bytes.length });
        expect(readOutputStamp(store, join(dir, 'mm.vmfb'))?.stamp.size).toBe(BigInt(built.bytes));
      } finally {
        await store.close();
      }
    } finally {
      await compiler.close();
    }
    expect(readdirSync(dir).sort()).toEqual(['cache', 'mm.onnx', 'mm.vmfb']);
  }, 60_000);
});
