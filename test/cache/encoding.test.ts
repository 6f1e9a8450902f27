import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeValue, encodeValue } from '../../src/cache/encoding.js';
import { fingerprint, fingerprintValue, initHashing } from '../../src/cache/hashing.js';

beforeAll(() => initHashing());

/** Plain data of the domain the encoding supports (no Maps: their keys compare by identity). */
const plain = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(undefined, null, true, false, -0, 0, NaN, Infinity, -Infinity),
    fc.double(),
    fc.integer(),
    fc.maxSafeInteger(),
    fc.bigInt(),
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.uint8Array({ maxLength: 16 }),
    fc.float32Array({ maxLength: 4 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie('value'), { maxKeys: 4, noNullPrototype: true }),
  ),
})).value;

/** Same keys inserted in reverse order: equal as data, different as JS objects. */
function reorder(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reorder);
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).reverse()) Object.defineProperty(out, k, { value: reorder((v as Record<string, unknown>)[k]), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}

describe('canonical encoding', () => {
  it('round-trips and is deterministic (property)', () => {
    fc.assert(
      fc.property(plain, (v) => {
        const bytes = encodeValue(v);
        expect(decodeValue(bytes)).toStrictEqual(v);
        // As read back from a database: a Buffer view at an odd offset of a shared pool.
        expect(decodeValue(Buffer.concat([Buffer.from([0]), bytes]).subarray(1))).toStrictEqual(v);
        expect(encodeValue(decodeValue(bytes))).toEqual(bytes);
        expect(encodeValue(reorder(v))).toEqual(bytes);
        expect(fingerprintValue(reorder(v))).toBe(fingerprintValue(v));
      }),
      { numRuns: 300 },
    );
  });

  it('ignores key order, and Map/Set insertion order', () => {
    expect(fingerprintValue({ a: 1, b: [2, { c: 3, d: 4 }] })).toBe(fingerprintValue({ b: [2, { d: 4, c: 3 }], a: 1 }));
    expect(encodeValue(new Map<unknown, unknown>([['x', 1], [2, 'y']]))).toEqual(encodeValue(new Map<unknown, unknown>([[2, 'y'], ['x', 1]])));
    expect(encodeValue(new Set([3, 1, 2]))).toEqual(encodeValue(new Set([2, 3, 1])));
  });

  it('tells apart what is different', () => {
    const distinct = [0, -0, 1, 1n, '1', true, null, undefined, NaN, [], {}, new Uint8Array([1]), new Int8Array([1]), new Uint16Array([1]), new Map(), new Set(), [undefined], { a: undefined }];
    const fps = distinct.map((v) => fingerprintValue(v));
    expect(new Set(fps).size).toBe(distinct.length);
  });

  it('has one NaN and keeps -0', () => {
    const otherNaN = new Float64Array(new BigUint64Array([0x7ff8000000000001n]).buffer)[0]!;
    expect(Number.isNaN(otherNaN)).toBe(true);
    expect(encodeValue(otherNaN)).toEqual(encodeValue(NaN));
    expect(Object.is(decodeValue(encodeValue(-0)), -0)).toBe(true);
  });

  it('round-trips typed arrays with their dtype, views of larger buffers included', () => {
    const big = new Float32Array([1, 2, 3, 4, 5]);
    const view = big.subarray(1, 3);
    const back = decodeValue(encodeValue(view)) as Float32Array;
    expect(back).toBeInstanceOf(Float32Array);
    expect([...back]).toEqual([2, 3]);
    const u64 = decodeValue(encodeValue(new BigUint64Array([2n ** 64n - 1n]))) as BigUint64Array;
    expect(u64[0]).toBe(2n ** 64n - 1n);
    expect(new Uint8Array(decodeValue(encodeValue(new Uint8Array([9, 8]).buffer)) as ArrayBuffer)).toEqual(new Uint8Array([9, 8]));
  });

  it('refuses values without a canonical form', () => {
    class Tensor {}
    for (const bad of [new Tensor(), new Date(0), () => 1, Symbol('s'), { nested: [new Tensor()] }]) {
      expect(() => encodeValue(bad)).toThrow(expect.objectContaining({ code: 'VALUE_UNENCODABLE' }));
    }
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => encodeValue(cyclic)).toThrow(/cyclic/);
    // Shared (non-cyclic) substructure is fine.
    const shared = { x: 1 };
    expect(decodeValue(encodeValue([shared, shared]))).toEqual([{ x: 1 }, { x: 1 }]);
  });

  it('keeps a "__proto__" key as data', () => {
    const v = JSON.parse('{"__proto__": {"polluted": true}}') as object;
    const back = decodeValue(encodeValue(v)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back)).toEqual(['__proto__']);
  });

  it('fails cleanly on malformed bytes', () => {
    const bytes = encodeValue({ a: 'hello', b: [1, 2, 3] });
    expect(() => decodeValue(bytes.subarray(0, bytes.length - 2))).toThrow();
    expect(() => decodeValue(new Uint8Array([0xee]))).toThrow(/unknown tag/);
    expect(() => decodeValue(new Uint8Array([0x01, 0x01]))).toThrow(/trailing/);
  });
});

describe('fingerprints', () => {
  it('are 16 hex digits of xxhash64 and stable across releases', () => {
    expect(fingerprint(new Uint8Array([1, 2, 3]))).toMatch(/^[0-9a-f]{16}$/);
    // Golden values: changing them means changing every cache key (bump FORMAT_VERSION).
    expect(fingerprint(new Uint8Array([1, 2, 3]))).toBe('743e13ee0c4ee5a5');
    expect(fingerprintValue({ b: [1, 'x'], a: null })).toBe(fingerprintValue({ a: null, b: [1, 'x'] }));
  });

  it('of big values do not pin memory in the scratch buffer', () => {
    const big = new Uint8Array(3 << 20).fill(7);
    const fp = fingerprintValue(big);
    expect(fingerprintValue(big)).toBe(fp);
    expect(fingerprintValue(1)).toBe(fingerprintValue(1));
  });
});
