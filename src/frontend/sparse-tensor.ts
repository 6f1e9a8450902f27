// SparseTensorProto → dense Tensor (sparse initializers and Constant's sparse_value).
import { allocData } from '../ir/dtype.js';
import { Tensor } from '../ir/tensor.js';
import { staticSize } from '../ir/types.js';
import { IreetsError } from '../util/errors.js';
import { longToNumber, type LongLike, type SparseTensorProto } from './onnx-proto.js';
import { decodeTensorProto, type DecodeTensorOptions } from './tensor-proto.js';

/** Densifies: indices are [NNZ] linear offsets or [NNZ, rank] coordinates (onnx.proto). */
export function decodeSparseTensorProto(proto: SparseTensorProto, opts: DecodeTensorOptions = {}): Tensor {
  const where = opts.culprit ?? 'sparse tensor';
  const shape = (proto.dims ?? []).map((d) => longToNumber(d as LongLike));
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0) || staticSize(shape) > 2 ** 28) {
    throw new IreetsError('MODEL_CORRUPT', `sparse tensor has invalid dims [${shape.join(',')}]`, where);
  }
  if (!proto.values || !proto.indices) throw new IreetsError('MODEL_CORRUPT', 'sparse tensor lacks values or indices', where);
  const values = decodeTensorProto(proto.values, opts);
  const indices = decodeTensorProto(proto.indices, opts);
  const nnz = values.size;
  const n = staticSize(shape);
  const out = new Tensor(values.dtype, shape, allocData(values.dtype, n));
  const linear = indices.rank === 1;
  if ((linear && indices.size !== nnz) || (!linear && (indices.rank !== 2 || indices.shape[0] !== nnz || indices.shape[1] !== shape.length))) {
    throw new IreetsError('MODEL_CORRUPT', `sparse tensor indices [${indices.shape.join(',')}] do not match ${nnz} values`, where);
  }
  for (let k = 0; k < nnz; k++) {
    let off = 0;
    if (linear) off = indices.getNumber(k);
    else for (let d = 0; d < shape.length; d++) off = off * shape[d]! + indices.getNumber(k * shape.length + d);
    if (!(off >= 0 && off < n)) throw new IreetsError('MODEL_CORRUPT', `sparse index ${off} is out of range`, where);
    (out.data as unknown as unknown[])[off] = (values.data as unknown as unknown[])[k];
  }
  return out;
}
