/**
 * Reading memo records (layout: record-format.ts): opening one with every dependency decoded,
 * and loading one for verification with its dependencies left packed (PackedDeps). A fresh
 * process loads one record per memo it verifies, so loading allocates little: names, versions
 * and short dependency lists recur and are shared, and the common record shape has a fast path.
 */
import { checksum32 } from './checksum.js';
import { FINGERPRINT_BYTES, copyBytes, fingerprintAt, fingerprintIsAt, fingerprintOfWords, wordAt } from './fingerprint-bytes.js';
import { ByteArena, DEP_BYTES, NO_DEPS, PackedDeps } from './packed-deps.js';
import { FORMAT_VERSION, TRAILER, type Opened } from './record-format.js';
import type { DepList, Fingerprint, LoadedMemo, PersistedDep, StoredMemo } from './store.js';

/**
 * Where the parts of the record last scanned lie. Module state rather than a result object:
 * scanning runs once per memo a fresh process verifies, and allocates nothing but strings it
 * has not seen before (names and versions are interned).
 */
const scan = {
  /** The record being scanned, the read position, and the end of its checksummed part. */
  b: new Uint8Array(0) as Uint8Array,
  pos: 0,
  end: 0,
  version: '',
  valueAt: 0,
  namesAt: 0,
  namesEnd: 0,
  nNames: 0,
  depsAt: 0,
  nDeps: 0,
  usedAt: 0,
  detail: '',
};


const SCAN_OK = 0;
const SCAN_FORMAT = 1;
const SCAN_CORRUPT = 2;

/**
 * Checks the record read for (query, keyHash) — format, checksum, filed under that key, well
 * formed — and fills `scan`. `n` is its length: the bytes may be a longer scratch buffer.
 */
function scanMemo(record: Uint8Array, n: number, query: string, keyHash: Fingerprint | undefined, keyHigh = 0, keyLow = 0): number {
  if (n < 1 || record[0] !== FORMAT_VERSION) {
    scan.detail = `record format ${n < 1 ? 'none' : record[0]}, expected ${FORMAT_VERSION}`;
    return SCAN_FORMAT;
  }
  if (n < 1 + TRAILER + 1) {
    scan.detail = 'truncated';
    return SCAN_CORRUPT;
  }
  const end = n - TRAILER;
  scan.end = end;
  const stored = (record[end]! | (record[end + 1]! << 8) | (record[end + 2]! << 16) | (record[end + 3]! << 24)) >>> 0;
  if (stored !== checksum32(record, 0, end)) {
    scan.detail = 'checksum mismatch';
    return SCAN_CORRUPT;
  }
  scan.b = record;
  scan.pos = 1;
  try {
    const sameQuery = matches(query);
    need(FINGERPRINT_BYTES);
    const sameKey = keyHash === undefined ? wordAt(record, scan.pos) === keyHigh && wordAt(record, scan.pos + 4) === keyLow : fingerprintIsAt(keyHash, record, scan.pos);
    if (!sameQuery || !sameKey) {
      scan.detail = 'memo filed under the wrong key';
      return SCAN_CORRUPT;
    }
    scan.pos += FINGERPRINT_BYTES;
    scan.version = lastString();
    need(FINGERPRINT_BYTES);
    scan.valueAt = scan.pos;
    scan.pos += FINGERPRINT_BYTES;
    const nNames = varuint();
    scan.namesAt = scan.pos;
    for (let i = 0; i < nNames; i++) skipString();
    scan.namesEnd = scan.pos;
    scan.nNames = nNames;
    const nDeps = varuint();
    need(nDeps * DEP_BYTES);
    scan.depsAt = scan.pos;
    scan.nDeps = nDeps;
    for (let i = 0, p = scan.pos; i < nDeps; i++, p += DEP_BYTES) {
      if ((record[p]! | (record[p + 1]! << 8)) >>> 1 >= nNames) throw new RangeError('dependency names an unknown query');
    }
    scan.pos += nDeps * DEP_BYTES;
    if (scan.pos !== end) throw new RangeError('trailing bytes');
    scan.usedAt = readUsedAt(record, end + 4);
    return SCAN_OK;
  } catch (e) {
    // Only a record our own checksum vouches for gets here: an encoder bug, not disk damage.
    scan.detail = `undecodable: ${(e as Error).message}`;
    return SCAN_CORRUPT;
  }
}

