// The skim finds exactly the raw_data bytes protobuf decoding hands the import (initializers,
// Constant attributes, subgraphs), and on bytes it cannot follow gives up cleanly:
// never a throw, never a range outside the file.
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../fixtures/prng.js';
import { onnx, type GraphProto, type TensorProto } from '../../src/frontend/onnx-proto.js';
import { rawDataRanges, type ByteRange } from '../../src/frontend/onnx-skim.js';
import { skimModel } from './skim-models.js';

/** Where protobufjs's decode puts each raw_data view (offsets into `bytes`), of at least minBytes. */
function decodedRawRanges(bytes: Uint8Array, minBytes: number): ByteRange[] {
  const out: ByteRange[] = [];
  const tensor = (t: TensorProto | null | undefined): void => {
    const raw = t?.rawData;
    if (raw && raw.length >= minBytes) out.push({ start: raw.byteOffset - bytes.byteOffset, end: raw.byteOffset - bytes.byteOffset + raw.length });
  };
  const graph = (g: GraphProto | null | undefined): void => {
    for (const t of g?.initializer ?? []) tensor(t);
    for (const n of g?.node ?? []) {
      for (const a of n.attribute ?? []) {
        tensor(a.t);
        for (const t of a.tensors ?? []) tensor(t);
        graph(a.g);
        for (const sub of a.graphs ?? []) graph(sub);
      }
    }
  };
  graph(onnx.ModelProto.decode(bytes).graph);
  return out.sort((a, b) => a.start - b.start);
}

function wellFormed(ranges: ByteRange[], size: number): boolean {
  let at = 0;
  for (const r of ranges) {
    if (!(r.start >= at && r.end > r.start && r.end <= size)) return false;
    at = r.end;
  }
  return true;
}

describe('rawDataRanges', () => {
  it('finds the raw_data of initializers, Constant attributes and subgraphs, as protobuf decodes them', () => {
    const bytes = skimModel();
    const ranges = rawDataRanges(bytes, 4096)!;
    expect(ranges.map((r) => r.end - r.start).sort()).toEqual([6000, 6000, 8000, 8000]);
    expect(ranges).toEqual(decodedRawRanges(bytes, 4096));
    // Below the threshold, the small initializer's 16 bytes appear too.
    expect(rawDataRanges(bytes, 1)!.map((r) => r.end - r.start)).toContain(16);
    expect(rawDataRanges(bytes, 1)).toEqual(decodedRawRanges(bytes, 1));
  });

  it('finds positions within a view that does not start its buffer', () => {
    const bytes = skimModel();
    const padded = new Uint8Array(bytes.length + 7);
    padded.set(bytes, 7);
    expect(rawDataRanges(padded.subarray(7), 4096)).toEqual(rawDataRanges(bytes, 4096));
  });

  it('empty input is an empty model; framing it cannot follow gives undefined', () => {
    expect(rawDataRanges(new Uint8Array(0), 1)).toEqual([]);
    const bytes = skimModel();
    // Cut inside a weight: its length runs past the end.
    expect(rawDataRanges(bytes.subarray(0, bytes.length - 100), 4096)).toBeUndefined();
    expect(rawDataRanges(Uint8Array.of(0x00), 1)).toBeUndefined(); // field 0
    expect(rawDataRanges(Uint8Array.of(0x0b), 1)).toBeUndefined(); // a group
    expect(rawDataRanges(Uint8Array.of(0x08, 0x80), 1)).toBeUndefined(); // truncated varint
    expect(rawDataRanges(Uint8Array.of(0x3a, 0x05, 0x00), 1)).toBeUndefined(); // graph longer than the file
  });

  it('fuzz: random and damaged bytes never throw, and every range found lies in the file, in order', () => {
    const rng = new SeededRandom('onnx-skim fuzz');
    const model = skimModel(0, true);
    let followed = 0;
    let located = 0;
    for (let i = 0; i < 2000; i++) {
      let bytes: Uint8Array;
      const kind = i % 4;
      if (kind === 0) {
        bytes = Uint8Array.from({ length: rng.nextUint32() % 300 }, () => rng.nextUint32() & 0xff);
      } else {
        bytes = new Uint8Array(model); // a copy (Buffer.slice would be a view)
        const flips = 1 + (rng.nextUint32() % 8);
        for (let f = 0; f < flips; f++) bytes[rng.nextUint32() % bytes.length] = rng.nextUint32() & 0xff;
        if (kind === 2) bytes = bytes.subarray(0, rng.nextUint32() % bytes.length);
        if (kind === 3) bytes = bytes.subarray(rng.nextUint32() % 64);
      }
      const locations = new Set<string>();
      const ranges = rawDataRanges(bytes, 1 + (rng.nextUint32() % 5000), locations);
      if (ranges) {
        followed++;
        expect(wellFormed(ranges, bytes.length)).toBe(true);
        if (locations.has('data.bin')) located++;
        for (const l of locations) expect(typeof l === 'string' && l.length <= 4096).toBe(true);
      }
    }
    // Single-byte damage mostly lands inside weights: many cases are still followed.
    expect(followed).toBeGreaterThan(100);
    expect(located).toBeGreaterThan(100);
  });
});
