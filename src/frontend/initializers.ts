// Initializers → constants. Small or in-file tensors are decoded now (importers and inference can
// see them); large external tensors stay on disk and load on demand.
import type { Value } from '../ir/graph.js';
import { hashTensor } from '../ir/constant-hash.js';
import { staticSize } from '../ir/types.js';
import { externalDataRef, isExternalTensor } from './external-data.js';
import type { GraphEnv } from './import-graph.js';
import { reuseDecoded } from './initializer-reuse.js';
import type { SparseTensorProto, TensorProto } from './onnx-proto.js';
import { decodeSparseTensorProto } from './sparse-tensor.js';
import { decodeTensorProto, tensorProtoType } from './tensor-proto.js';

/** External tensors up to this many elements are read at import like in-file ones. */
const EAGER_EXTERNAL_ELEMENTS = 65_536;

export function importInitializer(env: GraphEnv, proto: TensorProto | SparseTensorProto, sparse = false): Value {
  const { baseDir, externalFiles } = env.state;
  if (sparse) {
    const sp = proto as SparseTensorProto;
    const name = sp.values?.name ?? 'sparse';
    return env.gb.constant(decodeSparseTensorProto(sp, { baseDir, externalFiles, culprit: `initializer "${name}"` }), name);
  }
  const t = proto as TensorProto;
  const name = t.name ?? 'init';
  const culprit = `initializer "${name}"`;
  if (isExternalTensor(t)) {
    const { dtype, shape } = tensorProtoType(t, culprit);
    if (staticSize(shape) > EAGER_EXTERNAL_ELEMENTS) {
      // The content hash needs the bytes once; they are dropped afterwards and re-read by load().
      externalDataRef(t, baseDir, culprit);
      const hash = hashTensor(decodeTensorProto(t, { baseDir, externalFiles, culprit }));
      const load = () => decodeTensorProto(t, { baseDir, externalFiles, culprit });
      return env.gb.lazyConstant({ hash, type: { dtype, shape }, load }, name);
    }
  }
  if (!isExternalTensor(t) && t.rawData && t.rawData.length > 0) {
    // In-file raw bytes (what exporters write for weights): reused when an earlier import decoded equal ones.
    const { dtype, shape } = tensorProtoType(t, culprit);
    const { tensor, hash } = reuseDecoded(dtype, shape, t.rawData, () => decodeTensorProto(t, { baseDir, externalFiles, culprit }));
    const v = env.gb.lazyConstant({ hash, type: { dtype: tensor.dtype, shape: tensor.shape }, load: () => tensor }, name);
    // As constant() does: importers and inference see the value.
    env.gb.mod.constValues.set(v.id, tensor);
    return v;
  }
  return env.gb.constant(decodeTensorProto(t, { baseDir, externalFiles, culprit }), name);
}
