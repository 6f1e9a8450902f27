import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { importModel } from '../../src/frontend/import-model.js';
import { printModule } from '../../src/ir/printer.js';
import { initHashing } from '../../src/util/hash.js';
import { sampleModule } from './module-fixtures.js';

const CONFORMANCE = '/usr/share/libonnx-testdata/data/node';

/** Compares with test/ir/golden/<name>.txt; UPDATE_GOLDEN=1 rewrites the file instead. */
function expectGolden(name: string, text: string): void {
  const path = fileURLToPath(new URL(`./golden/${name}.txt`, import.meta.url));
  if (process.env['UPDATE_GOLDEN'] === '1' || !existsSync(path)) writeFileSync(path, text);
  expect(text).toBe(readFileSync(path, 'utf8'));
}

describe('printModule', () => {
  beforeAll(() => initHashing());

  it('prints a built module with regions, attributes and constants', () => {
    expectGolden('sample-module', printModule(sampleModule()));
  });

  it('prints imported control flow stably', async () => {
    for (const name of ['test_if', 'test_scan9_sum']) {
      const path = `${CONFORMANCE}/${name}/model.onnx`;
      const mod = await importModel(readFileSync(path));
      const text = printModule(mod);
      expect(printModule(await importModel(readFileSync(path)))).toBe(text);
      expectGolden(name, text);
    }
  });

  it('sorts attributes and shows small tensor attributes inline', () => {
    const text = printModule(sampleModule());
    expect(text).toContain('constant_of_shape(%dims) {value=tensor<f32[1]: 7>} : f32[2,3]');
    expect(text).toContain('shape(%x) {end=null, start=0} : i64[2]');
    expect(text).toMatch(/%two = constant #[0-9a-f]{8} : f32\[2\]/);
  });
});
