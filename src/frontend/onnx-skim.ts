// Where a model's large tensor bytes lie, without decoding it: a walk over the protobuf wire
// format that descends only into the messages that can hold a TensorProto and notes the
// positions of their raw_data fields. The model digest hashes those ranges on their own (and
// skips hashing the ones it has seen before), so it needs their bounds, not their meaning.
//
// Tolerant and bounds-checked: any framing it cannot follow (a length past its message, a
// truncated varint, a group, a nesting too deep) makes it give up with `undefined`, never throw;
// the caller then treats the file as plain bytes and the import reports what is wrong.
//
// It can run while the file is still being read (skimSteps): it pauses where it needs bytes not
// in yet. It reads only the framing around large fields, never their contents. On the way it
// notes the files that tensors keep their data in (external_data "location" entries), which are
// as much the model's content as its own bytes.

/** A byte range [start, end) of the file. */
export interface ByteRange {
  start: number;
  end: number;
}

/** The fields, per message type, that lead to TensorProtos (onnx.proto field numbers). */
type MessageKind = 'model' | 'graph' | 'node' | 'attribute' | 'tensor' | 'sparse' | 'function' | 'entry';
const CHILDREN: Readonly<Record<MessageKind, Readonly<Record<number, MessageKind>>>> = {
  model: { 7: 'graph', 25: 'function' },
  graph: { 1: 'node', 5: 'tensor', 15: 'sparse' },
  node: { 5: 'attribute' },
  // t, g, tensors, graphs, sparse_tensor, sparse_tensors
  attribute: { 5: 'tensor', 6: 'graph', 10: 'tensor', 11: 'graph', 22: 'sparse', 23: 'sparse' },
  sparse: { 1: 'tensor', 2: 'tensor' },
  function: { 7: 'node' },
  // external_data: StringStringEntryProto
  tensor: { 13: 'entry' },
  entry: {},
};
const RAW_DATA = 9;
/** An external_data entry's key and value fields, and the key that names the data file. */
const ENTRY_KEY = 1;
const ENTRY_VALUE = 2;
const LOCATION = 'location';
/** Longer entry strings are not file names any reader would accept: skipped. */
const MAX_ENTRY_BYTES = 4096;
/** Subgraphs nest (If, Loop, Scan); real models stay far below this. */
const MAX_DEPTH = 64;

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

class Malformed {}
const MALFORMED = new Malformed();

/**
 * The raw_data ranges of at least `minBytes` bytes of every TensorProto reachable from the
 * ModelProto in `bytes` (initializers, Constant attributes, subgraphs, functions), in file
 * order; `undefined` when the bytes are not protobuf it can follow.
 */
export function rawDataRanges(bytes: Uint8Array, minBytes: number, locations?: Set<string>): ByteRange[] | undefined {
  const out: ByteRange[] = [];
  const steps = skimSteps(bytes, minBytes, { available: bytes.length }, locations);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value ? out : undefined;
    if (typeof step.value !== 'number') out.push(step.value);
  }
}

/** How many bytes from the start of the file are in (read so far). */
export interface Available {
  available: number;
}

/**
 * The skim, one step at a time: yields each raw_data range (as rawDataRanges finds them), or
 * the offset it must see bytes up to before it can go on (when `read.available` is short of
 * it; resume it once they are in). Returns whether it could follow the whole file. Adds the
 * external data locations it passes (as written, any tensor's) to `locations`.
 */
export function* skimSteps(bytes: Uint8Array, minBytes: number, read: Available, locations?: Set<string>): Generator<ByteRange | number, boolean, void> {
  try {
    yield* walk(bytes, 0, bytes.length, 'model', 0, minBytes, read, locations);
  } catch (e) {
    if (e === MALFORMED) return false;
    throw e;
  }
  return true;
}

/** Bytes a field's key and length (or varint value) can take: what must be in before reading one. */
const FIELD_HEAD_BYTES = 32;

function* walk(
  b: Uint8Array,
  start: number,
  end: number,
  kind: MessageKind,
  depth: number,
  minBytes: number,
  read: Available,
  locations: Set<string> | undefined,
): Generator<ByteRange | number, void, void> {
  if (depth > MAX_DEPTH) throw MALFORMED;
  const children = CHILDREN[kind];
  let at = start;
  while (at < end) {
    const head = Math.min(end, at + FIELD_HEAD_BYTES);
    while (read.available < head) yield head;
    // The key, then the value by wire type (varints inlined: this loop runs once per field).
    let key = 0;
    let scale = 1;
    for (;;) {
      if (at >= end || scale > 2 ** 28) throw MALFORMED;
      const byte = b[at++]!;
      key += (byte & 0x7f) * scale;
      if (byte < 0x80) break;
      scale *= 128;
    }
    const wire = key % 8;
    const field = Math.floor(key / 8);
    if (field === 0) throw MALFORMED;
    switch (wire) {
      case WIRE_VARINT: {
        let n = 0;
        while (at < end && b[at]! >= 0x80 && n < 9) {
          at++;
          n++;
        }
        if (at >= end || b[at]! >= 0x80) throw MALFORMED;
        at++;
        break;
      }
      case WIRE_FIXED64:
        at += 8;
        break;
      case WIRE_FIXED32:
        at += 4;
        break;
      case WIRE_LEN: {
        let len = 0;
        let s = 1;
        for (;;) {
          if (at >= end || s > 2 ** 49) throw MALFORMED;
          const byte = b[at++]!;
          len += (byte & 0x7f) * s;
          if (byte < 0x80) break;
          s *= 128;
        }
        if (len > end - at) throw MALFORMED;
        const child = children[field];
        if (child === 'entry') {
          if (locations) {
            while (read.available < at + len) yield at + len;
            const location = entryLocation(b, at, at + len);
            if (location !== undefined) locations.add(location);
          }
        } else if (child) yield* walk(b, at, at + len, child, depth + 1, minBytes, read, locations);
        else if (kind === 'tensor' && field === RAW_DATA && len >= minBytes) yield { start: at, end: at + len };
        at += len;
        break;
      }
      default:
        // Groups (3, 4) are long deprecated; 6 and 7 do not exist.
        throw MALFORMED;
    }
    if (at > end) throw MALFORMED;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * The value of the StringStringEntryProto in b[start, end) when its key is "location". An entry
 * framed in any other way is passed over (its length is known, so the walk stays in step).
 */
function entryLocation(b: Uint8Array, start: number, end: number): string | undefined {
  let key: string | undefined;
  let value: string | undefined;
  let at = start;
  while (at < end) {
    const tag = b[at++]!;
    // Both fields are strings (wire type 2) with one-byte tags.
    if (tag !== ((ENTRY_KEY << 3) | WIRE_LEN) && tag !== ((ENTRY_VALUE << 3) | WIRE_LEN)) return undefined;
    let len = 0;
    let s = 1;
    for (;;) {
      if (at >= end || s > 2 ** 28) return undefined;
      const byte = b[at++]!;
      len += (byte & 0x7f) * s;
      if (byte < 0x80) break;
      s *= 128;
    }
    if (len > end - at || len > MAX_ENTRY_BYTES) return undefined;
    const text = utf8.decode(b.subarray(at, at + len));
    if (tag >> 3 === ENTRY_KEY) key = text;
    else value = text;
    at += len;
  }
  return key === LOCATION ? value : undefined;
}
