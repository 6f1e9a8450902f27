// ONNX ValueInfo/TypeProto → IR TensorType: dim_param becomes a symbolic dim, unknown dims fresh symbols.
import type { Dim, TensorType } from '../ir/types.js';
import { IreetsError } from '../util/errors.js';
import { dtypeOfOnnxCode, onnxCodeName } from './dtype-codes.js';
import { longToNumber, type LongLike, type TypeProto } from './onnx-proto.js';

/** Invents names for dims a model leaves unknown; one per module so they never collide. */
export class SymbolSource {
  private next = 0;
  fresh(): string {
    return `?${this.next++}`;
  }
}

/**
 * The tensor type a TypeProto declares, or undefined when it declares none (no type, element
 * type UNDEFINED). Sequence/optional/map types are refused: ireets imports tensors only.
 */
export function tensorTypeOf(tp: TypeProto | null | undefined, symbols: SymbolSource, culprit: string): TensorType | undefined {
  if (!tp) return undefined;
  if (tp.sequenceType || tp.optionalType || tp.mapType) {
    throw new IreetsError('MODEL_UNSUPPORTED_OP', 'sequence, optional and map values are not supported', culprit);
  }
  const tt = tp.tensorType;
  if (!tt || !tt.elemType) return undefined;
  const dtype = dtypeOfOnnxCode(tt.elemType);
  if (!dtype) throw new IreetsError('MODEL_UNSUPPORTED', `element type ${onnxCodeName(tt.elemType)} is not supported`, culprit);
  if (!tt.shape) return { dtype, shape: null };
  const shape: Dim[] = (tt.shape.dim ?? []).map((d) => {
    if (d.dimParam) return d.dimParam;
    // protobufjs puts a default 0 on the prototype: only an own `dimValue` is a real value.
    if (Object.prototype.hasOwnProperty.call(d, 'dimValue')) {
      const v = longToNumber(d.dimValue as LongLike);
      if (Number.isSafeInteger(v) && v >= 0) return v;
    }
    return symbols.fresh();
  });
  return { dtype, shape };
}

export { refineType } from '../ir/infer-shapes.js';
