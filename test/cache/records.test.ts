/**
 * The memo record layout (format 3): fingerprints as 8 bytes, fixed-width dependency entries
 * read in place (PackedDeps), and the loaders' care with scratch buffers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fingerprintValue, initHashing } from '../../src/cache/hashing.js';
import { loadMemo, openMemo } from '../../src/cache/memo-reader.js';
import { FORMAT_VERSION, sealMemo } from '../../src/cache/records.js';
import type { DepList, PersistedDep, PersistedMemo } from '../../src/cache/store.js';
import { LmdbStore } from '../../src/cache/lmdb-store.js';
import { makeTempDir } from '../graph/helpers.js';

await initHashing();

const fp = (v: unknown) => fingerprintValue(v);
const words = (hex: string) => [parseInt(hex.slice(0, 8), 16) | 0, parseInt(hex.slice(8), 16) | 0];

function memo(query: string, key: unknown, deps: PersistedDep[], value: unknown = 'v'): PersistedMemo {
  return { query, keyHash: fp(key), version: 'v7', deps, valueFingerprint: fp(value) };
}

function depsOf(list: DepList): PersistedDep[] {
  return Array.from({ length: list.length }, (_, i) => ({ query: list.query(i), keyHash: list.keyHash(i), fingerprint: list.fingerprint(i), input: list.isInput(i) }));
}

const deps: PersistedDep[] = [
  { query: 'file', keyHash: fp('a.onnx'), fingerprint: fp('bytes'), input: true },
  { query: 'parse', keyHash: fp('a'), fingerprint: fp([1, 2]), input: false },
  { query: 'file', keyHash: fp('b.onnx'), fingerprint: fp('more'), input: true },
];

describe('memo records', () => {
  it('store fingerprints as 8 bytes and dependencies as fixed-width entries', () => {
    const m = memo('lower', { region: 3 }, deps);
    const record = sealMemo({ memo: m, usedAt: 1234 });
    const names = 1 + (1 + 'file'.length) + (1 + 'parse'.length);
    expect(record.length).toBe(1 + (1 + 'lower'.length) + 8 + (1 + 'v7'.length) + 8 + names + 1 + 18 * deps.length + 12);
    expect(record[0]).toBe(FORMAT_VERSION);
    expect(openMemo(record, 'lower', m.keyHash)).toEqual({ ok: true, value: { ...m, usedAt: 1234 } });
  });

  it('load with the same checks as open, dependencies read in place, words matching the hex', () => {
    const m = memo('lower', 'k', deps);
    const record = sealMemo({ memo: m, usedAt: 99 });
    const loaded = loadMemo(record, record.length, 'lower', m.keyHash);
    if (!loaded.ok) throw new Error(loaded.detail);
    const l = loaded.value;
    expect([l.version, l.valueFingerprint, l.usedAt]).toEqual(['v7', m.valueFingerprint, 99]);
    expect([l.valueHigh, l.valueLow]).toEqual(words(m.valueFingerprint));
    expect(depsOf(l.deps)).toEqual(deps);
    for (let i = 0; i < deps.length; i++) {
      expect([l.deps.keyHashHigh(i), l.deps.keyHashLow(i)]).toEqual(words(deps[i]!.keyHash));
      expect([l.deps.fingerprintHigh(i), l.deps.fingerprintLow(i)]).toEqual(words(deps[i]!.fingerprint));
      expect(l.deps.fingerprintIs(i, deps[i]!.fingerprint)).toBe(true);
      expect(l.deps.fingerprintIs(i, fp('other'))).toBe(false);
      expect(l.deps.fingerprintIs(i, '!')).toBe(false);
    }
    // The key may be given as words instead of its string.
    const [high, low] = words(m.keyHash);
    expect(loadMemo(record, record.length, 'lower', undefined, high, low).ok).toBe(true);
    expect(loadMemo(record, record.length, 'lower', undefined, high, low + 1)).toMatchObject({ ok: false, detail: 'memo filed under the wrong key' });
    expect(loadMemo(record, record.length, 'lowe', m.keyHash)).toMatchObject({ ok: false, detail: 'memo filed under the wrong key' });
  });

  it('fail loads of damaged records and of other formats the way opens do', () => {
    const m = memo('q', 1, deps);
    const good = sealMemo({ memo: m, usedAt: 5 });
    for (let i = 0; i < good.length - 8; i++) {
      const bad = Uint8Array.from(good);
      bad[i]! ^= 0x20;
      const expected = i === 0 ? 'format' : 'corrupt';
      expect(loadMemo(bad, bad.length, 'q', m.keyHash)).toMatchObject({ ok: false, reason: expected });
      expect(openMemo(bad, 'q', m.keyHash)).toMatchObject({ ok: false, reason: expected });
    }
    const older = Uint8Array.from(good);
    older[0] = FORMAT_VERSION - 1;
    expect(loadMemo(older, older.length, 'q', m.keyHash)).toMatchObject({ ok: false, reason: 'format' });
    expect(loadMemo(good, 10, 'q', m.keyHash)).toMatchObject({ ok: false, reason: 'corrupt' });
  });

  it('refuse to seal what is not a fingerprint', () => {
    for (const bad of ['x'.repeat(16), fp(1).toUpperCase(), fp(1).slice(1), '!']) {
      expect(() => sealMemo({ memo: { ...memo('q', 1, []), valueFingerprint: bad }, usedAt: 0 })).toThrow(RangeError);
      expect(() => sealMemo({ memo: memo('q', 1, [{ ...deps[0]!, fingerprint: bad }]), usedAt: 0 })).toThrow(RangeError);
    }
  });

  it('share equal short dependency lists and copy them out of the scratch bytes they came in', () => {
    // A Node Buffer: its slice() would share memory with the scratch buffer, not copy it.
    const scratch = Buffer.alloc(4096);
    const load = (m: PersistedMemo) => {
      const record = sealMemo({ memo: m, usedAt: 1 });
      scratch.set(record, 0);
      const loaded = loadMemo(scratch, record.length, m.query, m.keyHash);
      if (!loaded.ok) throw new Error(loaded.detail);
      return loaded.value;
    };
    const a = load(memo('leaf', 1, deps.slice(0, 1)));
    const b = load(memo('leaf', 2, deps.slice(0, 1), 'w'));
    const c = load(memo('leaf', 3, deps.slice(2, 3)));
    const many = Array.from({ length: 40 }, (_, i) => ({ query: `q${i % 3}`, keyHash: fp(i), fingerprint: fp(-i), input: i % 2 === 0 }));
    const d = load(memo('group', 4, many));
    expect(a.deps).toBe(b.deps);
    expect(c.deps).not.toBe(a.deps);
    scratch.fill(0xee);
    expect(depsOf(a.deps)).toEqual(deps.slice(0, 1));
    expect(depsOf(c.deps)).toEqual(deps.slice(2, 3));
    expect(depsOf(d.deps)).toEqual(many);
    expect(a.version).toBe('v7');
    // Two records laid out alike but naming other queries, one right after the other.
    const e = load(memo('leaf', 5, [{ ...deps[0]!, query: 'fil1' }]));
    const f = load(memo('leaf', 6, [{ ...deps[0]!, query: 'fil2' }]));
    expect([e.deps.query(0), f.deps.query(0)]).toEqual(['fil1', 'fil2']);
  });
});

describe('LmdbStore.loadDepMemo', () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('finds the memo a dependency names, by key bytes, as loadMemo does by key string', async () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.remove);
    const store = await LmdbStore.open({ cacheDir: tmp.dir });
    cleanups.push(() => store.close());
    const children = [memo('parse', 'a', [deps[0]!], 1), memo('größe', 'b', [], 2)];
    const parent = memo('total', null, children.map((c) => ({ query: c.query, keyHash: c.keyHash, fingerprint: c.valueFingerprint, input: false })));
    await store.write({ memos: [parent, ...children], values: new Map(), touched: [], counters: {} });
    const loaded = store.loadMemo('total', parent.keyHash);
    if (!loaded.found) throw new Error('parent not found');
    const list = loaded.value.deps;
    for (let i = 0; i < children.length; i++) {
      const viaDep = store.loadDepMemo(list, i);
      const viaKey = store.loadMemo(children[i]!.query, children[i]!.keyHash);
      expect(viaDep.found && viaKey.found).toBe(true);
      if (!viaDep.found || !viaKey.found) continue;
      expect([viaDep.value.valueFingerprint, depsOf(viaDep.value.deps)]).toEqual([children[i]!.valueFingerprint, children[i]!.deps]);
      expect(depsOf(viaDep.value.deps)).toEqual(depsOf(viaKey.value.deps));
    }
  });
});
