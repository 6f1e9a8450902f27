// The parameter archive format, and modules whose weights live in one: a module written with
// external weights and read with its archive is the module written embedded, byte for byte; an
// archive that is damaged, missing or from another build is refused with an error naming it.
import { describe, expect, it } from 'vitest';
import { initHashing } from '../../src/util/hash.js';
import { parameterArchiveOf, readModule } from '../../src/vm/module-reader.js';
import { layoutModule, sealedBytes, writeModule } from '../../src/vm/module-writer.js';
import type { VmModule } from '../../src/vm/module.js';
import { layoutArchive, readArchive } from '../../src/vm/parameter-archive.js';

await initHashing();


const bytes = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

/** A module with no functions to run: enough for the file format. */
function moduleWith(rodata: Uint8Array[]): VmModule {
  return { functions: [], imports: [], exports: [], bytecode: new Uint8Array(0), strings: [], executables: [], rodata, metadata: { model: 'test' } };
}

describe('parameter archive', () => {
  it('reads back every entry in place, aligned, under its key', () => {
    const entries = [{ key: 'a'.repeat(16), bytes: bytes(100, 1) }, { key: 'b'.repeat(16), bytes: bytes(4096, 2) }, { key: 'c'.repeat(16), bytes: new Uint8Array(0) }];
    const archive = readArchive(sealedBytes(layoutArchive(entries)));
    expect([...archive.entries.keys()]).toEqual(entries.map((e) => e.key));
    for (const e of entries) {
      const got = archive.entries.get(e.key)!;
      expect(Buffer.from(got).equals(Buffer.from(e.bytes))).toBe(true);
      expect(got.byteOffset % 64).toBe(0);
    }
  });

  it('has an id that names its keys and lengths, not when or how often it was written', () => {
    const a = layoutArchive([{ key: 'k1', bytes: bytes(64, 1) }, { key: 'k2', bytes: bytes(8, 2) }]);
    const again = layoutArchive([{ key: 'k1', bytes: bytes(64, 1) }, { key: 'k2', bytes: bytes(8, 2) }]);
    expect(again.id).toBe(a.id);
    expect(Buffer.from(sealedBytes(again)).equals(Buffer.from(sealedBytes(a)))).toBe(true);
    expect(layoutArchive([{ key: 'k1', bytes: bytes(64, 1) }, { key: 'k3', bytes: bytes(8, 2) }]).id).not.toBe(a.id);
    expect(layoutArchive([{ key: 'k1', bytes: bytes(64, 1) }, { key: 'k2', bytes: bytes(9, 2) }]).id).not.toBe(a.id);
    expect(readArchive(sealedBytes(a)).id).toBe(a.id);
  });

  it('refuses a damaged, truncated or foreign file, naming it', () => {
    const file = sealedBytes(layoutArchive([{ key: 'k', bytes: bytes(1000, 3) }]));
    const flipped = file.slice();
    flipped[file.length - 100]! ^= 1;
    expect(() => readArchive(flipped, 'w.params')).toThrow(/w\.params.*checksum mismatch/);
    expect(() => readArchive(file.subarray(0, file.length - 64), 'w.params')).toThrow(/w\.params.*(checksum|outside)/);
    expect(() => readArchive(file.subarray(0, 10), 'w.params')).toThrow(/shorter than the header/);
    const module = writeModule(moduleWith([]));
    expect(() => readArchive(module, 'w.params')).toThrow(/not an ireets parameter archive/);
    try {
      readArchive(flipped, 'w.params');
    } catch (e) {
      expect((e as { code: string }).code).toBe('MODULE_CORRUPT');
    }
  });
});

describe('a module with external weights', () => {
  const small = bytes(32, 9);
  const w1 = bytes(5000, 1);
  const w2 = bytes(7000, 2);
  const vm = moduleWith([small, w1, w2, w1]);
  const archive = layoutArchive([{ key: 'w1', bytes: w1 }, { key: 'w2', bytes: w2 }]);
  const external = { file: 'model.params', archive: archive.id, keys: [undefined, 'w1', 'w2', 'w1'] };
  const moduleFile = () => sealedBytes(layoutModule({ ...vm, rodata: [small, new Uint8Array(0), new Uint8Array(0), new Uint8Array(0)] }, external));
  const archiveFile = () => readArchive(sealedBytes(layoutArchive([{ key: 'w1', bytes: w1 }, { key: 'w2', bytes: w2 }])), 'model.params');

  it('holds only what is not in the archive, and reads back as the embedded module', () => {
    const file = moduleFile();
    const embedded = writeModule(vm);
    expect(file.length).toBeLessThan(embedded.length - w1.length - w2.length + 64 * 4);
    expect(parameterArchiveOf(file)).toEqual({ file: 'model.params', archive: archive.id });
    expect(parameterArchiveOf(embedded)).toBeUndefined();
    const read = readModule(file, 'model.vmfb', archiveFile());
    expect(read.rodata.map((r) => r.length)).toEqual([32, 5000, 7000, 5000]);
    expect(Buffer.from(writeModule(read)).equals(Buffer.from(embedded))).toBe(true);
  });

  it('is refused without its archive, or with another build\'s, naming the module and the archive', () => {
    const file = moduleFile();
    expect(() => readModule(file, 'model.vmfb')).toThrow(/model\.vmfb.*parameter archive model\.params/);
    const other = readArchive(sealedBytes(layoutArchive([{ key: 'w1', bytes: w1 }])), 'old.params');
    expect(() => readModule(file, 'model.vmfb', other)).toThrow(/model\.vmfb.*other weights.*another build/);
  });

  it('keeps an embedded module\'s bytes and version as before', () => {
    const embedded = writeModule(vm);
    expect(new DataView(embedded.buffer).getUint32(8, true)).toBe(1);
    expect(new DataView(moduleFile().buffer).getUint32(8, true)).toBe(2);
    expect(readModule(embedded).rodata.map((r) => r.length)).toEqual([32, 5000, 7000, 5000]);
    // The version is outside the checksum: one that contradicts the table is damage.
    const relabeled = (file: Uint8Array, version: number): Uint8Array => {
      const copy = file.slice();
      new DataView(copy.buffer).setUint32(8, version, true);
      return copy;
    };
    expect(() => readModule(relabeled(embedded, 2), 'm.vmfb')).toThrow(/m\.vmfb.*version 2 does not match/);
    expect(() => readModule(relabeled(moduleFile(), 1), 'm.vmfb', archiveFile())).toThrow(/m\.vmfb.*version 1 does not match/);
  });
});
