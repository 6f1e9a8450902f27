import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeModel, importModel } from '../../src/frontend/import-model.js';
import type { GraphProto, ModelProto } from '../../src/frontend/onnx-proto.js';
import { encodeModelProto } from '../../src/frontend/onnx-writer.js';
import { IreetsError } from '../../src/util/errors.js';
import { CONFORMANCE_DIR } from './conformance-case.js';

const MY_IMPORTERS = /\((Shape|Size|Cast|CastLike|ConstantOfShape|Constant|Identity|Dropout|If|Loop|Scan)\)$/;
const MODELS = ['test_if', 'test_loop11', 'test_scan9_sum', 'test_constantofshape_int_zeros', 'test_shape_start_1', 'test_cast_FLOAT_to_STRING'];

/** Import must succeed or fail with an IreetsError; anything else (TypeError, RangeError…) is a bug. */
async function importsOrRefuses(bytes: Uint8Array): Promise<boolean> {
  try {
    await importModel(bytes, { path: '/nonexistent/fuzz.onnx' });
  } catch (e) {
    if (!(e instanceof IreetsError)) throw e;
    // INTERNAL marks an importer bug; this suite guards the import core and the core/control importers.
    if (e.code === 'INTERNAL') expect(e.culprit ?? '').not.toMatch(MY_IMPORTERS);
  }
  return true;
}

describe('import of mutated model bytes', () => {
  for (const name of MODELS) {
    const original = new Uint8Array(readFileSync(`${CONFORMANCE_DIR}/${name}/model.onnx`));

    it(`${name}: byte flips, truncation and splices never escape as non-IreetsErrors`, async () => {
      const mutation = fc.oneof(
        fc.record({ kind: fc.constant('flip' as const), at: fc.nat(original.length - 1), value: fc.integer({ min: 0, max: 255 }) }),
        fc.record({ kind: fc.constant('cut' as const), at: fc.nat(original.length - 1), value: fc.constant(0) }),
        fc.record({ kind: fc.constant('dup' as const), at: fc.nat(original.length - 1), value: fc.integer({ min: 1, max: 32 }) }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (mutations) => {
          let bytes = original.slice();
          for (const m of mutations) {
            const at = m.at % Math.max(1, bytes.length);
            if (m.kind === 'flip') bytes[at] = m.value;
            else if (m.kind === 'cut') bytes = bytes.subarray(0, at);
            else bytes = new Uint8Array([...bytes.subarray(0, at), ...bytes.subarray(at, at + m.value), ...bytes.subarray(at)]);
          }
          return importsOrRefuses(bytes);
        }),
        { numRuns: 150, seed: 20240611 },
      );
    });
  }

  it('random bytes are refused cleanly', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 256 }), importsOrRefuses), { numRuns: 200, seed: 7 });
  });
});

describe('import of structurally mutated models', () => {
  const OPS = ['Add', 'Shape', 'Cast', 'ConstantOfShape', 'Loop', 'If', 'Scan', 'Identity', 'Constant', 'Dropout', 'Size', 'Reshape'];

  for (const name of ['test_loop11', 'test_scan9_sum', 'test_if', 'test_constantofshape_int_zeros', 'test_constant']) {
    const original = new Uint8Array(readFileSync(`${CONFORMANCE_DIR}/${name}/model.onnx`));

    it(`${name}: edited fields give IreetsErrors only`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.tuple(fc.nat(7), fc.nat(1000), fc.integer({ min: -3, max: 2 ** 40 })), { minLength: 1, maxLength: 3 }), async (edits) => {
          const model = decodeModel(original);
          for (const [kind, pick, value] of edits) mutate(model, kind, pick, value);
          return importsOrRefuses(encodeModelProto(model));
        }),
        { numRuns: 150, seed: 99 },
      );
    });
  }

  /** One structural edit somewhere in the model (subgraphs included). */
  function mutate(model: ModelProto, kind: number, pick: number, value: number): void {
    const graphs: GraphProto[] = [];
    const collect = (g: GraphProto | null | undefined) => {
      if (!g) return;
      graphs.push(g);
      for (const n of g.node ?? []) for (const a of n.attribute ?? []) collect(a.g);
    };
    collect(model.graph);
    const g = graphs[pick % graphs.length]!;
    const nodes = g.node ?? [];
    const node = nodes[pick % Math.max(1, nodes.length)];
    const inits = g.initializer ?? [];
    switch (kind) {
      case 0: if (node) node.opType = OPS[pick % OPS.length]; break;
      case 1: if (node?.input?.length) node.input.splice(pick % node.input.length, 1); break;
      case 2: if (node?.attribute?.length) node.attribute[pick % node.attribute.length]!.type = value % 15; break;
      case 3: if (node?.attribute?.length) node.attribute[pick % node.attribute.length]!.i = value; break;
      case 4: if (inits.length) inits[pick % inits.length]!.dims = [value, pick]; break;
      case 5: if (inits.length) inits[pick % inits.length]!.dataType = value % 24; break;
      case 6: {
        const vi = (g.input ?? [])[pick % Math.max(1, g.input?.length ?? 0)];
        if (vi?.type?.tensorType) vi.type.tensorType.elemType = value % 24;
        break;
      }
      default: if (node?.output?.length) node.output[0] = `renamed${pick}`;
    }
  }
});
