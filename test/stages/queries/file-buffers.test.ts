// Model file buffers are reused from one read to the next (a fresh buffer pays a page fault per
// page). Reuse must never leak old bytes into a build: digests' proofs and known contents that
// viewed a recycled buffer are forgotten, and through the compiler, every module built while
// buffers go round is byte-identical to a clean build of the same bytes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importModel } from '../../../src/frontend/import-model.js';
import { modelDigest } from '../../../src/frontend/model-digest.js';
import { writeOnnxModel } from '../../../src/frontend/onnx-writer.js';
import { hashTensor } from '../../../src/ir/constant-hash.js';
import { Tensor } from '../../../src/ir/tensor.js';
import { compileOnnx } from '../../../src/stages/compile-pipeline.js';
import { openCompiler } from '../../../src/stages/compiler.js';
import { modelFileBuffer, prepareSpare, recycleModelFileBuffer } from '../../../src/stages/queries/file-buffers.js';
import { initHashing } from '../../../src/util/hash.js';

const dir = mkdtempSync(join(tmpdir(), 'ireets-file-buffers-'));
beforeAll(async () => {
  await initHashing();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ROWS = 64;
const COLS = 2048; // two [64, 2048] f32 weights: 1 MB of file, enough to reuse its buffer

function weight(seed: number, edit?: { at: number; value: number }): Float32Array {
  const w = Float32Array.from({ length: ROWS * COLS }, (_, i) => Math.sin(i * 0.001 + seed) * 0.1);
  if (edit) w[edit.at] = edit.value;
  return w;
}

function model(w1: Float32Array, w2: Float32Array, opts: { alpha?: number; extra?: boolean } = {}): Uint8Array {
  return writeOnnxModel({
    graph: {
      nodes: [
        { op: 'MatMul', inputs: ['x', 'w1'], outputs: ['h'] },
        { op: 'LeakyRelu', inputs: ['h'], outputs: opts.extra ? ['r0'] : ['r'], attrs: { alpha: { float: opts.alpha ?? 0.1 } } },
        ...(opts.extra ? [{ op: 'Neg', inputs: ['r0'], outputs: ['r'] }] : []),
        { op: 'Add', inputs: ['r', 'w2'], outputs: ['y'] },
      ],
      inputs: [{ name: 'x', dtype: 'f32', shape: [1, ROWS] }],
      outputs: [{ name: 'y', dtype: 'f32', shape: [ROWS, COLS] }],
      initializers: [
        { name: 'w1', tensor: new Tensor('f32', [ROWS, COLS], w1) },
        { name: 'w2', tensor: new Tensor('f32', [ROWS, COLS], w2) },
      ],
    },
  });
}

describe('model file buffers', () => {
  it('a recycled buffer serves the next read of a size it fits; foreign and small ones are not kept', () => {
    const a = modelFileBuffer(3 << 20);
    recycleModelFileBuffer(a);
    const b = modelFileBuffer((3 << 20) + 1000); // a slightly larger file still fits
    expect(b.buffer).toBe(a.buffer);
    expect(b.length).toBe((3 << 20) + 1000);
    recycleModelFileBuffer(new Uint8Array(3 << 20)); // not ours: ignored
    expect(modelFileBuffer(3 << 20).buffer).not.toBe(b.buffer);
    const small = modelFileBuffer(1000);
    recycleModelFileBuffer(small);
    expect(modelFileBuffer(1000).buffer).not.toBe(small.buffer);
  });

  it('a spare prepared while idle serves the next read, and is not replaced while it fits', () => {
    const size = 5 << 20;
    // A buffer made for a file of n bytes has room for a little growth: which size it was made for shows.
    const madeFor = (n: number): number => n + Math.max(64 << 10, Math.ceil(n / 64));
    prepareSpare(size);
    const first = modelFileBuffer(size - 1000);
    expect(first.buffer.byteLength).toBe(madeFor(size)); // the spare, not a buffer made for this read
    expect(first.every((b) => b === 0)).toBe(true); // paged in
    prepareSpare(size);
    prepareSpare(size - 100); // the spare already there fits: kept
    expect(modelFileBuffer(size - 100).buffer.byteLength).toBe(madeFor(size));
    expect(modelFileBuffer(size - 100).buffer.byteLength).toBe(madeFor(size - 100)); // taken: a fresh one now
    prepareSpare(1000); // too small to keep a buffer for
    expect(modelFileBuffer(1000).buffer.byteLength).toBe(1000);
  });

  it('bytes written into a recycled buffer are never taken for what a digest proved of the old ones', async () => {
    const first = model(weight(1), weight(2));
    const edited = weight(1, { at: 5000, value: 3 });
    const second = model(edited, weight(2));
    expect(second.length).toBe(first.length);
    const buf = modelFileBuffer(first.length);
    buf.set(first);
    modelDigest(buf);
    await importModel(buf);
    // The compiler lets go of the content; a later read lands in the same memory.
    recycleModelFileBuffer(buf);
    const next = modelFileBuffer(second.length);
    expect(next.buffer).toBe(buf.buffer);
    next.set(second);
    // Imported without a digest of the new bytes: nothing proved of the old ones may count.
    const mod = await importModel(next);
    const w1 = [...mod.constants.values()].find((c) => c.hash === hashTensor(new Tensor('f32', [ROWS, COLS], edited)));
    expect(w1).toBeDefined();
    expect((w1!.load().data as Float32Array)[5000]).toBe(3);
  });

  it('through the compiler: every module built while buffers go round equals a clean build', async () => {
    const path = join(dir, 'm.onnx');
    const compiler = await openCompiler({ cacheDir: join(dir, 'cache') });
    try {
      const versions = [
        model(weight(1), weight(2)),
        model(weight(1), weight(2), { alpha: 0.2 }),
        model(weight(1, { at: 70_000, value: 9 }), weight(2), { alpha: 0.2 }),
        model(weight(2), weight(1), { alpha: 0.2 }), // the weights swap places
        model(weight(2), weight(1), { alpha: 0.2, extra: true }), // a node more: the file grows
        model(weight(1), weight(2)),
        model(weight(1), weight(2, { at: 3, value: -1 })),
      ];
      for (const bytes of versions) {
        writeFileSync(path, bytes);
        const { module } = await compiler.compile(path);
        const reference = await compileOnnx(bytes, { path });
        expect(Buffer.from(module).equals(Buffer.from(reference.module))).toBe(true);
      }
    } finally {
      await compiler.close();
    }
  });
});