const EMPTY = new Uint8Array(0);

function failed(code: number): Opened<never> {
  return { ok: false, reason: code === SCAN_FORMAT ? 'format' : 'corrupt', detail: scan.detail };
}

/**
 * Opens the memo record read for (query, keyHash), with every dependency decoded: checks
 * format, checksum and that it belongs under that key. `record` may be a scratch buffer:
 * nothing returned aliases it.
 */
export function openMemo(record: Uint8Array, query: string, keyHash: Fingerprint, length = record.length): Opened<StoredMemo> {
  const code = scanMemo(record, length, query, keyHash);
  if (code !== SCAN_OK) return failed(code);
  const names = readNames(record);
  const deps: PersistedDep[] = new Array(scan.nDeps);
  for (let i = 0, p = scan.depsAt; i < scan.nDeps; i++, p += DEP_BYTES) {
    const tag = record[p]! | (record[p + 1]! << 8);
    deps[i] = {
      query: names[tag >>> 1]!,
      keyHash: fingerprintAt(record, p + 2),
      fingerprint: fingerprintAt(record, p + 2 + FINGERPRINT_BYTES),
      input: (tag & 1) === 1,
    };
  }
  const memo: StoredMemo = {
    query,
    keyHash,
    version: scan.version,
    deps,
    valueFingerprint: fingerprintAt(record, scan.valueAt),
    usedAt: scan.usedAt,
  };
  return { ok: true, value: memo };
}

/** usedAt of a sound record (the touch logic needs nothing else); undefined if it is not sound. */
export function memoUsedAt(record: Uint8Array, query: string, keyHash: Fingerprint): number | undefined {
  return scanMemo(record, record.length, query, keyHash) === SCAN_OK ? scan.usedAt : undefined;
}

/** A loaded memo; the value fingerprint's string is made only if asked for (cold memos never are). */
class LoadedRecord implements LoadedMemo {
  constructor(
    readonly version: string,
    readonly valueHigh: number,
    readonly valueLow: number,
    readonly deps: DepList,
    readonly usedAt: number,
  ) {}

  get valueFingerprint(): Fingerprint {
    return fingerprintOfWords(this.valueHigh, this.valueLow);
  }
}

/**
 * openMemo for verification: the same checks, but the dependencies stay packed (copied out of
 * `record`, which may be a scratch buffer of which only [0, length) is the record).
 * Without `keyHash`, the key hash is given by its words instead (see DepList).
 */
export function loadMemo(record: Uint8Array, length: number, query: string, keyHash: Fingerprint | undefined, keyHigh = 0, keyLow = 0): Opened<LoadedMemo> {
  const code = scanMemo(record, length, query, keyHash, keyHigh, keyLow);
  if (code !== SCAN_OK) return failed(code);
  const deps = scan.nDeps === 0 ? NO_DEPS : packDeps(record, scan.depsAt, scan.nDeps, internNames(record));
  const v = scan.valueAt;
  return { ok: true, value: new LoadedRecord(scan.version, wordAt(record, v), wordAt(record, v + 4), deps, scan.usedAt) };
}

/**
 * loadMemo's common case, in one pass over locals: a sound record, of the key given by its
 * words, every length and count under 128, with the version and dependency names of the
 * record loaded just before (runs of memos of one query share them). undefined for anything
 * else, sound or not: then loadMemo decides. It accepts nothing that loadMemo would not.
 */
