/**
 * Writing and opening value records, and writing memo records (layouts: record-format.ts;
 * reading memo records: memo-reader.ts).
 */
import { ByteWriter } from './byte-writer.js';
import { checksum32 } from './checksum.js';
import { decodeValue, withEncoding } from './encoding.js';
import { FINGERPRINT_BYTES, putFingerprint } from './fingerprint-bytes.js';
import { fingerprint } from './hashing.js';
import { FORMAT_VERSION, TRAILER, type Opened } from './record-format.js';
import type { Fingerprint, PersistedMemo } from './store.js';

export { FORMAT_VERSION, type Opened };

/** Name indexes are a u16 with the input flag: far more query names than any program has. */
const MAX_NAMES = 0x7fff;

export function sealValue(encoded: Uint8Array): Uint8Array {
  const out = new Uint8Array(encoded.length + 1);
  out[0] = FORMAT_VERSION;
  out.set(encoded, 1);
  return out;
}

/** A value's record and the fingerprint of its encoding, with one copy of the bytes. */
export function sealValueOf(value: unknown): { fingerprint: Fingerprint; record: Uint8Array } {
  return withEncoding(value, (encoded) => ({ fingerprint: fingerprint(encoded), record: sealValue(encoded) }));
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
  /** Wall-clock ms of the last commit that wrote or touched it (GC's "least recently used"). */
  usedAt: number;
}

/** Reused across seals: a memo is encoded, copied out, and the writer reset. */
const writer = new ByteWriter(1024);
const fpScratch = new Uint8Array(FINGERPRINT_BYTES);

/** Throws RangeError for a memo that has no record form (a key hash or fingerprint that is not one). */
export function sealMemo(entry: MemoEntry): Uint8Array {
  const { memo } = entry;
  const w = writer;
  w.reset();
  w.byte(FORMAT_VERSION);
  w.string(memo.query);
  fp8(w, memo.keyHash);
  w.string(memo.version);
  fp8(w, memo.valueFingerprint);
  const names: string[] = [];
  const index = new Map<string, number>();
  for (const d of memo.deps) {
    if (!index.has(d.query)) {
      index.set(d.query, names.length);
      names.push(d.query);
    }
  }
  if (names.length > MAX_NAMES) throw new RangeError(`a memo reads ${names.length} queries, at most ${MAX_NAMES} can be recorded`);
  w.varuint(names.length);
  for (const n of names) w.string(n);
  w.varuint(memo.deps.length);
  for (const d of memo.deps) {
    const tag = index.get(d.query)! * 2 + (d.input ? 1 : 0);
    w.byte(tag & 0xff);
    w.byte(tag >>> 8);
    fp8(w, d.keyHash);
    fp8(w, d.fingerprint);
  }
  const end = w.length;
  for (let i = 0; i < TRAILER; i++) w.byte(0);
  const out = w.finish();
  const dv = new DataView(out.buffer);
  dv.setUint32(end, checksum32(out, 0, end), true);
  dv.setFloat64(end + 4, entry.usedAt, true);
  return out;
}

function fp8(w: ByteWriter, fp: Fingerprint): void {
  putFingerprint(fp, fpScratch, 0);
  for (let i = 0; i < FINGERPRINT_BYTES; i++) w.byte(fpScratch[i]!);
}

/** The same record with another usedAt (nothing the checksum covers changes). */
export function retouchMemo(record: Uint8Array, usedAt: number): Uint8Array {
  const out = Uint8Array.from(record);
  new DataView(out.buffer).setFloat64(out.length - 8, usedAt, true);
  return out;
}
