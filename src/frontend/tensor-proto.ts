// TensorProto ⇄ Tensor: every ONNX encoding (raw_data, the typed *_data fields, external data)
// of every dtype ireets supports.
import { readFileSync } from 'node:fs';
import { allocData, byteSize, type DType, type TensorData } from '../ir/dtype.js';
import { Tensor } from '../ir/tensor.js';
import { staticSize } from '../ir/types.js';
import { IreetsError } from '../util/errors.js';
import { dtypeOfOnnxCode, onnxCodeName, onnxCodeOfDType } from './dtype-codes.js';
import { externalDataRef, isExternalTensor, readExternalBytes } from './external-data.js';
import { bigIntToLong, longToBigInt, longToNumber, onnx, type LongLike, type TensorProto } from './onnx-proto.js';

export interface DecodeTensorOptions {
  /** Directory external data locations are relative to (the model's directory). */
  baseDir?: string;
  /**
   * External data files already read, by absolute path (the compiler's snapshot of what it
   * hashed): their bytes are used instead of reading the file again. Others are read from disk.
   */
  externalFiles?: ReadonlyMap<string, Uint8Array>;
  /** Named in errors; defaults to the tensor's name. */
  culprit?: string;
}

/** The dtype and static shape a TensorProto declares, checked. */
export function tensorProtoType(proto: TensorProto, culprit?: string): { dtype: DType; shape: number[] } {
  const where = culprit ?? describeTensor(proto);
  const code = proto.dataType ?? 0;
  const dtype = dtypeOfOnnxCode(code);
  if (!dtype) throw new IreetsError('MODEL_UNSUPPORTED', `tensor element type ${onnxCodeName(code)} is not supported`, where);
  const shape = (proto.dims ?? []).map((d) => longToNumber(d as LongLike));
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new IreetsError('MODEL_CORRUPT', `tensor has invalid dims [${shape.join(',')}]`, where);
  }
  if (staticSize(shape) > 2 ** 32) throw new IreetsError('MODEL_CORRUPT', `tensor dims [${shape.join(',')}] are too large`, where);
  return { dtype, shape };
}

/** Decodes a TensorProto; external data is read now (use import's lazy constants to defer it). */
export function decodeTensorProto(proto: TensorProto, opts: DecodeTensorOptions = {}): Tensor {
  const where = opts.culprit ?? describeTensor(proto);
  const { dtype, shape } = tensorProtoType(proto, where);
  const n = staticSize(shape);
  if (isExternalTensor(proto)) {
    const ref = externalDataRef(proto, opts.baseDir ?? '.', where);
    return new Tensor(dtype, shape, fromLittleEndianBytes(dtype, n, readExternalBytes(ref, where, opts.externalFiles), where));
  }
  if (proto.rawData && proto.rawData.length > 0 && dtype !== 'string') {
    return new Tensor(dtype, shape, fromLittleEndianBytes(dtype, n, proto.rawData, where));
  }
  return new Tensor(dtype, shape, fromTypedFields(proto, dtype, n, where));
}

/** Reads a file holding one serialized TensorProto (the conformance suite's input_N.pb / output_N.pb). */
export function readTensorProtoFile(path: string): Tensor {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new IreetsError('INPUT_INVALID', `cannot read ${path}: ${(e as Error).message}`, path, { cause: e });
  }
  let proto: TensorProto;
  try {
    proto = onnx.TensorProto.decode(bytes);
  } catch (e) {
    throw new IreetsError('MODEL_CORRUPT', `not a TensorProto: ${(e as Error).message}`, path, { cause: e });
  }
  return decodeTensorProto(proto, { baseDir: dirnameOf(path), culprit: path });
}

/** Encodes a tensor as a TensorProto with raw_data (string tensors use string_data). */
export function encodeTensorProto(t: Tensor, name = ''): TensorProto {
  const proto: TensorProto = { name, dataType: onnxCodeOfDType(t.dtype), dims: t.shape.map((d) => d) };
  if (t.dtype === 'string') {
    const enc = new TextEncoder();
    proto.stringData = (t.data as string[]).map((s) => enc.encode(s));
  } else {
    const d = t.data as ArrayBufferView;
    proto.rawData = new Uint8Array(d.buffer, d.byteOffset, d.byteLength).slice();
  }
  return proto;
}

