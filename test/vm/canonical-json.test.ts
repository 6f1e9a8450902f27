// canonicalJson writes what JSON.stringify gives with every object rebuilt from its sorted entries
// (module files and archive ids depend on these bytes): on odd values and on real modules' tables.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ensureFixture } from '../../fixtures/generate.js';
import { compileOnnx } from '../../src/stages/compile-pipeline.js';
import { canonicalJson, HEADER_BYTES } from '../../src/vm/module-writer.js';

/** The definition, as the format always wrote it: a replacer that rebuilds objects sorted. */
const sortedStringify = (v: unknown): string =>
  JSON.stringify(v, (_k, val: unknown) =>
    val && typeof val === 'object' && !Array.isArray(val)
      ? Object.fromEntries(Object.entries(val as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : val,
  );

describe('canonicalJson', () => {
  it('equals the sorted JSON.stringify on odd values', () => {
    const values: unknown[] = [
      { b: 1, a: [3, { d: undefined, c: null }], é: 'x"\\n\u2028', 10: 1, 9: 2, '01': 3 },
      [undefined, () => 1, Symbol('s'), NaN, -0, 1e21, 5e-7, Infinity],
      { toJSON: () => ({ z: 1, y: 2 }) },
      { date: new Date(0), nested: { deeper: { b: [], a: {} } } },
      'plain', 42, true, null,
      new Uint8Array([3, 1, 2]),
    ];
    for (const v of values) expect(canonicalJson(v)).toBe(sortedStringify(v));
  });

  it('rewrites the tables of contents of fixture modules byte for byte', async () => {
    for (const name of ['tiny_cnn', 'mlp_dynamic']) {
      const path = await ensureFixture(name);
      const { module } = await compileOnnx(readFileSync(path), { path, targets: ['cpu', 'webgpu'] });
      const length = new DataView(module.buffer, module.byteOffset).getUint32(12, true);
      const text = new TextDecoder().decode(module.subarray(HEADER_BYTES, HEADER_BYTES + length));
      const toc = JSON.parse(text) as unknown;
      expect(canonicalJson(toc)).toBe(text);
      expect(sortedStringify(toc)).toBe(text);
    }
  });
});
