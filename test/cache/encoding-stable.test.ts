import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { utf8Length } from '../../src/cache/byte-writer.js';
import { decodeValue, encodeValue } from '../../src/cache/encoding.js';
import { fingerprint, fingerprintValue, initHashing } from '../../src/cache/hashing.js';

beforeAll(() => initHashing());

/** Plain data, Maps and Sets included (keys of every kind, objects among them). */
const data = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(undefined, null, true, false, -0, 0, NaN, Infinity, -Infinity),
    fc.double(),
    fc.integer(),
    fc.bigInt(),
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.uint8Array({ maxLength: 8 }),
    fc.float64Array({ maxLength: 3 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom('id', 'op', 'inputs', 'outputs', 'attrs', 'a', 'b', 'B', 'é', ''), tie('value'), { maxKeys: 5 }),
    fc.dictionary(fc.string(), tie('value'), { maxKeys: 4, noNullPrototype: true }),
    fc.array(fc.tuple(tie('value'), tie('value')), { maxLength: 4 }).map((es) => new Map(es)),
    fc.array(fc.tuple(fc.integer({ min: -5, max: 300 }), tie('value')), { maxLength: 6 }).map((es) => new Map(es)),
    fc.array(tie('value'), { maxLength: 4 }).map((xs) => new Set(xs)),
  ),
})).value;

describe('canonical encoding is stable', () => {
  it('gives the bytes it gave when fingerprints were first stored (a fixed sample)', () => {
    const sample = fc.sample(data, { seed: 20240611, numRuns: 2000 });
    const all = sample.map((v) => fingerprint(encodeValue(v))).join('');
    expect(fingerprint(new TextEncoder().encode(all))).toBe(GOLDEN);
    for (const v of sample.slice(0, 200)) expect(fingerprintValue(v)).toBe(fingerprint(encodeValue(v)));
  });

  it('sorts Map entries by key, then by value where keys encode alike', () => {
    // Two distinct key objects with equal content: the values decide the order.
    const m1 = new Map<unknown, unknown>([[{ k: 1 }, 'b'], [{ k: 1 }, 'a'], [2, 'c']]);
    const m2 = new Map<unknown, unknown>([[{ k: 1 }, 'a'], [2, 'c'], [{ k: 1 }, 'b']]);
    expect(encodeValue(m1)).toEqual(encodeValue(m2));
    // 0x0c Map, 3 entries; Int 2 (04 02) sorts before Object (09 …).
    expect([...encodeValue(m1).subarray(0, 4)]).toEqual([0x0c, 3, 0x04, 0x02]);
  });
});

describe('encoding shortcuts keep the canonical form', () => {
  it('encodes objects of many shapes sharing a first key as sorting their keys would', () => {
    for (let i = 0; i < 200; i++) {
      const keys = ['a', ...Array.from({ length: 1 + (i % 7) }, (_, k) => `k${(i * 31 + k * 7) % 50}`)];
      const forward = Object.fromEntries(keys.map((k, j) => [k, j]));
      const backward = Object.fromEntries([...keys].reverse().map((k) => [k, forward[k]]));
      expect(encodeValue(backward)).toEqual(encodeValue(forward));
      const sorted = [...new Set(keys)].sort();
      // Tag Object, count, then each key as length + bytes before its value.
      const bytes = encodeValue(forward);
      expect(bytes[0]).toBe(0x09);
      expect(bytes[1]).toBe(sorted.length);
      expect(String.fromCharCode(...bytes.subarray(3, 3 + bytes[2]!))).toBe(sorted[0]);
    }
  });

  it('orders integer-keyed Maps by the bytes of their keys, for keys of any size', () => {
    const keys = [0, 1, 127, 128, 129, 200, 300, 16383, 16384, 2 ** 21, 2 ** 35 + 7, 2 ** 40, Number.MAX_SAFE_INTEGER, 5, 255, 256];
    const m = new Map(keys.map((k, i) => [k, `v${i}`]));
    const sorted = [...m].map(([k, v]) => [encodeValue(k), encodeValue(v)] as const).sort((a, b) => Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0])));
    const expected = Buffer.concat([Buffer.from([0x0c, keys.length]), ...sorted.flatMap(([k, v]) => [Buffer.from(k), Buffer.from(v)])]);
    expect(Buffer.from(encodeValue(m)).equals(expected)).toBe(true);
    expect(decodeValue(encodeValue(m))).toEqual(m);
  });

  it('refuses a cycle however deep it starts, and accepts a deep value that repeats an object', () => {
    const deep = (n: number, leaf: unknown): Record<string, unknown> => {
      let v: Record<string, unknown> = { leaf };
      for (let i = 0; i < n; i++) v = { next: v };
      return v;
    };
    const shared = { s: 1 };
    expect(() => encodeValue(deep(150, [shared, shared, deep(80, shared)]))).not.toThrow();
    for (const depth of [0, 10, 63, 64, 65, 200]) {
      const loop: Record<string, unknown> = {};
      const top = deep(depth, loop);
      loop['back'] = top;
      expect(() => encodeValue(top)).toThrow(/cyclic/);
    }
    // The encoder is usable after refusing one.
    expect(encodeValue({ a: 1 })).toEqual(encodeValue({ a: 1 }));
  });
});

describe('utf8Length', () => {
  it('counts what TextEncoder writes, lone surrogates included', () => {
    const cases = ['', 'abc', 'é', '→', '😀', 'a😀b', '\ud800', '\udc00', 'x\ud800y', '\ud800\ud800\udc00', '\udc00\ud800', 'end\ud83d'];
    for (const s of cases) expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length);
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => utf8Length(s) === new TextEncoder().encode(s).length), { numRuns: 500 });
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 12 }), (units) => {
      const s = String.fromCharCode(...units);
      expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length);
      // Encoded as the string TextDecoder reads back from TextEncoder's bytes.
      expect(decodeValue(encodeValue(s))).toBe(new TextDecoder().decode(new TextEncoder().encode(s)));
    }), { numRuns: 500 });
  });
});

const GOLDEN = '8be9f48584baca34';
