/**
 * The byte layout of persisted entries. Every record starts with FORMAT_VERSION, so records
 * written by another layout are recognised and ignored (recomputed), never misread.
 *   value record: [format u8][canonical encoding]            key = fingerprint(encoding)
 *   memo record:  [format u8][encoded memo][xxhash64 u64 BE of the bytes before it]
 * A value's key is its checksum; a memo carries its own.
 */
import { encodeValue, decodeValue } from './encoding.js';
import { fingerprint, hash64 } from './hashing.js';
import type { Fingerprint, PersistedDep, PersistedMemo } from './store.js';

/** Bump whenever the record layout or the value encoding changes. */
export const FORMAT_VERSION = 1;

export type Opened<T> = { ok: true; value: T } | { ok: false; reason: 'format' | 'corrupt'; detail: string };

export function sealValue(encoded: Uint8Array): Uint8Array {
  const out = new Uint8Array(encoded.length + 1);
  out[0] = FORMAT_VERSION;
  out.set(encoded, 1);
  return out;
}

export function openValue(fp: Fingerprint, record: Uint8Array): Opened<unknown> {
  if (record.length < 1 || record[0] !== FORMAT_VERSION) {
    return { ok: false, reason: 'format', detail: `record format ${record[0] ?? 'none'}, expected ${FORMAT_VERSION}` };
  }
  const body = record.subarray(1);
  const actual = fingerprint(body);
  if (actual !== fp) return { ok: false, reason: 'corrupt', detail: `checksum mismatch (content hashes to ${actual})` };
  try {
    return { ok: true, value: decodeValue(body) };
  } catch (e) {
    return { ok: false, reason: 'corrupt', detail: `undecodable: ${(e as Error).message}` };
  }
}

export interface MemoEntry {
  memo: PersistedMemo;
  /** Wall-clock ms of the last commit that wrote or touched it; only GC reads it. */
  usedAt: number;
}

export function sealMemo(entry: MemoEntry): Uint8Array {
  const { memo } = entry;
  const payload = encodeValue({
    q: memo.query,
    h: memo.keyHash,
    v: memo.version,
    k: memo.key,
    d: memo.deps.map((d) => [d.query, d.keyHash, d.fingerprint, d.input]),
    f: memo.valueFingerprint,
    u: entry.usedAt,
  });
  const out = new Uint8Array(1 + payload.length + 8);
  out[0] = FORMAT_VERSION;
  out.set(payload, 1);
  new DataView(out.buffer).setBigUint64(1 + payload.length, hash64(out.subarray(0, 1 + payload.length)), false);
  return out;
}

export function openMemo(record: Uint8Array): Opened<MemoEntry> {
  if (record.length < 1 || record[0] !== FORMAT_VERSION) {
    return { ok: false, reason: 'format', detail: `record format ${record[0] ?? 'none'}, expected ${FORMAT_VERSION}` };
  }
  if (record.length < 10) return { ok: false, reason: 'corrupt', detail: 'truncated' };
  const end = record.length - 8;
  const stored = new DataView(record.buffer, record.byteOffset, record.byteLength).getBigUint64(end, false);
  if (stored !== hash64(record.subarray(0, end))) return { ok: false, reason: 'corrupt', detail: 'checksum mismatch' };
  try {
    const p = decodeValue(record.subarray(1, end)) as {
      q: string;
      h: string;
      v: string;
      k: unknown;
      d: [string, string, string, boolean][];
      f: string;
      u: number;
    };
    const deps: PersistedDep[] = p.d.map(([query, keyHash, fp, input]) => ({ query, keyHash, fingerprint: fp, input }));
    const memo: PersistedMemo = { query: p.q, keyHash: p.h, version: p.v, key: p.k, deps, valueFingerprint: p.f };
    return { ok: true, value: { memo, usedAt: p.u } };
  } catch (e) {
    return { ok: false, reason: 'corrupt', detail: `undecodable: ${(e as Error).message}` };
  }
}
