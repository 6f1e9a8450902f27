// ONNX TensorProto.DataType codes and the IR dtypes they map to.
import type { DType } from '../ir/dtype.js';

const CODE_TO_DTYPE: Readonly<Record<number, DType>> = {
  1: 'f32', 2: 'u8', 3: 'i8', 4: 'u16', 5: 'i16', 6: 'i32', 7: 'i64', 8: 'string',
  9: 'bool', 10: 'f16', 11: 'f64', 12: 'u32', 13: 'u64', 16: 'bf16',
};

const CODE_NAMES: Readonly<Record<number, string>> = {
  0: 'UNDEFINED', 14: 'COMPLEX64', 15: 'COMPLEX128', 17: 'FLOAT8E4M3FN', 18: 'FLOAT8E4M3FNUZ',
  19: 'FLOAT8E5M2', 20: 'FLOAT8E5M2FNUZ', 21: 'UINT4', 22: 'INT4', 23: 'FLOAT4E2M1',
};

/** The IR dtype of an ONNX element type code, or undefined when ireets has none (complex, float8, int4). */
export function dtypeOfOnnxCode(code: number): DType | undefined {
  return CODE_TO_DTYPE[code];
}

export function onnxCodeName(code: number): string {
  return CODE_NAMES[code] ?? `data type ${code}`;
}

export function onnxCodeOfDType(dtype: DType): number {
  for (const [code, d] of Object.entries(CODE_TO_DTYPE)) if (d === dtype) return Number(code);
  throw new Error(`no ONNX data type for ${dtype}`);
}
