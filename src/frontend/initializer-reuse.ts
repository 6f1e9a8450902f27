// Large raw tensor bytes seen before in this process, and what was made of them. An edit anywhere
// in a model re-reads and re-imports all of it; copying every weight out of the protobuf bytes
// again, and shuffling it through fold and packing, was most of that. Bytes equal to bytes seen
// before are those bytes: the tensors decoded from them are what decoding would give again.
//
// The model digest (model-digest.ts) hashes each large raw_data range of a file once, just read
// and hot in cache, and finds the known content by that hash (xxhash64: the identity the build
// graph trusts everywhere). It does not compare with the earlier bytes: those were last touched a
// build ago, and reading tens of megabytes of memory that has gone cold can cost several times
// hashing the fresh ones (measured: 10-20 ms against 30-100 ms on a VM after a second idle). It
// records, per range of that very buffer, which known content it equals; the import then takes
// the decoded tensor from that record. An import of bytes that were never digested compares
// them itself (memcmp against the one candidate with equal length and sampled bytes).
import { Buffer } from 'node:buffer';
import { hashTensor } from '../ir/constant-hash.js';
import type { DType } from '../ir/dtype.js';
import type { Tensor } from '../ir/tensor.js';
import { BoundedMemo } from '../util/bounded-memo.js';
import { derivedFact, recordFact } from '../util/derivations.js';

/** Fact kind: raw bytes (xxhash64/length) as a dtype and shape → hashTensor() of the tensor they decode to. */
export const CONSTANT_HASH_FACT = 'constantHash';

/** Large decoded weights hashed by this process (tests check that recorded facts spare a fresh process the work). */
export const reuseCounts = { hashed: 0 };

function hashDecoded(t: Tensor): string {
  reuseCounts.hashed++;
  return hashTensor(t);
}

/** Smaller raw bytes are hashed and decoded every time: cheap, and many. */
export const MIN_REUSED_BYTES = 4096;
/** Bytes compared to pick the candidate: start, middle and end. */
const SAMPLE_BYTES = 32;

export interface DecodedInitializer {
  tensor: Tensor;
  /** hashTensor(tensor). */
  hash: string;
}

/** One content of raw bytes seen before. */
export interface KnownRaw {
  /** Bytes equal to the content: a view of the file first read, later a decoded tensor's (a copy). */
  bytes: Uint8Array;
  /** xxhash64 of the bytes (the model digest's), once a digest needed it. */
  hash: string | undefined;
  /** Tensors decoded from these bytes, by dtype and shape. */
  decoded: Map<string, DecodedInitializer>;
}

// Bounds: what an edit needs is the previous import's contents; older ones (replaced weights)
// only take memory in a long watch session. Raised for models whose weights need more.
const REUSE_BYTES = 256 << 20;
// Keyed by length and sampled bytes: the one earlier content that could be equal.
const known = new BoundedMemo<KnownRaw>(REUSE_BYTES);
// Keyed by length and hash: contents a digest hashed.
const byHash = new BoundedMemo<KnownRaw>(REUSE_BYTES);

/** Makes room for the contents of a model file of `bytes` bytes, and of the one it replaces. */
export function reserveReuseFor(bytes: number): void {
  known.atLeast(2 * bytes);
  byHash.atLeast(2 * bytes);
}
// Per buffer, per byte offset: the known content that a digest proved the range there equals.
const proven = new WeakMap<ArrayBufferLike, Map<number, KnownRaw>>();
// Per buffer: known contents whose bytes are a view of it (not yet a decoded copy).
const viewers = new WeakMap<ArrayBufferLike, Set<KnownRaw>>();
const NO_BYTES = new Uint8Array(0);

function newKnown(raw: Uint8Array, key: string): KnownRaw {
  const k: KnownRaw = { bytes: raw, hash: undefined, decoded: new Map() };
  known.set(key, k, raw.byteLength);
  let views = viewers.get(raw.buffer);
  if (!views) viewers.set(raw.buffer, (views = new Set()));
  views.add(k);
  return k;
}

/**
 * Forgets everything that refers to the bytes in `buffer`, about to be overwritten: what digests
 * proved of them, and known contents that still compare against them (they match nothing more).
 */
export function forgetBuffer(buffer: ArrayBufferLike): void {
  proven.delete(buffer);
  for (const k of viewers.get(buffer) ?? []) if (k.bytes.buffer === buffer) k.bytes = NO_BYTES;
  viewers.delete(buffer);
}

