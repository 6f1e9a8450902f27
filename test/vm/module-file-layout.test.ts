// A module file can be written from its pieces (head, then views of code and rodata) instead of
// one joined buffer: the pieces, joined, are exactly writeModule's bytes, the sections are the
// module's own arrays (not copies), and the reader accepts the result.
import { beforeAll, describe, expect, it } from 'vitest';
import { hashBytes, initHashing } from '../../src/util/hash.js';
import type { VmModule } from '../../src/vm/module.js';
import { readModule } from '../../src/vm/module-reader.js';
import { HEADER_BYTES, layoutModule, sealModule, SECTION_ALIGNMENT, writeModule } from '../../src/vm/module-writer.js';

beforeAll(async () => {
  await initHashing();
});

const bytes = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

function moduleWithRodata(sizes: number[]): VmModule {
  return {
    functions: [],
    imports: [],
    exports: [],
    bytecode: bytes(10, 1),
    strings: ['a'],
    executables: [{ hash: 'e0', format: 'test', code: bytes(100, 2), meta: { entryPoints: [] } }],
    rodata: sizes.map((n, i) => bytes(n, 3 + i)),
    metadata: { b: '2', a: '1' },
  };
}

/** The pieces joined independently of the writer (the test compares the two). */
const join = (parts: readonly Uint8Array[]): Uint8Array => Buffer.concat(parts);

describe('module file layout', () => {
  it('joined and sealed, the pieces are writeModule’s bytes; sections are the module’s own arrays', () => {
    const mod = moduleWithRodata([0, 1, 63, 64, 65, (1 << 20) + 3]);
    const file = layoutModule(mod);
    sealModule(file);
    const joined = join([file.head, ...file.body]);
    expect(joined.length).toBe(file.byteLength);
    expect(Buffer.from(joined).equals(Buffer.from(writeModule(mod)))).toBe(true);
    for (const r of mod.rodata.filter((r) => r.length > 0)) expect(file.body).toContain(r);
    // The header's checksum covers everything after the header.
    expect(new TextDecoder().decode(joined.subarray(16, 32))).toBe(hashBytes(joined.subarray(HEADER_BYTES)));
  });

  it('places every section on an aligned offset where the reader finds it', () => {
    const mod = moduleWithRodata([5, 200, 4096]);
    const file = layoutModule(mod);
    sealModule(file);
    const back = readModule(join([file.head, ...file.body]));
    back.rodata.forEach((r, i) => {
      expect(Array.from(r)).toEqual(Array.from(mod.rodata[i]!));
      expect(r.byteOffset % SECTION_ALIGNMENT).toBe(0);
    });
    expect(Array.from(back.executables[0]!.code)).toEqual(Array.from(mod.executables[0]!.code));
  });
});
