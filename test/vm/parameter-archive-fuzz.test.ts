// Fuzzing the parameter archive reader and the module reader's archive references: damaged
// bytes (re-sealed, so the parsers behind the checksum see them too) and truncations give a
// typed error or a well-formed result, never a crash or a view outside the file.
import { describe, expect, it } from 'vitest';
import { isIreetsError } from '../../src/util/errors.js';
import { initHashing } from '../../src/util/hash.js';
import { ChunkedHasher } from '../../src/util/hash-chunked.js';
import { readModule } from '../../src/vm/module-reader.js';
import { HEADER_BYTES, layoutModule, sealedBytes } from '../../src/vm/module-writer.js';
import { layoutArchive, readArchive } from '../../src/vm/parameter-archive.js';
import { lcg32 } from '../support/random.js';

await initHashing();

const SEED = Number(process.env['FUZZ_SEED'] ?? 1);
const CASES = 400;


/** Puts a valid checksum back, so the damage reaches the parser. */
function reseal(bytes: Uint8Array): Uint8Array {
  if (bytes.length >= HEADER_BYTES) bytes.set(new TextEncoder().encode(new ChunkedHasher().update(bytes.subarray(HEADER_BYTES)).digest()), 16);
  return bytes;
}

function damage(file: Uint8Array, next: () => number): Uint8Array {
  const out = file.slice(0, next() < 0.2 ? Math.floor(next() * file.length) : file.length);
  const flips = 1 + Math.floor(next() * 6);
  for (let i = 0; i < flips && out.length > 0; i++) {
    // Mostly the header and the JSON index, where the parser looks.
    const at = next() < 0.8 ? Math.floor(next() * Math.min(out.length, 400)) : Math.floor(next() * out.length);
    out[at] = next() < 0.5 ? Math.floor(next() * 256) : '{}[]":,0123456789'.charCodeAt(Math.floor(next() * 17));
  }
  return next() < 0.9 ? reseal(out) : out;
}

const expectTypedOrSound = (read: () => { entries?: Map<string, Uint8Array>; rodata?: Uint8Array[] }, file: Uint8Array, seed: string): void => {
  try {
    const r = read();
    for (const v of [...(r.entries?.values() ?? []), ...(r.rodata ?? [])]) {
      expect(v.buffer === file.buffer && v.byteOffset + v.byteLength <= file.byteOffset + file.byteLength, seed).toBe(true);
    }
  } catch (e) {
    if (!isIreetsError(e)) throw new Error(`${seed}: untyped error ${(e as Error).stack}`);
    expect(['MODULE_CORRUPT', 'INPUT_INVALID'], seed).toContain(e.code);
  }
};

describe(`parameter archive fuzz (FUZZ_SEED=${SEED})`, () => {
  const entries = [
    { key: '0123456789abcdef', bytes: Uint8Array.from({ length: 300 }, (_, i) => i) },
    { key: 'fedcba9876543210', bytes: Uint8Array.from({ length: 70 }, (_, i) => 255 - i) },
  ];
  const archive = layoutArchive(entries);
  const archiveFile = sealedBytes(layoutArchive(entries));
  const module = sealedBytes(layoutModule(
    { functions: [], imports: [], exports: [], bytecode: new Uint8Array(0), strings: [], executables: [], rodata: [new Uint8Array(8), new Uint8Array(0), new Uint8Array(0)], metadata: {} },
    { file: 'm.params', archive: archive.id, keys: [undefined, entries[0]!.key, entries[1]!.key] },
  ));

  it('archives whose index is valid JSON of the wrong shape: a typed error', () => {
    const withIndex = (json: string): Uint8Array => {
      const index = new TextEncoder().encode(json);
      const file = new Uint8Array(HEADER_BYTES + index.length + 64);
      file.set(archiveFile.subarray(0, 12), 0);
      new DataView(file.buffer).setUint32(12, index.length, true);
      file.set(index, HEADER_BYTES);
      return reseal(file);
    };
    for (const json of ['null', '[]', '7', '{"entries":null}', '{"entries":[null]}', '{"entries":[{"key":"k","offset":-1,"length":5}]}', '{"entries":[{"key":"k","offset":0,"length":1e9}]}', '{"entries":[{"key":1,"offset":0,"length":1}]}']) {
      expect(() => readArchive(withIndex(json), 'm.params'), json).toThrow(/parameter archive/);
    }
    for (const json of ['null', '[]', '{"functions":null}']) {
      const index = new TextEncoder().encode(json);
      const file = new Uint8Array(HEADER_BYTES + index.length);
      file.set(module.subarray(0, 12), 0);
      new DataView(file.buffer).setUint32(12, index.length, true);
      file.set(index, HEADER_BYTES);
      expect(() => readModule(reseal(file), 'm.vmfb'), json).toThrow(/m\.vmfb/);
    }
  });

  it('archives: a typed error or entries inside the file', () => {
    const next = lcg32(SEED);
    for (let i = 0; i < CASES; i++) {
      const file = damage(archiveFile, next);
      expectTypedOrSound(() => readArchive(file, 'm.params'), file, `archive case ${i}, FUZZ_SEED=${SEED}`);
    }
  });

  it('modules naming an archive: a typed error or rodata inside module or archive', () => {
    const next = lcg32(SEED + 1);
    const good = readArchive(archiveFile, 'm.params');
    for (let i = 0; i < CASES; i++) {
      const file = damage(module, next);
      try {
        const read = readModule(file, 'm.vmfb', good);
        for (const r of read.rodata) expect(r.buffer === file.buffer || r.buffer === archiveFile.buffer).toBe(true);
      } catch (e) {
        if (!isIreetsError(e)) throw new Error(`module case ${i}, FUZZ_SEED=${SEED}: untyped error ${(e as Error).stack}`);
      }
    }
  });
});
