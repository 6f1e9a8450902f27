// constantData(hash): the bytes of one large constant (a weight), keyed by its content hash.
// Content-addressed like executables: it reads nothing, so its memo never goes stale, and each
// weight is fingerprinted, encoded and written once, whatever edits happen around it. Only the
// module file needs the bytes: the stages in between see weights by type.
//
// The compute finds the tensor among the constants the imports of this process produced
// (file-contents.ts). If the cache lost a weight that a verified import still names, the held
// model contents are imported again, outside the graph, to find it: the same content gives the
// same constants, so the result is still a function of the key.
import { defineQuery, type DerivedQuery } from '../../graph/query.js';
import { serializeTensor, type SerializedTensor } from '../../ir/serialize.js';
import type { Tensor } from '../../ir/tensor.js';
import { IreetsError } from '../../util/errors.js';
import { optimizeModel } from '../compile-pipeline.js';
import { contentOf, contentsWithoutConstants, heldConstant, rememberConstants } from './file-contents.js';
import { splitWeights } from './import-model.js';

export type ConstantDataQuery = DerivedQuery<string, SerializedTensor>;

export function defineConstantData(version: string): ConstantDataQuery {
  return defineQuery<string, SerializedTensor>({
    name: 'constantData',
    version,
    compute: async (_ctx, hash) => serializeTensor(heldConstant(hash) ?? (await rederive(hash))),
    // Weights: a watch session's engine keeps only the recently used ones in memory (the cache has all).
    retain: { sizeOf: (t) => (ArrayBuffer.isView(t.data) ? t.data.byteLength : 0) },
  });
}

async function rederive(hash: string): Promise<Tensor> {
  for (const { digest, path } of contentsWithoutConstants()) {
    const content = await contentOf(digest, path);
    const { ir } = await optimizeModel(content.bytes, { path, externalFiles: content.externalFiles });
    const { tensors } = splitWeights(ir);
    rememberConstants(digest, tensors);
    const t = tensors.get(hash);
    if (t) return t();
  }
  throw new IreetsError('INTERNAL', `weight ${hash} is neither in the cache nor in any model this compiler holds`);
}
