// The external data files of a model: named relative to its folder (never outside it), read with
// a stamp each, and summed into one digest part that changes with any file's bytes or presence.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dataFilePaths, readDataFiles, withDataFiles } from '../../../src/stages/queries/data-files.js';
import { initHashing } from '../../../src/util/hash.js';
import { tempDirs } from '../../support/temp-dirs.js';

const tempDir = tempDirs('ireets-data-files-');
beforeAll(() => initHashing());

describe('data files', () => {
  it('resolves locations in the model’s folder and leaves out those that leave it', () => {
    expect(dataFilePaths('/m/model.onnx', ['w.bin', 'sub/x.bin', '../up.bin', '/abs.bin', '', 'sub/../w.bin'])).toEqual([
      { location: 'w.bin', path: '/m/w.bin' },
      { location: 'sub/x.bin', path: '/m/sub/x.bin' },
      { location: 'sub/../w.bin', path: '/m/w.bin' },
    ]);
  });

  it('gives a digest part that follows each file’s bytes and presence, not its path', async () => {
    const a = tempDir();
    const b = tempDir();
    for (const dir of [a, b]) {
      mkdirSync(join(dir, 'd'));
      writeFileSync(join(dir, 'd', 'w.bin'), Uint8Array.of(1, 2, 3));
    }
    const first = await readDataFiles(join(a, 'm.onnx'), ['d/w.bin']);
    expect(first.bytes.get(join(a, 'd', 'w.bin'))).toEqual(Uint8Array.of(1, 2, 3));
    expect(first.states[0]!.stamp?.size).toBe(3n);
    expect((await readDataFiles(join(b, 'm.onnx'), ['d/w.bin'])).digestPart).toBe(first.digestPart); // moved folder: same content
    writeFileSync(join(b, 'd', 'w.bin'), Uint8Array.of(1, 2, 4));
    const changed = await readDataFiles(join(b, 'm.onnx'), ['d/w.bin']);
    expect(changed.digestPart).not.toBe(first.digestPart);
    const missing = await readDataFiles(join(b, 'm.onnx'), ['d/none.bin']);
    expect(missing.states[0]!.stamp).toBeUndefined();
    expect(missing.bytes.size).toBe(0);
    expect(withDataFiles('mabc', first)).toBe(`mabc+${first.digestPart}`);
    expect(withDataFiles('mabc', undefined)).toBe('mabc');
  });
});
