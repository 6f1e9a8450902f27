/**
 * The byte layout of persisted entries. Every record starts with FORMAT_VERSION, so records
 * written by another layout are recognised and ignored (recomputed), never misread.
 *
 *   value record: [format u8][canonical encoding]          key = fingerprint(encoding), its checksum
 *   memo record:  [format u8]
 *                 [memo key: varuint n + UTF-8]              the key it must be filed under
 *                 [version: varuint n + UTF-8]
 *                 [value fingerprint: 16 ASCII hex digits]
 *                 [dep query names: varuint count, each varuint n + UTF-8]
 *                 [deps: varuint count, each varuint (name index·2 + input), key hash and fingerprint as 16 ASCII hex each]
 *                 [checksum: u32 LE, checksum32 of everything above]
 *                 [usedAt: float64 LE, ms]                   outside the checksum: a touch rewrites only it
 * The memo's key is not in its record: commits store every key as a value under its hash, read
 * only when a memo must re-run (or be displayed).
 *
 * The memo layout is hand-rolled rather than a canonical encoding of an object because a fresh
 * process reads one record per memo it verifies: decoding must cost well under a microsecond.
 */
import { ByteWriter } from './byte-writer.js';
import { checksum32 } from './checksum.js';
import { decodeValue, withEncoding } from './encoding.js';
import { fingerprint } from './hashing.js';
import type { Fingerprint, PersistedDep, PersistedMemo, StoredMemo } from './store.js';

/** Bump whenever the record layout or the value encoding changes. */
export const FORMAT_VERSION = 2;

const HEX_LEN = 16;
/** Checksum and usedAt. */
const TRAILER = 12;

export type Opened<T> = { ok: true; value: T } | { ok: false; reason: 'format' | 'corrupt'; detail: string };

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

export function sealMemo(entry: MemoEntry): Uint8Array {
  const { memo } = entry;
  const w = writer;
  w.reset();
  w.byte(FORMAT_VERSION);
  w.string(`${memo.query}/${memo.keyHash}`);
  w.string(memo.version);
  hex(w, memo.valueFingerprint);
  const names: string[] = [];
  const index = new Map<string, number>();
  for (const d of memo.deps) {
    if (!index.has(d.query)) {
      index.set(d.query, names.length);
      names.push(d.query);
    }
  }
  w.varuint(names.length);
  for (const n of names) w.string(n);
  w.varuint(memo.deps.length);
  for (const d of memo.deps) {
    w.varuint(index.get(d.query)! * 2 + (d.input ? 1 : 0));
    hex(w, d.keyHash);
    hex(w, d.fingerprint);
  }
  const end = w.length;
  for (let i = 0; i < TRAILER; i++) w.byte(0);
  const out = w.finish();
  const dv = new DataView(out.buffer);
  dv.setUint32(end, checksum32(out, 0, end), true);
  dv.setFloat64(end + 4, entry.usedAt, true);
  return out;
}

function hex(w: ByteWriter, fp: Fingerprint): void {
  if (fp.length !== HEX_LEN) throw new RangeError(`not a fingerprint: ${JSON.stringify(fp)}`);
  w.ascii(fp);
}

/** The same record with another usedAt (nothing the checksum covers changes). */
export function retouchMemo(record: Uint8Array, usedAt: number): Uint8Array {
  const out = Uint8Array.from(record);
  new DataView(out.buffer).setFloat64(out.length - 8, usedAt, true);
  return out;
}

const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);

/** usedAt of a record that opened fine; a damaged one (non-finite) counts as oldest. */
function readUsedAt(b: Uint8Array, at: number): number {
  for (let i = 0; i < 8; i++) f64Bytes[i] = b[at + i]!;
  const t = f64[0]!;
  return Number.isFinite(t) ? t : 0;
}

/**
 * Opens the memo record read for (query, keyHash), filed under memoKey: checks format, checksum
 * and that it belongs under that key. `record` may be a scratch buffer: nothing returned aliases it.
 */
