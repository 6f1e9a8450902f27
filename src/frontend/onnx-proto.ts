// The ONNX protobuf schema (protobufjs-generated, from the npm package `onnx-proto`) and the
// conversions its 64-bit fields need: protobufjs hands int64 fields over as `Long` objects.
import onnxProto from 'onnx-proto';

export const { onnx } = onnxProto;
import type { onnx as OnnxNs } from 'onnx-proto';

export type ModelProto = OnnxNs.IModelProto;
export type GraphProto = OnnxNs.IGraphProto;
export type NodeProto = OnnxNs.INodeProto;
export type AttributeProto = OnnxNs.IAttributeProto;
export type TensorProto = OnnxNs.ITensorProto;
export type ValueInfoProto = OnnxNs.IValueInfoProto;
export type TypeProto = OnnxNs.ITypeProto;
export type FunctionProto = OnnxNs.IFunctionProto;
export type SparseTensorProto = OnnxNs.ISparseTensorProto;
export type OperatorSetIdProto = OnnxNs.IOperatorSetIdProto;

/** A protobufjs 64-bit integer: a plain number, or a Long-like {low, high, unsigned}. */
export type LongLike = number | { low: number; high: number; unsigned?: boolean } | null | undefined;

/** Exact value of a 64-bit protobuf field (signed unless the Long says unsigned, or `unsigned` is set). */
export function longToBigInt(v: LongLike, unsigned = false): bigint {
  if (v === null || v === undefined) return 0n;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  const bits = (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  return unsigned || v.unsigned ? bits : BigInt.asIntN(64, bits);
}

/**
 * A 64-bit field as a JS number. Values beyond ±2^53 lose precision; ONNX uses int64 for dims,
 * axes and attribute ints, where INT64_MAX/MIN appear as "until the end" sentinels: those map
 * to ±Number.MAX_SAFE_INTEGER-sized numbers that still compare correctly.
 */
export function longToNumber(v: LongLike): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  return Number(longToBigInt(v));
}

/** A bigint as the Long-like object protobufjs writers accept. */
export function bigIntToLong(v: bigint, unsigned = false): { low: number; high: number; unsigned: boolean } {
  const bits = BigInt.asUintN(64, v);
  return { low: Number(bits & 0xffffffffn) | 0, high: Number(bits >> 32n) | 0, unsigned };
}