export function loadCommonMemo(b: Uint8Array, n: number, query: string, keyHigh: number, keyLow: number): LoadedMemo | undefined {
  if (n < 1 + TRAILER + 1 || b[0] !== FORMAT_VERSION) return undefined;
  const end = n - TRAILER;
  const stored = (b[end]! | (b[end + 1]! << 8) | (b[end + 2]! << 16) | (b[end + 3]! << 24)) >>> 0;
  if (stored !== checksum32(b, 0, end)) return undefined;
  let p = 1;
  const qn = b[p++]!;
  if (qn !== query.length || p + qn + 8 + 1 > end || !asciiAt(query, b, p)) return undefined;
  p += qn;
  if (wordAt(b, p) !== keyHigh || wordAt(b, p + 4) !== keyLow) return undefined;
  p += 8;
  const version = last;
  const vn = b[p++]!;
  if (vn !== version.length || p + vn + 8 + 1 > end || !asciiAt(version, b, p)) return undefined;
  p += vn;
  const valueAt = p;
  p += 8;
  const names = lastNames;
  const nNames = b[p++]!;
  const nb = names.bytes.length;
  if (nNames !== names.names.length || nNames >= 0x80 || p + nb + 1 > end) return undefined;
  for (let i = 0; i < nb; i++) if (b[p + i] !== names.bytes[i]) return undefined;
  p += nb;
  const nDeps = b[p++]!;
  if (nDeps >= 0x80 || p + nDeps * DEP_BYTES !== end) return undefined;
  for (let i = 0, q = p; i < nDeps; i++, q += DEP_BYTES) if ((b[q]! | (b[q + 1]! << 8)) >>> 1 >= nNames) return undefined;
  const deps = nDeps === 0 ? NO_DEPS : packDeps(b, p, nDeps, names.names);
  return new LoadedRecord(version, wordAt(b, valueAt), wordAt(b, valueAt + 4), deps, readUsedAt(b, end + 4));
}

/** Whether ASCII s is the bytes at b[at] (s.length of them; false for non-ASCII s). */
function asciiAt(s: string, b: Uint8Array, at: number): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80 || b[at + i] !== c) return false;
  }
  return true;
}

/** Loaded dependency sections live here for the life of the process. */
const arena = new ByteArena();

/**
 * Short dependency lists by content: in a large graph many memos read exactly the same inputs
 * (every kernel reads the same model file and options), and one shared list serves them all.
 */
const sharedDeps = new Map<number, PackedDeps>();
const SHARE_MAX_DEPS = 4;

function packDeps(record: Uint8Array, start: number, count: number, names: readonly string[]): PackedDeps {
  const end = start + count * DEP_BYTES;
  if (count > SHARE_MAX_DEPS) {
    const at = arena.copy(record, start, end);
    return new PackedDeps(arena.last, at, count, names);
  }
  // Key hashes and fingerprints are uniform already: a few of their words make a good hash.
  const h = (count ^ wordAt(record, start + 6) ^ Math.imul(wordAt(record, start + 14), 0x01000193) ^ record[start]!) | 0;
  const known = sharedDeps.get(h);
  if (known && known.holds(record, start, count, names)) return known;
  const at = arena.copy(record, start, end);
  const deps = new PackedDeps(arena.last, at, count, names);
  if (sharedDeps.size < 1 << 16) sharedDeps.set(h, deps);
  return deps;
}

function readNames(record: Uint8Array): string[] {
  scan.b = record;
  scan.pos = scan.namesAt;
  scan.end = scan.namesEnd;
  const names: string[] = new Array(scan.nNames);
  for (let i = 0; i < scan.nNames; i++) names[i] = string();
  scan.b = EMPTY;
  return names;
}

/** Name lists by the hash of their record bytes: most memos of a query read the same queries. */
const nameLists = new Map<number, { bytes: Uint8Array; names: readonly string[] }>();