/** Encodes a tensor with the typed *_data fields instead of raw_data (for tests of both encodings). */
export function encodeTensorProtoTyped(t: Tensor, name = ''): TensorProto {
  const proto: TensorProto = { name, dataType: onnxCodeOfDType(t.dtype), dims: t.shape.map((d) => d) };
  const d = t.data;
  switch (t.dtype) {
    case 'f32': proto.floatData = Array.from(d as Float32Array); break;
    case 'f64': proto.doubleData = Array.from(d as Float64Array); break;
    case 'i64': proto.int64Data = Array.from(d as BigInt64Array, (v) => bigIntToLong(v)); break;
    case 'u32': proto.uint64Data = Array.from(d as Uint32Array, (v) => bigIntToLong(BigInt(v), true)); break;
    case 'u64': proto.uint64Data = Array.from(d as BigUint64Array, (v) => bigIntToLong(v, true)); break;
    case 'string': proto.stringData = (d as string[]).map((s) => new TextEncoder().encode(s)); break;
    default: proto.int32Data = Array.from(d as ArrayLike<number>); break;
  }
  return proto;
}

function describeTensor(proto: TensorProto): string {
  return proto.name ? `tensor "${proto.name}"` : 'tensor';
}

function dirnameOf(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i < 0 ? '.' : path.slice(0, i) || '/';
}

/** Element storage from little-endian bytes (the host is little-endian, as all Node targets are). */
function fromLittleEndianBytes(dtype: DType, n: number, bytes: Uint8Array, where: string): TensorData {
  if (dtype === 'string') throw new IreetsError('MODEL_CORRUPT', 'string tensors cannot use raw or external data', where);
  const size = byteSize(dtype);
  if (bytes.length !== n * size) {
    throw new IreetsError('MODEL_CORRUPT', `tensor needs ${n * size} data bytes, has ${bytes.length}`, where);
  }
  const out = allocData(dtype, n) as Exclude<TensorData, string[]>;
  new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(bytes);
  if (dtype === 'bool') {
    const b = out as Uint8Array;
    for (let i = 0; i < n; i++) b[i] = b[i] ? 1 : 0;
  }
  return out;
}

/** Which typed field carries each dtype (onnx.proto's TensorProto comments). */
function typedFieldOf(proto: TensorProto, dtype: DType): readonly unknown[] | null | undefined {
  switch (dtype) {
    case 'f32': return proto.floatData;
    case 'f64': return proto.doubleData;
    case 'i64': return proto.int64Data;
    case 'u32': case 'u64': return proto.uint64Data;
    case 'string': return proto.stringData;
    default: return proto.int32Data;
  }
}

function fromTypedFields(proto: TensorProto, dtype: DType, n: number, where: string): TensorData {
  // Check the count before allocating: a corrupt dims field must not allocate gigabytes.
  const count = typedFieldOf(proto, dtype)?.length ?? 0;
  if (count !== n) throw new IreetsError('MODEL_CORRUPT', `tensor has ${count} data values, shape needs ${n}`, where);
  const out = allocData(dtype, n);
  const take = <T>(field: readonly T[] | null | undefined, fieldName: string): readonly T[] => {
    const src = field ?? [];
    if (src.length !== n) {
      throw new IreetsError('MODEL_CORRUPT', `tensor has ${src.length} ${fieldName} values, shape needs ${n}`, where);
    }
    return src;
  };
  switch (dtype) {
    case 'f32': (out as Float32Array).set(take(proto.floatData, 'float_data')); break;
    case 'f64': (out as Float64Array).set(take(proto.doubleData, 'double_data')); break;
    case 'i64': {
      const src = take(proto.int64Data, 'int64_data');
      const o = out as BigInt64Array;
      for (let i = 0; i < n; i++) o[i] = longToBigInt(src[i] as LongLike);
      break;
    }
    case 'u64': case 'u32': {
      const src = take(proto.uint64Data, 'uint64_data');
      for (let i = 0; i < n; i++) {
        const v = longToBigInt(src[i] as LongLike, true);
        if (dtype === 'u64') (out as BigUint64Array)[i] = v;
        else (out as Uint32Array)[i] = Number(BigInt.asUintN(32, v));
      }
      break;
    }
    case 'string': {
      const src = take(proto.stringData, 'string_data');
      const dec = new TextDecoder();
      for (let i = 0; i < n; i++) (out as string[])[i] = dec.decode(src[i]!);
      break;
    }
    case 'bool': {
      const src = take(proto.int32Data, 'int32_data');
      for (let i = 0; i < n; i++) (out as Uint8Array)[i] = src[i] ? 1 : 0;
      break;
    }
    default: {
      // int8/16, uint8/16, int32 and the 16-bit float patterns all travel in int32_data.
      const src = take(proto.int32Data, 'int32_data');
      (out as Int32Array).set(src as readonly number[]);
      break;
    }
  }
  return out;
}
