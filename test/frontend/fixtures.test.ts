import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { externalWeight, frontendFixtures } from '../../fixtures/frontend/generate.js';
import { importModel } from '../../src/frontend/import-model.js';
import { interpretModule } from '../../src/ir/interpret/interpreter.js';
import { Tensor } from '../../src/ir/tensor.js';

const FIXTURES = new URL('../../fixtures/frontend/', import.meta.url);

describe('front end fixtures', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ireets-fixtures-'));
  for (const f of frontendFixtures()) writeFileSync(join(dir, f.file), f.bytes);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('checked-in models equal the generator output', () => {
    for (const name of ['dynamic-batch.onnx', 'loop-sum.onnx']) {
      const generated = frontendFixtures().find((f) => f.file === name)!.bytes;
      expect(Buffer.from(readFileSync(new URL(name, FIXTURES))).equals(Buffer.from(generated))).toBe(true);
    }
  });

  it('loads external weights lazily and hashes them like in-memory tensors', async () => {
    const path = join(dir, 'external-weights.onnx');
    const mod = await importModel(readFileSync(path), { path });
    expect(mod.constants.size).toBe(1);
    const [entry] = [...mod.constants.values()];
    expect(entry!.type).toEqual({ dtype: 'f32', shape: [300, 300] });
    const inMemory = await importModel(new Uint8Array(readFileSync(path)), { path });
    expect([...inMemory.constants.keys()]).toEqual([entry!.hash]);
    // Rewriting the file after import shows the bytes are read on demand, not kept.
    const [y] = interpretModule(mod, []);
    expect((y!.data as Float32Array).slice(0, 18)).toEqual((externalWeight().data as Float32Array).slice(0, 18));
    writeFileSync(join(dir, 'external-weights.bin'), new Uint8Array(300 * 300 * 4));
    expect(interpretModule(mod, [])[0]!.getNumber(1)).toBe(0);
  });

  it('takes external data from the files it is handed (what the compiler hashed) instead of reading them again', async () => {
    const path = join(dir, 'external-weights.onnx');
    const handed = new Float32Array(300 * 300).fill(0.5);
    const files = new Map([[join(dir, 'external-weights.bin'), new Uint8Array(handed.buffer)]]);
    const mod = await importModel(readFileSync(path), { path, externalFiles: files });
    expect(interpretModule(mod, [])[0]!.getNumber(7)).toBe(0.5);
    const short = new Map([[join(dir, 'external-weights.bin'), new Uint8Array(100)]]);
    await expect(importModel(readFileSync(path), { path, externalFiles: short })).rejects.toMatchObject({ code: 'MODEL_CORRUPT', message: expect.stringContaining('has 100 bytes') });
  });

  it('keeps the batch dim symbolic and computes shape at run time', async () => {
    const mod = await importModel(readFileSync(new URL('dynamic-batch.onnx', FIXTURES)));
    expect(mod.graph.inputs[0]!.type.shape).toEqual(['batch', 4]);
    expect(mod.graph.nodes.map((n) => n.op)).toEqual(['shape', 'cast', 'size']);
    const [dims, n] = interpretModule(mod, [Tensor.zeros('f32', [3, 4])]);
    expect(dims!.toNumbers()).toEqual([3, 4]);
    expect(n!.toNumbers()).toEqual([12]);
  });

  it('runs a loop', async () => {
    const mod = await importModel(readFileSync(new URL('loop-sum.onnx', FIXTURES)));
    const [total] = interpretModule(mod, [Tensor.fromBigInts('i64', [], [5n])]);
    expect(total!.toNumbers()).toEqual([10]);
  });
});
