// Test helper for the special-op importer suites: builds one-node ONNX models, runs them on
// onnxruntime-node and on ireets (import + reference interpreter), and compares the results.
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { importModel } from '../../src/frontend/import-model.js';
import type { DType } from '../../src/ir/dtype.js';
import type { IRModule } from '../../src/ir/graph.js';
import { interpretModule } from '../../src/ir/interpret/interpreter.js';
import { Tensor } from '../../src/ir/tensor.js';

const { onnx } = onnxProto;
const AT = onnx.AttributeProto.AttributeType;

const ELEM: Partial<Record<DType, { code: number; ort: ort.Tensor.Type }>> = {
  f32: { code: 1, ort: 'float32' },
  f64: { code: 11, ort: 'float64' },
  i32: { code: 6, ort: 'int32' },
  i64: { code: 7, ort: 'int64' },
  bool: { code: 9, ort: 'bool' },
  string: { code: 8, ort: 'string' },
};

function elem(d: DType): { code: number; ort: ort.Tensor.Type } {
  const e = ELEM[d];
  if (!e) throw new Error(`test helper does not handle ${d}`);
  return e;
}

export interface ModelInput {
  readonly name: string;
  readonly value: Tensor;
  /** Stored as an initializer (a constant to the importer) rather than fed at run time. */
  readonly constant?: boolean;
}

/** Attribute values: ints, int lists and strings as is; floats and other lists wrapped. */
export type AttrSpec = number | readonly number[] | string | { f: number } | { floats: readonly number[] } | { strings: readonly string[] };

function attribute(name: string, v: AttrSpec): onnxProto.onnx.IAttributeProto {
  if (typeof v === 'string') return { name, type: AT.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') return { name, type: AT.INT, i: v };
  if (Array.isArray(v)) return { name, type: AT.INTS, ints: [...(v as number[])] };
  if ('f' in v) return { name, type: AT.FLOAT, f: v.f };
  if ('floats' in v) return { name, type: AT.FLOATS, floats: [...v.floats] };
  return { name, type: AT.STRINGS, strings: v.strings.map((s) => new TextEncoder().encode(s)) };
}

function tensorProto(name: string, t: Tensor): onnxProto.onnx.ITensorProto {
  if (t.dtype === 'string') {
    return { name, dims: [...t.shape], dataType: 8, stringData: (t.data as string[]).map((s) => new TextEncoder().encode(s)) };
  }
  const d = t.data as ArrayBufferView;
  return {
    name,
    dims: [...t.shape],
    dataType: elem(t.dtype).code,
    rawData: new Uint8Array(d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength)),
  };
}

function valueInfo(name: string, dtype: DType | undefined, shape?: readonly number[]): onnxProto.onnx.IValueInfoProto {
  if (!dtype) return { name };
  return { name, type: { tensorType: { elemType: elem(dtype).code, shape: shape ? { dim: shape.map((d) => ({ dimValue: d })) } : undefined } } };
}

/** Bytes of a model with one node `opType` at `opset`. Null inputs are omitted optional inputs. */
export function oneNodeModel(
  opType: string, opset: number, inputs: readonly (ModelInput | null)[], outputs: readonly string[],
  attrs: Record<string, AttrSpec> = {},
): Uint8Array {
  const present = inputs.filter((i): i is ModelInput => i !== null);
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: opset }],
    graph: {
      name: 'g',
      node: [{
        opType, name: 'n',
        input: inputs.map((i) => i?.name ?? ''),
        output: [...outputs],
        attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
      }],
      input: present.filter((i) => !i.constant).map((i) => valueInfo(i.name, i.value.dtype, i.value.shape)),
      initializer: present.filter((i) => i.constant).map((i) => tensorProto(i.name, i.value)),
      output: outputs.map((o) => valueInfo(o, undefined)),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

function ortTensor(t: Tensor): ort.Tensor {
  if (t.dtype === 'bool') return new ort.Tensor('bool', Uint8Array.from(t.data as Uint8Array), [...t.shape]);
  return new ort.Tensor(elem(t.dtype).ort, t.data as Float32Array, [...t.shape]);
}

export interface BothResults {
  readonly ours: Tensor[];
  readonly ort: ort.Tensor[];
  readonly module: IRModule;
}

/** Runs the model on onnxruntime and on the reference interpreter with the non-constant inputs. */
export async function runBoth(bytes: Uint8Array, inputs: readonly (ModelInput | null)[], outputs: readonly string[]): Promise<BothResults> {
  const fed = inputs.filter((i): i is ModelInput => i !== null && !i.constant);
  const session = await ort.InferenceSession.create(bytes);
  const feeds: Record<string, ort.Tensor> = {};
  for (const i of fed) feeds[i.name] = ortTensor(i.value);
  const res = await session.run(feeds);
  const module = await importModel(bytes);
  const ours = interpretModule(module, fed.map((i) => i.value));
  return { ours, ort: outputs.map((o) => res[o]!), module };
}

/** Our result against onnxruntime's within rtol/atol (exact for integers): a message, or null when they agree. */
export function mismatch(ours: Tensor, theirs: ort.Tensor, rtol = 1e-4, atol = 1e-5): string | null {
  if (ours.shape.join(',') !== theirs.dims.join(',')) return `shape [${ours.shape}] vs ort [${theirs.dims}]`;
  const data = theirs.data as ArrayLike<number | bigint | string | boolean>;
  for (let i = 0; i < ours.size; i++) {
    const a = ours.dtype === 'string' ? (ours.data as string[])[i]! : ours.dtype === 'i64' ? ours.getBigInt(i) : ours.getNumber(i);
    const b = data[i]!;
    if (typeof a === 'string' || typeof b === 'string') {
      if (a !== b) return `element ${i}: ${String(a)} vs ort ${String(b)}`;
      continue;
    }
    if (typeof a === 'bigint' || typeof b === 'bigint') {
      if (BigInt(a) !== BigInt(b)) return `element ${i}: ${a} vs ort ${b}`;
      continue;
    }
    const bn = Number(b);
    if (Number.isNaN(a) && Number.isNaN(bn)) continue;
    if (a === bn) continue;
    if (!(Math.abs(a - bn) <= atol + rtol * Math.abs(bn))) return `element ${i}: ${a} vs ort ${bn}`;
  }
  return null;
}

/** Builds the model, runs both engines and expects every output to agree. */
export async function expectMatchesOrt(
  opType: string, opset: number, inputs: readonly (ModelInput | null)[], attrs: Record<string, AttrSpec> = {},
  outputs: readonly string[] = ['y'], tolerance: { rtol?: number; atol?: number } = {},
): Promise<BothResults> {
  const res = await runBoth(oneNodeModel(opType, opset, inputs, outputs, attrs), inputs, outputs);
  res.ours.forEach((t, i) => {
    expect(mismatch(t, res.ort[i]!, tolerance.rtol, tolerance.atol), `output ${outputs[i]}`).toBeNull();
  });
  return res;
}

/** A deterministic pseudo-random f32 tensor in [lo, hi). */
export function randomTensor(shape: readonly number[], seed = 1, lo = -4, hi = 4): Tensor {
  let s = seed >>> 0 || 1;
  const n = shape.reduce((p, d) => p * d, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = lo + (s / 2 ** 32) * (hi - lo);
  }
  return new Tensor('f32', shape, v);
}

export function i64(shape: readonly number[], values: readonly number[]): Tensor {
  return Tensor.fromBigInts('i64', shape, values.map((v) => BigInt(v)));
}

export function f32(shape: readonly number[], values: readonly number[]): Tensor {
  return Tensor.fromNumbers('f32', shape, values);
}