const view = (b: ArrayBufferView): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

function keyOf(raw: Buffer): string {
  const mid = (raw.length - SAMPLE_BYTES) >> 1;
  return `${raw.length}:${raw.toString('hex', 0, SAMPLE_BYTES)}${raw.toString('hex', mid, mid + SAMPLE_BYTES)}${raw.toString('hex', raw.length - SAMPLE_BYTES)}`;
}

/** The known content equal to `raw` (compared byte for byte), if this process has seen it. */
function find(raw: Buffer, key: string): KnownRaw | undefined {
  const k = known.get(key);
  return k && raw.equals(view(k.bytes)) ? k : undefined;
}

/**
 * The known content equal to `raw` (a range of at least MIN_REUSED_BYTES), found by `hash(raw)`
 * (xxhash64), registered now if it is new. Records that `raw`'s range of its buffer equals it: an
 * import of that buffer reuses what was decoded from it without comparing.
 */
export function knownRaw(raw: Uint8Array, hash: (raw: Uint8Array) => string): KnownRaw {
  const h = hash(raw);
  const id = `${raw.byteLength}:${h}`;
  let k = byHash.get(id);
  if (!k) {
    const bytes = view(raw);
    const key = keyOf(bytes);
    k = find(bytes, key) ?? newKnown(raw, key);
    k.hash ??= h;
    byHash.set(id, k, raw.byteLength);
  }
  let ranges = proven.get(raw.buffer);
  if (!ranges) proven.set(raw.buffer, (ranges = new Map()));
  ranges.set(raw.byteOffset, k);
  return k;
}

/** Forgets what earlier digests proved of the bytes `bytes` views (about to be digested: they may be new). */
export function forgetProofs(bytes: Uint8Array): void {
  const ranges = proven.get(bytes.buffer);
  if (!ranges) return;
  const end = bytes.byteOffset + bytes.byteLength;
  for (const at of ranges.keys()) if (at >= bytes.byteOffset && at < end) ranges.delete(at);
}

/** What a digest proved `raw` (a view of the bytes it digested) equals, if it did. */
function provenRaw(raw: Uint8Array): KnownRaw | undefined {
  const k = proven.get(raw.buffer)?.get(raw.byteOffset);
  return k && k.bytes.byteLength === raw.byteLength ? k : undefined;
}

/** Whether raw little-endian bytes of this dtype decode to a copy of themselves (bool normalizes). */
function copiesRawBytes(dtype: DType): boolean {
  return dtype !== 'bool' && dtype !== 'string';
}

/**
 * The tensor (and its hash) that `decode()` makes of `raw`: an earlier one from equal bytes when
 * this process decoded one, else `decode()`'s, remembered for later imports. Tensors are shared:
 * treat them as immutable, as the IR does.
 */
export function reuseDecoded(dtype: DType, shape: readonly number[], raw: Uint8Array, decode: () => Tensor): DecodedInitializer {
  if (raw.byteLength < MIN_REUSED_BYTES || !copiesRawBytes(dtype)) {
    const tensor = decode();
    return { tensor, hash: hashTensor(tensor) };
  }
  const type = `${dtype}[${shape.join(',')}]`;
  let k = provenRaw(raw);
  if (!k) {
    const bytes = view(raw);
    const key = keyOf(bytes);
    k = find(bytes, key) ?? newKnown(raw, key);
  }
  const earlier = k.decoded.get(type);
  if (earlier) return earlier;
  const tensor = decode();
  // The constant hash of these bytes as this type, from an earlier process when it recorded one
  // (derivations.ts): a fresh process importing a model the cache has seen skips hashing it again.
  const fact = k.hash === undefined ? undefined : `${k.hash}/${raw.byteLength}:${type}`;
  const recorded = fact === undefined ? undefined : derivedFact<string>(CONSTANT_HASH_FACT, fact);
  const hash = typeof recorded === 'string' ? recorded : hashDecoded(tensor);
  if (fact !== undefined && recorded === undefined) recordFact(CONSTANT_HASH_FACT, fact, hash);
  const fresh = { tensor, hash };
  k.decoded.set(type, fresh);
  // The decoded copy holds the same bytes: compare later contents with it, so the known content
  // does not keep the whole file it was first read from alive.
  const d = tensor.data as ArrayBufferView;
  if (d.byteLength === raw.byteLength) {
    viewers.get(k.bytes.buffer)?.delete(k);
    k.bytes = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  }
  return fresh;
}
