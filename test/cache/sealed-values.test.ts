// RecordStore keeps the record of a large value it fingerprinted for the commit that writes it:
// what is written is exactly the encoding that was fingerprinted.
import { describe, expect, it } from 'vitest';
import { encodeValue } from '../../src/cache/encoding.js';
import { fingerprintValue, initHashing } from '../../src/cache/hashing.js';
import { RecordStore } from '../../src/cache/record-store.js';
import { memoryTables } from '../../src/cache/tables.js';

await initHashing();

const batchOf = (values: Map<string, unknown>) => ({ memos: [], values, touched: [], counters: {} });
const large = (tag: number) => ({ tag, rows: Array.from({ length: 2000 }, (_, i) => ({ i, name: `value_${i}` })) });

describe('sealed records of fingerprinted values', () => {
  it('fingerprint as fingerprintValue does, and write the same record as sealing at commit would', async () => {
    const store = new RecordStore(memoryTables());
    const v = large(1);
    const fp = store.fingerprintValue(v);
    expect(fp).toBe(fingerprintValue(v));
    await store.write(batchOf(new Map([[fp, v]])));
    const back = store.readValue(fp);
    expect(back).toEqual({ found: true, value: v });
    expect(store.tables.values.get(fp)!.subarray(1)).toEqual(encodeValue(v));
  });

  it('file a value mutated after its fingerprint under the bytes that fingerprint names', async () => {
    const store = new RecordStore(memoryTables());
    const v = large(2);
    const before = structuredClone(v);
    const fp = store.fingerprintValue(v);
    v.tag = 99; // a compute's result changed behind the engine's back
    await store.write(batchOf(new Map([[fp, v]])));
    expect(store.readValue(fp)).toEqual({ found: true, value: before });
  });

  it('seal small values at commit, and skip values the store already holds', async () => {
    const store = new RecordStore(memoryTables());
    const small = { a: 1 };
    const fpSmall = store.fingerprintValue(small);
    const v = large(3);
    const fp = store.fingerprintValue(v);
    await store.write(batchOf(new Map<string, unknown>([[fpSmall, small], [fp, v]])));
    expect(store.readValue(fpSmall)).toEqual({ found: true, value: small });
    // Fingerprinted again and written again: already there, nothing changes.
    expect(store.fingerprintValue(v)).toBe(fp);
    await store.write(batchOf(new Map([[fp, v]])));
    expect(store.readValue(fp)).toEqual({ found: true, value: v });
  });

  it('hold only a bounded number of records', () => {
    const store = new RecordStore(memoryTables());
    const values = Array.from({ length: 100 }, (_, i) => large(i));
    for (const v of values) store.fingerprintValue(v);
    const held = (store as unknown as { sealed: { records: Map<object, unknown> } }).sealed.records;
    expect(held.size).toBeLessThanOrEqual(64);
    expect(held.has(values[99]!)).toBe(true);
    expect(held.has(values[0]!)).toBe(false);
  });
});
