/**
 * The canonical, deterministic binary encoding of the value domain the build graph stores:
 * equal values give byte-identical output (object keys sorted, Map/Set entries sorted by their
 * encoded bytes, one NaN, integers in one form), so the encoding doubles as fingerprint input.
 * Supported: undefined, null, booleans, numbers (incl. -0, NaN), bigint, strings, arrays,
 * plain objects, typed arrays / DataView / ArrayBuffer, Map, Set. Anything else (class
 * instances, functions, symbols, Dates) is refused: it has no canonical form.
 * Typed-array payloads are written in host byte order (little-endian on every supported host).
 */
import { IreetsError } from '../util/errors.js';
import { ByteReader, ByteWriter } from './byte-writer.js';

const enum Tag {
  Undefined = 0x00,
  Null = 0x01,
  False = 0x02,
  True = 0x03,
  Int = 0x04,
  Float = 0x05,
  BigInt = 0x06,
  String = 0x07,
  Array = 0x08,
  Object = 0x09,
  Typed = 0x0a,
  ArrayBuffer = 0x0b,
  Map = 0x0c,
  Set = 0x0d,
  NegInt = 0x0e,
}

type ViewCtor = new (buffer: ArrayBuffer, byteOffset: number, length: number) => ArrayBufferView;

/** dtype codes are part of the format: append only. */
const VIEW_TYPES: ReadonlyArray<readonly [ViewCtor, number]> = [
  [Uint8Array, 1],
  [Int8Array, 1],
  [Uint8ClampedArray, 1],
  [Int16Array, 2],
  [Uint16Array, 2],
  [Int32Array, 4],
  [Uint32Array, 4],
  [Float32Array, 4],
  [Float64Array, 8],
  [BigInt64Array, 8],
  [BigUint64Array, 8],
  [DataView as unknown as ViewCtor, 1],
];

const textDecoder = new TextDecoder('utf-8', { fatal: true });

function viewCode(v: ArrayBufferView): number {
  for (let i = 0; i < VIEW_TYPES.length; i++) {
    if (v.constructor === VIEW_TYPES[i]![0]) return i;
  }
  throw unencodable(`a ${v.constructor.name}`);
}

function unencodable(what: string): IreetsError {
  return new IreetsError('VALUE_UNENCODABLE', `cannot encode ${what}: only plain data has a canonical form`);
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return a.length - b.length;
}

function writeBigInt(w: ByteWriter, n: bigint): void {
  w.byte(n < 0n ? 1 : 0);
  let mag = n < 0n ? -n : n;
  const digits: number[] = [];
  while (mag > 0n) {
    digits.push(Number(mag & 0xffn));
    mag >>= 8n;
  }
  w.varuint(digits.length);
  for (let i = digits.length - 1; i >= 0; i--) w.byte(digits[i]!);
}

/** Encodes `value` canonically; throws VALUE_UNENCODABLE (naming the type) for foreign values. */
export function encodeValue(value: unknown): Uint8Array {
  // Into the scratch writer, then one copy of the exact size: growing a fresh writer from a
  // small buffer would allocate (and copy) several times for a kilobyte value.
  return withEncoding(value, (bytes) => bytes.slice());
}

/** Scratch writer for fingerprinting: hashing needs the bytes only briefly, so skip the copy. */
let scratch = new ByteWriter(4096);

/** Encodes value and hands the bytes (valid only during the call) to use. Not re-entrant. */
export function withEncoding<T>(value: unknown, use: (bytes: Uint8Array) => T): T {
  const w = scratch;
  w.reset();
  try {
    encodeInto(w, value, new Path());
    return use(w.view());
  } finally {
    if (w.capacity > 1 << 20) scratch = new ByteWriter(4096); // don't pin a huge buffer
  }
}

function encodeInto(w: ByteWriter, v: unknown, path: Path): void {
  switch (typeof v) {
    case 'undefined':
      w.byte(Tag.Undefined);
      return;
    case 'boolean':
      w.byte(v ? Tag.True : Tag.False);
      return;
    case 'number':
      if (Number.isSafeInteger(v) && !Object.is(v, -0)) {
        // Sign in the tag, not zigzag: 2|v| would leave the exact range of doubles.
        w.byte(v >= 0 ? Tag.Int : Tag.NegInt);
        w.varuint(v >= 0 ? v : -v);
      } else {
        w.byte(Tag.Float);
        w.float64(Number.isNaN(v) ? NaN : v); // one canonical NaN
      }
      return;
    case 'bigint':
      w.byte(Tag.BigInt);
      writeBigInt(w, v);
      return;
    case 'string':
      w.byte(Tag.String);
      w.string(v);
      return;
    case 'object':
      if (v === null) {
        w.byte(Tag.Null);
        return;
      }
      // No finally: an error abandons the whole encoding, path and all.
      path.enter(v);
      encodeObject(w, v, path);
      path.leave(v);
      return;
    default:
      throw unencodable(`a ${typeof v}`);
  }
}