export function openMemo(record: Uint8Array, query: string, keyHash: Fingerprint, memoKey = `${query}/${keyHash}`): Opened<StoredMemo> {
  const n = record.length;
  if (n < 1 || record[0] !== FORMAT_VERSION) {
    return { ok: false, reason: 'format', detail: `record format ${record[0] ?? 'none'}, expected ${FORMAT_VERSION}` };
  }
  if (n < 1 + TRAILER + 1) return { ok: false, reason: 'corrupt', detail: 'truncated' };
  const end = n - TRAILER;
  const stored = (record[end]! | (record[end + 1]! << 8) | (record[end + 2]! << 16) | (record[end + 3]! << 24)) >>> 0;
  if (stored !== checksum32(record, 0, end)) return { ok: false, reason: 'corrupt', detail: 'checksum mismatch' };
  try {
    const r = new Cursor(record, end);
    if (!r.matches(memoKey)) return { ok: false, reason: 'corrupt', detail: 'memo filed under the wrong key' };
    const version = r.string();
    const valueFingerprint = r.hex();
    const nNames = r.varuint();
    const names: string[] = new Array(nNames);
    for (let i = 0; i < nNames; i++) names[i] = r.string();
    const nDeps = r.varuint();
    const deps: PersistedDep[] = new Array(nDeps);
    for (let i = 0; i < nDeps; i++) {
      const tag = r.varuint();
      const query = names[tag >>> 1];
      if (query === undefined) throw new RangeError('dependency names an unknown query');
      deps[i] = { query, keyHash: r.hex(), fingerprint: r.hex(), input: (tag & 1) === 1 };
    }
    if (!r.done) throw new RangeError('trailing bytes');
    const memo: StoredMemo = {
      query,
      keyHash,
      version,
      deps,
      valueFingerprint,
      usedAt: readUsedAt(record, end + 4),
    };
    return { ok: true, value: memo };
  } catch (e) {
    // Only a record our own checksum vouches for gets here: an encoder bug, not disk damage.
    return { ok: false, reason: 'corrupt', detail: `undecodable: ${(e as Error).message}` };
  }
}

/** A bounds-checked reader over [0, end) of a record, specialised for the memo layout. */
class Cursor {
  private pos = 1;

  constructor(
    private readonly b: Uint8Array,
    private readonly end: number,
  ) {}

  get done(): boolean {
    return this.pos === this.end;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new RangeError(`truncated at offset ${this.pos}`);
  }

  varuint(): number {
    this.need(1);
    const first = this.b[this.pos++]!;
    if (first < 0x80) return first;
    let n = first & 0x7f;
    let scale = 0x80;
    for (;;) {
      this.need(1);
      const byte = this.b[this.pos++]!;
      n += (byte & 0x7f) * scale;
      if (byte < 0x80) return n;
      scale *= 0x80;
      if (scale > 2 ** 49) throw new RangeError('varint too long');
    }
  }

  /** 16 ASCII hex digits; one fromCharCode call is several times faster than a TextDecoder. */
  hex(): string {
    this.need(HEX_LEN);
    const b = this.b;
    const p = this.pos;
    this.pos += HEX_LEN;
    return String.fromCharCode(
      b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!,
      b[p + 8]!, b[p + 9]!, b[p + 10]!, b[p + 11]!, b[p + 12]!, b[p + 13]!, b[p + 14]!, b[p + 15]!,
    );
  }

  /** A short string (query name, version): the same few recur in every record, so intern them. */
  string(): string {
    const n = this.varuint();
    this.need(n);
    const b = this.b;
    const start = this.pos;
    this.pos += n;
    let h = n;
    for (let i = start; i < start + n; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
    const known = interned.get(h);
    if (known !== undefined && equalsBytes(known, b, start, n)) return known;
    const s = utf8.decode(b.subarray(start, start + n));
    if (interned.size < 4096) interned.set(h, s);
    return s;
  }

  /** Whether the next string equals s (ASCII compared without building a string). */
  matches(s: string): boolean {
    const n = this.varuint();
    this.need(n);
    const start = this.pos;
    this.pos += n;
    return equalsBytes(s, this.b, start, n) || utf8.decode(this.b.subarray(start, start + n)) === s;
  }
}

/** Interned short strings by a hash of their UTF-8 bytes (a collision just decodes afresh). */
const interned = new Map<number, string>();

function equalsBytes(s: string, b: Uint8Array, start: number, n: number): boolean {
  if (s.length !== n) return false;
  for (let i = 0; i < n; i++) if (b[start + i] !== s.charCodeAt(i)) return false;
  return true;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
