// Test helper for the linalg importer suites: one-node ONNX models run on onnxruntime-node and on
// ireets (import + reference interpreter), compared element by element.
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { importModel } from '../../src/frontend/import-model.js';
import { writeOnnxModel, type OnnxAttrValue } from '../../src/frontend/onnx-writer.js';
import type { DType } from '../../src/ir/dtype.js';
import type { IRModule } from '../../src/ir/graph.js';
import { interpretModule } from '../../src/ir/interpret/interpreter.js';
import { Tensor } from '../../src/ir/tensor.js';

const ORT_TYPES: Partial<Record<DType, ort.Tensor.Type>> = {
  f32: 'float32', f64: 'float64', f16: 'float16', i32: 'int32', i64: 'int64', u8: 'uint8', i8: 'int8',
};

export interface Operand {
  readonly name: string;
  readonly value: Tensor;
  /** An initializer (a compile-time constant to the importer) rather than a graph input. */
  readonly constant?: boolean;
  /** Declared with symbolic dims instead of its static shape. */
  readonly symbolic?: boolean;
}

export interface OneNodeCase {
  readonly op: string;
  readonly opset?: number;
  /** null: an omitted optional input. */
  readonly inputs: readonly (Operand | null)[];
  /** '' for an output the node does not ask for. */
  readonly outputs: readonly string[];
  readonly attrs?: Readonly<Record<string, OnnxAttrValue>>;
}

export function modelBytes(c: OneNodeCase): Uint8Array {
  const present = c.inputs.filter((i): i is Operand => i !== null);
  return writeOnnxModel({
    opset: c.opset ?? 17,
    graph: {
      nodes: [{ op: c.op, name: 'n', inputs: c.inputs.map((i) => i?.name ?? ''), outputs: [...c.outputs], attrs: c.attrs }],
      inputs: present.filter((i) => !i.constant).map((i) => ({
        name: i.name,
        dtype: i.value.dtype,
        shape: i.symbolic ? i.value.shape.map((_, k) => `${i.name}_${k}`) : i.value.shape,
      })),
      outputs: c.outputs.filter((o) => o !== '').map((o) => ({ name: o })),
      initializers: present.filter((i) => i.constant).map((i) => ({ name: i.name, tensor: i.value })),
    },
  });
}

export async function importCase(c: OneNodeCase): Promise<IRModule> {
  return importModel(modelBytes(c));
}

/** Runs the case on ireets' reference interpreter. */
export async function runOurs(c: OneNodeCase): Promise<Tensor[]> {
  const fed = c.inputs.filter((i): i is Operand => i !== null && !i.constant);
  return interpretModule(await importCase(c), fed.map((i) => i.value));
}

export async function runOrt(c: OneNodeCase): Promise<ort.Tensor[]> {
  const session = await ort.InferenceSession.create(modelBytes(c));
  const feeds: Record<string, ort.Tensor> = {};
  for (const i of c.inputs) {
    if (!i || i.constant) continue;
    const type = ORT_TYPES[i.value.dtype];
    if (!type) throw new Error(`helper cannot feed ${i.value.dtype}`);
    feeds[i.name] = new ort.Tensor(type, i.value.data as Float32Array, [...i.value.shape]);
  }
  const res = await session.run(feeds);
  return c.outputs.filter((o) => o !== '').map((o) => res[o]!);
}

/** Describes the first element where ours and onnxruntime's differ beyond tolerance, else null. */
export function mismatch(ours: Tensor, theirs: ort.Tensor, rtol: number, atol: number): string | null {
  if (ours.shape.join(',') !== theirs.dims.join(',')) return `shape [${ours.shape}] vs ort [${theirs.dims}]`;
  const data = theirs.data as ArrayLike<number | bigint>;
  for (let i = 0; i < ours.size; i++) {
    const a = ours.dtype === 'i64' ? Number(ours.getBigInt(i)) : ours.getNumber(i);
    const raw = data[i]!;
    const b = ours.dtype === 'f16' ? f16(raw as number) : Number(raw);
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    if (a === b) continue;
    if (!(Math.abs(a - b) <= atol + rtol * Math.abs(b))) return `element ${i}: ${a} vs ort ${b}`;
  }
  return null;
}

function f16(bits: number): number {
  const s = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const m = bits & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** Runs on both and expects every output to agree (exact for integer outputs). */
export async function expectMatchesOrt(c: OneNodeCase, rtol = 1e-4, atol = 1e-5): Promise<Tensor[]> {
  const [ours, theirs] = await Promise.all([runOurs(c), runOrt(c)]);
  expect(ours.length).toBe(theirs.length);
  ours.forEach((t, i) => {
    const exact = !['f16', 'bf16', 'f32', 'f64'].includes(t.dtype);
    expect(mismatch(t, theirs[i]!, exact ? 0 : rtol, exact ? 0 : atol), `output ${i}`).toBeNull();
  });
  return ours;
}

/** A deterministic pseudo-random tensor in [-scale, scale) (integers: [lo, hi]). */
export function random(shape: readonly number[], seed = 1, scale = 2, dtype: DType = 'f32'): Tensor {
  let s = seed >>> 0 || 1;
  const n = shape.reduce((p, d) => p * d, 1);
  const v = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = (s / 2 ** 32) * 2 - 1;
  }
  if (dtype === 'u8') return Tensor.fromNumbers(dtype, shape, v.map((x) => Math.floor((x + 1) * 127.99)));
  if (dtype === 'i8') return Tensor.fromNumbers(dtype, shape, v.map((x) => Math.floor(x * 127.99)));
  if (dtype === 'i32' || dtype === 'i64') return Tensor.fromNumbers(dtype, shape, v.map((x) => Math.round(x * scale)));
  return Tensor.fromNumbers(dtype, shape, v.map((x) => x * scale));
}

export function operand(name: string, value: Tensor, opts: { constant?: boolean; symbolic?: boolean } = {}): Operand {
  return { name, value, ...opts };
}

export function i64(values: readonly number[]): Tensor {
  return Tensor.fromBigInts('i64', [values.length], values.map((v) => BigInt(v)));
}
