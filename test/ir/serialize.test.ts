// IR ↔ plain values: round trips through the cache's encoding keep every module and region
// intact, the encoding is deterministic, and a region body keys the same kernel as its region.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureFixture } from '../../fixtures/generate.js';
import { decodeValue, encodeValue } from '../../src/cache/encoding.js';
import type { Graph } from '../../src/ir/graph.js';
import type { DispatchRegion } from '../../src/ir/partition.js';
import { printModule } from '../../src/ir/printer.js';
import { canonicalRegionText, regionKey } from '../../src/ir/region-key.js';
import { deserializeModule, deserializeRegion, serializeModule, serializeRegion, type SerializedModule, type SerializedRegion } from '../../src/ir/serialize.js';
import { compileRegion, optimizeModel, partitionForTarget, type OptimizedModel } from '../../src/stages/compile-pipeline.js';
import { initHashing } from '../../src/util/hash.js';

const NODE = '/usr/share/libonnx-testdata/data/node';

const roundTrip = <T>(v: T): T => decodeValue(encodeValue(v)) as T;
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

/** Every dispatch region of a module, control-flow regions included. */
function regionsOf(m: OptimizedModel): DispatchRegion[] {
  const out: DispatchRegion[] = [];
  const walk = (g: Graph, batched: ReadonlySet<number>): void => {
    for (const s of partitionForTarget(m.ir, g, batched)) {
      if (s.kind === 'dispatch') out.push(s.region);
      if (s.kind === 'host') s.node.regions.forEach((r) => walk(r, new Set()));
    }
  };
  walk(m.ir.graph, m.batch.batched);
  return out;
}

async function load(path: string): Promise<OptimizedModel> {
  return optimizeModel(readFileSync(path), { path });
}

beforeAll(async () => {
  await initHashing();
});

describe('serializeModule', () => {
  it.each([
    ['tiny_cnn (conv net)', () => ensureFixture('tiny_cnn')],
    ['mlp_dynamic (batched)', () => ensureFixture('mlp_dynamic')],
    ['test_if (control flow)', async () => `${NODE}/test_if/model.onnx`],
    ['a loop', async () => `${NODE}/test_range_float_type_positive_delta_expanded/model.onnx`],
  ])('%s survives encode → decode → deserialize, printing the same', async (_, path) => {
    const m = await load(await path());
    const s = serializeModule(m.ir);
    const back = deserializeModule(roundTrip(s));
    expect(printModule(back)).toBe(printModule(m.ir));
    // Every referenced constant comes back with its bytes.
    for (const [hash, entry] of m.ir.constants) {
      if (!s.constants.some((c) => c.hash === hash)) continue;
      const a = entry.load().data as ArrayBufferView;
      const b = back.constants.get(hash)!.load().data as ArrayBufferView;
      expect(same(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), new Uint8Array(b.buffer, b.byteOffset, b.byteLength))).toBe(true);
    }
    // And serializes to the same bytes again.
    expect(same(encodeValue(serializeModule(back)), encodeValue(s))).toBe(true);
  });

  it('is deterministic: two imports of the same bytes encode identically', async () => {
    const path = await ensureFixture('tiny_cnn');
    const a = encodeValue(serializeModule((await load(path)).ir));
    const b = encodeValue(serializeModule((await load(path)).ir));
    expect(same(a, b)).toBe(true);
  });

  it('keeps only referenced constants, in first-use order', async () => {
    const m = await load(await ensureFixture('tiny_cnn'));
    const s: SerializedModule = serializeModule(m.ir);
    const used: string[] = [];
    const walk = (g: Graph): void => {
      for (const n of g.nodes) {
        if (n.op === 'constant' && !used.includes(n.attrs['hash'] as string)) used.push(n.attrs['hash'] as string);
        n.regions.forEach(walk);
      }
    };
    walk(m.ir.graph);
    expect(s.constants.map((c) => c.hash)).toEqual(used);
  });
});

describe('serializeRegion', () => {
  it.each(['tiny_cnn', 'mlp_dynamic'] as const)('gives %s regions bodies with the same key, text and kernel', async (name) => {
    const m = await load(await ensureFixture(name));
    for (const region of regionsOf(m)) {
      const body = serializeRegion(region);
      const back = deserializeRegion(roundTrip(body));
      expect(canonicalRegionText(back)).toBe(canonicalRegionText(region));
      expect(regionKey(back)).toBe(regionKey(region));
      expect(same(encodeValue(serializeRegion(back)), encodeValue(body))).toBe(true);
      expect(same(compileRegion(back, 'cpu').code, compileRegion(region, 'cpu').code)).toBe(true);
    }
  });

  it('control-flow regions round-trip too', async () => {
    const m = await load(`${NODE}/test_range_float_type_positive_delta_expanded/model.onnx`);
    const regions = regionsOf(m);
    expect(regions.length).toBeGreaterThan(0);
    for (const region of regions) expect(regionKey(deserializeRegion(roundTrip(serializeRegion(region))))).toBe(regionKey(region));
  });

  it('leaves names, ids and origins out: equal regions of different layers have equal bodies', async () => {
    const m = await load(await ensureFixture('minilm'));
    const byKey = new Map<string, Uint8Array>();
    let repeats = 0;
    for (const region of regionsOf(m)) {
      const encoded = encodeValue(serializeRegion(region));
      const seen = byKey.get(regionKey(region));
      if (seen) {
        repeats++;
        expect(same(seen, encoded)).toBe(true);
      } else {
        byKey.set(regionKey(region), encoded);
      }
      expect(new TextDecoder('latin1').decode(encoded)).not.toContain('encoder.layer');
    }
    expect(repeats).toBeGreaterThan(50); // six layers of the same regions
  });

  it('numbers inlined constants by content: duplicates of one value share an entry', async () => {
    const m = await load(await ensureFixture('mlp_dynamic'));
    for (const region of regionsOf(m)) {
      const body: SerializedRegion = serializeRegion(region);
      const contents = body.constants.map((c) => encodeValue(c));
      expect(new Set(contents.map((b) => Buffer.from(b).toString('hex'))).size).toBe(contents.length);
      // Local references stay in range and point backwards.
      let defined = body.inputs.length + body.constants.length;
      for (const n of body.nodes) {
        for (const i of n.inputs) if (i !== null) expect(i).toBeLessThan(defined);
        defined += n.outputs.length;
      }
      expect(body.output).toBeLessThan(defined);
    }
  });
});