function encodeObject(w: ByteWriter, v: object, path: Path): void {
  if (Array.isArray(v)) {
    w.byte(Tag.Array);
    w.varuint(v.length);
    for (let i = 0; i < v.length; i++) encodeInto(w, v[i], path);
    return;
  }
  if (ArrayBuffer.isView(v)) {
    w.byte(Tag.Typed);
    w.byte(viewCode(v));
    w.varuint(v.byteLength);
    w.bytes(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    return;
  }
  if (v instanceof ArrayBuffer) {
    w.byte(Tag.ArrayBuffer);
    w.varuint(v.byteLength);
    w.bytes(new Uint8Array(v));
    return;
  }
  if (v instanceof Map) {
    encodeMap(w, v, path);
    return;
  }
  if (v instanceof Set) {
    const items = [...v].map((x) => encodeNested(x, path));
    items.sort(compareBytes);
    w.byte(Tag.Set);
    w.varuint(items.length);
    for (const x of items) w.bytes(x);
    return;
  }
  if (!isPlainObject(v)) throw unencodable(`a ${v.constructor?.name ?? 'foreign object'}`);
  const keys = Object.keys(v);
  w.byte(Tag.Object);
  w.varuint(keys.length);
  const order = keyOrder(keys);
  if (!order) {
    keys.sort();
    for (const k of keys) {
      w.string(k);
      encodeInto(w, (v as Record<string, unknown>)[k], path);
    }
    return;
  }
  for (let i = 0; i < order.sorted.length; i++) {
    w.bytes(order.encoded[i]!);
    encodeInto(w, (v as Record<string, unknown>)[order.sorted[i]!], path);
  }
}

/**
 * Entries sorted by their keys' bytes. Where no two keys encode alike (always, for keys of
 * plain data that a Map tells apart) that is the order by key then value, and each value is
 * written in place instead of encoded on its own first.
 */
function encodeMap(w: ByteWriter, v: Map<unknown, unknown>, path: Path): void {
  if (hasIndexKeys(v)) {
    // Keys like value ids: their order as encoded bytes compares in place, no encoding each apart.
    const keys = [...v.keys()] as number[];
    keys.sort(compareVaruint);
    w.byte(Tag.Map);
    w.varuint(keys.length);
    for (const k of keys) {
      encodeInto(w, k, path);
      encodeInto(w, v.get(k), path);
    }
    return;
  }
  const entries = [...v].map(([k, x]) => ({ key: encodeNested(k, path), value: x }));
  entries.sort((a, b) => compareBytes(a.key, b.key));
  w.byte(Tag.Map);
  w.varuint(entries.length);
  let distinct = true;
  for (let i = 1; i < entries.length && distinct; i++) distinct = compareBytes(entries[i - 1]!.key, entries[i]!.key) !== 0;
  if (distinct) {
    for (const e of entries) {
      w.bytes(e.key);
      encodeInto(w, e.value, path);
    }
    return;
  }
  const encoded = entries.map((e) => [e.key, encodeNested(e.value, path)] as const);
  encoded.sort((a, b) => compareBytes(a[0], b[0]) || compareBytes(a[1], b[1]));
  for (const [k, x] of encoded) {
    w.bytes(k);
    w.bytes(x);
  }
}

/** Whether every key is a non-negative safe integer (encoded as Tag.Int and its varuint). */
function hasIndexKeys(v: Map<unknown, unknown>): boolean {
  for (const k of v.keys()) if (typeof k !== 'number' || !Number.isSafeInteger(k) || k < 0) return false;
  return v.size > 0;
}

/** a and b (non-negative safe integers) in the order of their varuint bytes, as compareBytes would put them. */
function compareVaruint(a: number, b: number): number {
  for (;;) {
    const ba = a >= 0x80 ? (a % 0x80) | 0x80 : a;
    const bb = b >= 0x80 ? (b % 0x80) | 0x80 : b;
    if (ba !== bb) return ba - bb;
    if (a < 0x80) return 0;
    a = Math.floor(a / 0x80);
    b = Math.floor(b / 0x80);
  }
}

/** An object shape's keys in sorted order, each with its encoded bytes. */
interface KeyOrder {
  /** Keys in the order Object.keys gave them. */
  readonly keys: readonly string[];
  readonly sorted: readonly string[];
  readonly encoded: readonly Uint8Array[];
}

/**
 * Sorting and encoding the keys of every object is most of the cost of encoding a serialized
 * IR; the objects of one value share a few shapes. Known orders by first key; a bounded cache.
 */
const keyOrders = new Map<string, KeyOrder[]>();
let keyOrderCount = 0;
const MAX_KEY_ORDERS = 4096;
const MAX_ORDERED_KEYS = 32;
/** Bounds the scan of one first key's orders (objects used as dictionaries have many). */
const MAX_ORDERS_PER_FIRST_KEY = 16;

function keyOrder(keys: readonly string[]): KeyOrder | undefined {
  const n = keys.length;
  if (n === 0 || n > MAX_ORDERED_KEYS) return undefined;
  const known = keyOrders.get(keys[0]!);
  if (known) {
    for (const o of known) if (sameKeys(o.keys, keys)) return o;
  }
  if (keyOrderCount >= MAX_KEY_ORDERS || (known && known.length >= MAX_ORDERS_PER_FIRST_KEY)) return undefined;
  const sorted = [...keys].sort();
  const order: KeyOrder = { keys: [...keys], sorted, encoded: sorted.map(encodeKey) };
  if (known) known.push(order);
  else keyOrders.set(keys[0]!, [order]);
  keyOrderCount++;
  return order;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function encodeKey(k: string): Uint8Array {
  const w = new ByteWriter(k.length + 8);
  w.string(k);
  return w.finish();
}

/**
 * The objects being encoded, outermost first, to refuse cycles. Tracked from a depth on only:
 * values are shallow, and a cycle recurses without end, so it still repeats an object there.
 */
class Path {
  private depth = 0;
  private readonly deep = new Set<object>();

  enter(v: object): void {
    if (++this.depth <= UNTRACKED_DEPTH) return;
    if (this.deep.has(v)) {
      this.depth--;
      throw unencodable('a cyclic structure');
    }
    this.deep.add(v);
  }

  leave(v: object): void {
    if (this.depth-- > UNTRACKED_DEPTH) this.deep.delete(v);
  }
}

const UNTRACKED_DEPTH = 64;

/** Encodes a nested element on its own so Map/Set entries can be sorted by their bytes. */
function encodeNested(v: unknown, path: Path): Uint8Array {
  const w = new ByteWriter(32);
  encodeInto(w, v, path);
  return w.finish();
}

/** A copy in a fresh ArrayBuffer (Buffer#slice would share memory, so no .slice()). */
function ownCopy(src: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(src.length);
  out.set(src);
  return out;
}

/** Decodes bytes written by encodeValue; throws RangeError/TypeError on malformed input. */
export function decodeValue(bytes: Uint8Array): unknown {
  const r = new ByteReader(bytes);
  const v = decodeFrom(r);
  if (!r.done) throw new RangeError(`trailing bytes at offset ${r.offset}`);
  return v;
}

function decodeFrom(r: ByteReader): unknown {
  const tag = r.byte();
  switch (tag) {
    case Tag.Undefined:
      return undefined;
    case Tag.Null:
      return null;
    case Tag.False:
      return false;
    case Tag.True:
      return true;
    case Tag.Int:
      return r.varuint();
    case Tag.NegInt:
      return -r.varuint();
    case Tag.Float:
      return r.float64();
    case Tag.BigInt: {
      const negative = r.byte() === 1;
      const n = r.varuint();
      let mag = 0n;
      for (let i = 0; i < n; i++) mag = (mag << 8n) | BigInt(r.byte());
      return negative ? -mag : mag;
    }
    case Tag.String:
      return textDecoder.decode(r.bytes(r.varuint()));
    case Tag.Array: {
      const n = r.varuint();
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) out.push(decodeFrom(r));
      return out;
    }
    case Tag.Object: {
      const n = r.varuint();
      const out: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        const k = textDecoder.decode(r.bytes(r.varuint()));
        // defineProperty so a "__proto__" key stays data, never a prototype change.
        Object.defineProperty(out, k, { value: decodeFrom(r), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    case Tag.Typed: {
      const entry = VIEW_TYPES[r.byte()];
      if (!entry) throw new TypeError('unknown typed-array dtype');
      const [ctor, width] = entry;
      const byteLength = r.varuint();
      if (byteLength % width !== 0) throw new RangeError('typed-array length not a multiple of its element size');
      const copy = ownCopy(r.bytes(byteLength)); // own, aligned buffer
      return new ctor(copy.buffer, 0, ctor === (DataView as unknown) ? byteLength : byteLength / width);
    }
    case Tag.ArrayBuffer:
      return ownCopy(r.bytes(r.varuint())).buffer;
    case Tag.Map: {
      const n = r.varuint();
      const out = new Map<unknown, unknown>();
      for (let i = 0; i < n; i++) {
        const k = decodeFrom(r);
        out.set(k, decodeFrom(r));
      }
      return out;
    }
    case Tag.Set: {
      const n = r.varuint();
      const out = new Set<unknown>();
      for (let i = 0; i < n; i++) out.add(decodeFrom(r));
      return out;
    }
    default:
      throw new TypeError(`unknown tag 0x${tag.toString(16)}`);
  }
}