/** The name list interned last, and its record bytes: consecutive memos mostly share one. */
let lastNames: { bytes: Uint8Array; names: readonly string[] } = { bytes: new Uint8Array(0), names: [] };

function internNames(record: Uint8Array): readonly string[] {
  const start = scan.namesAt;
  const stop = scan.namesEnd;
  const last = lastNames;
  if (last.bytes.length === stop - start && sameBytes(last.bytes, record, start)) return last.names;
  const interned = internNamesBy(record, start, stop);
  lastNames = interned;
  return interned.names;
}

function sameBytes(a: Uint8Array, b: Uint8Array, at: number): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[at + i]) return false;
  return true;
}

function internNamesBy(record: Uint8Array, start: number, stop: number): { bytes: Uint8Array; names: readonly string[] } {
  let h = stop - start;
  for (let i = start; i < stop; i++) h = Math.imul(h ^ record[i]!, 0x01000193);
  const known = nameLists.get(h);
  if (known && known.bytes.length === stop - start && sameBytes(known.bytes, record, start)) return known;
  const entry = { bytes: copyBytes(record, start, stop), names: Object.freeze(readNames(record)) };
  if (nameLists.size < 4096) nameLists.set(h, entry);
  return entry;
}

const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);

/** usedAt of a record that opened fine; a damaged one (non-finite) counts as oldest. */
function readUsedAt(b: Uint8Array, at: number): number {
  for (let i = 0; i < 8; i++) f64Bytes[i] = b[at + i]!;
  const t = f64[0]!;
  return Number.isFinite(t) ? t : 0;
}

// A bounds-checked reader over [scan.pos, scan.end) of scan.b, specialised for the memo layout.

function need(n: number): void {
  if (scan.pos + n > scan.end) throw new RangeError(`truncated at offset ${scan.pos}`);
}

function varuint(): number {
  need(1);
  const first = scan.b[scan.pos++]!;
  if (first < 0x80) return first;
  let n = first & 0x7f;
  let scale = 0x80;
  for (;;) {
    need(1);
    const byte = scan.b[scan.pos++]!;
    n += (byte & 0x7f) * scale;
    if (byte < 0x80) return n;
    scale *= 0x80;
    if (scale > 2 ** 49) throw new RangeError('varint too long');
  }
}

function skipString(): void {
  const n = varuint();
  need(n);
  scan.pos += n;
}

/** A short string (query name, version): the same few recur in every record, so intern them. */
function string(): string {
  return stringOfLength(varuint());
}

function stringOfLength(n: number): string {
  need(n);
  const b = scan.b;
  const start = scan.pos;
  scan.pos += n;
  let h = n;
  for (let i = start; i < start + n; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  const known = interned.get(h);
  if (known !== undefined && equalsBytes(known, b, start, n)) return known;
  const s = utf8.decode(b.subarray(start, start + n));
  if (interned.size < 4096) interned.set(h, s);
  return s;
}

/** string(), first trying the string it returned last (a run of memos of one query has one version). */
let last = '';
function lastString(): string {
  const n = varuint();
  need(n);
  if (equalsBytes(last, scan.b, scan.pos, n)) {
    scan.pos += n;
    return last;
  }
  return (last = stringOfLength(n));
}

/** Whether the next string equals s (ASCII compared without building a string). */
function matches(s: string): boolean {
  const n = varuint();
  need(n);
  const start = scan.pos;
  scan.pos += n;
  return equalsBytes(s, scan.b, start, n) || utf8.decode(scan.b.subarray(start, start + n)) === s;
}

/** Interned short strings by a hash of their UTF-8 bytes (a collision just decodes afresh). */
const interned = new Map<number, string>();

/** Whether ASCII s is the n bytes at b[start] (false for any non-ASCII s: decode and compare). */
function equalsBytes(s: string, b: Uint8Array, start: number, n: number): boolean {
  if (s.length !== n) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80 || b[start + i] !== c) return false;
  }
  return true;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
