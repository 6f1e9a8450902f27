// Runs one-node ONNX models on onnxruntime-node and on ireets (import + reference interpreter)
// and compares the results element by element.
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { importModel } from '../../src/frontend/import-model.js';
import { isBigInt, isFloat, type DType } from '../../src/ir/dtype.js';
import { f16BitsToNumber } from '../../src/ir/float16.js';
import type { IRModule } from '../../src/ir/graph.js';
import { interpretModule } from '../../src/ir/interpret/interpreter.js';
import type { Tensor } from '../../src/ir/tensor.js';
import { fedInputs, oneNodeModel, outputNames, type OneNodeCase } from './one-node-model.js';

const ORT_TYPES: Partial<Record<DType, ort.Tensor.Type>> = {
  f32: 'float32', f64: 'float64', f16: 'float16', i8: 'int8', i16: 'int16', i32: 'int32', i64: 'int64',
  u8: 'uint8', u16: 'uint16', u32: 'uint32', u64: 'uint64', bool: 'bool', string: 'string',
};

function ortType(dtype: DType): ort.Tensor.Type {
  const type = ORT_TYPES[dtype];
  if (!type) throw new Error(`onnxruntime-node has no tensor type for ${dtype}`);
  return type;
}

export function toOrtTensor(t: Tensor): ort.Tensor {
  // A bool tensor's data may be a view of a larger buffer; onnxruntime wants its own Uint8Array.
  if (t.dtype === 'bool') return new ort.Tensor('bool', Uint8Array.from(t.data as Uint8Array), [...t.shape]);
  return new ort.Tensor(ortType(t.dtype), t.data as Float32Array, [...t.shape]);
}

/** Runs the case on onnxruntime; one tensor per output the node asks for. */
export async function runOrt(c: OneNodeCase, bytes = oneNodeModel(c)): Promise<ort.Tensor[]> {
  const session = await ort.InferenceSession.create(bytes);
  const feeds: Record<string, ort.Tensor> = {};
  for (const i of fedInputs(c)) feeds[i.name] = toOrtTensor(i.value);
  const res = await session.run(feeds);
  return outputNames(c).map((o) => res[o]!);
}

/**
 * The first difference between our result and onnxruntime's, or null when they agree: dtype and
 * shape exactly, floats within `atol + rtol·|theirs|` (NaN = NaN), everything else exactly.
 */
export function mismatch(ours: Tensor, theirs: ort.Tensor, rtol: number, atol: number): string | null {
  if (ORT_TYPES[ours.dtype] !== theirs.type) return `dtype ${ours.dtype} vs ort ${theirs.type}`;
  if (ours.shape.join(',') !== theirs.dims.join(',')) return `shape [${ours.shape}] vs ort [${theirs.dims}]`;
  const data = theirs.data as ArrayLike<number | bigint | string | boolean>;
  const exact = !isFloat(ours.dtype);
  for (let i = 0; i < ours.size; i++) {
    const raw = data[i]!;
    if (ours.dtype === 'string' || isBigInt(ours.dtype)) {
      const a = ours.dtype === 'string' ? (ours.data as string[])[i]! : ours.getBigInt(i);
      if (typeof a === 'string' ? a !== raw : a !== BigInt(raw as bigint)) return `element ${i}: ${a} vs ort ${String(raw)}`;
      continue;
    }
    const a = ours.getNumber(i);
    const b = ours.dtype === 'f16' ? f16BitsToNumber(raw as number) : Number(raw);
    if (a === b || (Number.isNaN(a) && Number.isNaN(b))) continue;
    if (exact || !(Math.abs(a - b) <= atol + rtol * Math.abs(b))) return `element ${i}: ${a} vs ort ${b}`;
  }
  return null;
}

export interface BothResults {
  readonly ours: Tensor[];
  readonly ort: ort.Tensor[];
  /** The module ireets imported. */
  readonly module: IRModule;
}

/** Runs the case on onnxruntime and on the reference interpreter. */
export async function runBoth(c: OneNodeCase): Promise<BothResults> {
  const bytes = oneNodeModel(c);
  const module = await importModel(bytes);
  const ours = interpretModule(module, fedInputs(c).map((i) => i.value));
  return { ours, ort: await runOrt(c, bytes), module };
}

export interface Tolerance {
  /** Default 1e-4. */
  readonly rtol?: number;
  /** Default 1e-5. */
  readonly atol?: number;
}

/** Runs both and expects every output to agree (see `mismatch`). */
export async function expectMatchesOrt(c: OneNodeCase, tol: Tolerance = {}): Promise<BothResults> {
  const res = await runBoth(c);
  const names = outputNames(c);
  expect(res.ours.length).toBe(res.ort.length);
  res.ours.forEach((t, i) => {
    expect(mismatch(t, res.ort[i]!, tol.rtol ?? 1e-4, tol.atol ?? 1e-5), `${c.op} output ${names[i]}`).toBeNull();
  });
  return res;
}
