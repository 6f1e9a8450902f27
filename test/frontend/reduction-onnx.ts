// Test helper for the reduction importer suites: builds one-node ONNX models and runs them on
// onnxruntime-node and on ireets' reference interpreter.
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { importModel } from '../../src/frontend/import-model.js';
import { interpretModule } from '../../src/ir/interpret/interpreter.js';
import { Tensor } from '../../src/ir/tensor.js';
import type { DType } from '../../src/ir/dtype.js';

const { onnx } = onnxProto;

const ELEM: Partial<Record<DType, { code: number; ort: ort.Tensor.Type }>> = {
  f32: { code: 1, ort: 'float32' },
  f64: { code: 11, ort: 'float64' },
  i32: { code: 6, ort: 'int32' },
  i64: { code: 7, ort: 'int64' },
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
  /** Declared with symbolic dims (`<name>_0`, …) instead of its static shape. */
  readonly symbolic?: boolean;
}

export type AttrSpec = number | readonly number[] | string;

function attribute(name: string, v: AttrSpec): onnxProto.onnx.IAttributeProto {
  if (typeof v === 'string') return { name, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') return { name, type: onnx.AttributeProto.AttributeType.INT, i: v };
  return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: [...v] };
}

function tensorProto(name: string, t: Tensor): onnxProto.onnx.ITensorProto {
  const d = t.data as ArrayBufferView;
  return {
    name,
    dims: [...t.shape],
    dataType: elem(t.dtype).code,
    rawData: new Uint8Array(d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength)),
  };
}

function valueInfo(name: string, dtype: DType | undefined, shape?: readonly number[], symbolic = false): onnxProto.onnx.IValueInfoProto {
  if (!dtype) return { name };
  const dim = shape?.map((d, i) => (symbolic ? { dimParam: `${name}_${i}` } : { dimValue: d }));
  return { name, type: { tensorType: { elemType: elem(dtype).code, shape: dim ? { dim } : undefined } } };
}

/** Bytes of a model with one node `opType` at `opset`. Inputs named '' are omitted optional inputs. */
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
      input: present.filter((i) => !i.constant).map((i) => valueInfo(i.name, i.value.dtype, i.value.shape, i.symbolic)),
      initializer: present.filter((i) => i.constant).map((i) => tensorProto(i.name, i.value)),
      output: outputs.map((o) => valueInfo(o, undefined)),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

export interface BothResults {
  readonly ours: Tensor[];
  readonly ort: ort.Tensor[];
}

/** Runs the model on onnxruntime and on the reference interpreter with the non-constant inputs. */
export async function runBoth(bytes: Uint8Array, inputs: readonly (ModelInput | null)[], outputs: readonly string[]): Promise<BothResults> {
  const fed = inputs.filter((i): i is ModelInput => i !== null && !i.constant);
  const session = await ort.InferenceSession.create(bytes);
  const feeds: Record<string, ort.Tensor> = {};
  for (const i of fed) feeds[i.name] = new ort.Tensor(elem(i.value.dtype).ort, i.value.data as Float32Array, [...i.value.shape]);
  const res = await session.run(feeds);
  const mod = await importModel(bytes);
  const ours = interpretModule(mod, fed.map((i) => i.value));
  return { ours, ort: outputs.map((o) => res[o]!) };
}

/** Asserts our result matches onnxruntime's within rtol/atol (exact for integers); returns a message or null. */
export function mismatch(ours: Tensor, theirs: ort.Tensor, rtol = 1e-5, atol = 1e-6): string | null {
  if (ours.shape.join(',') !== theirs.dims.join(',')) return `shape [${ours.shape}] vs ort [${theirs.dims}]`;
  const data = theirs.data as ArrayLike<number | bigint>;
  for (let i = 0; i < ours.size; i++) {
    const a = ours.dtype === 'i64' ? ours.getBigInt(i) : ours.getNumber(i);
    const b = data[i]!;
    if (typeof a === 'bigint' || typeof b === 'bigint') {
      if (BigInt(a) !== BigInt(b)) return `element ${i}: ${a} vs ort ${b}`;
      continue;
    }
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    if (a === b) continue;
    if (!(Math.abs(a - b) <= atol + rtol * Math.abs(b))) return `element ${i}: ${a} vs ort ${b}`;
  }
  return null;
}

/** A deterministic pseudo-random f32 tensor in [-scale, scale). */
export function randomTensor(shape: readonly number[], seed = 1, scale = 4): Tensor {
  let s = seed >>> 0 || 1;
  const n = shape.reduce((p, d) => p * d, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = (s / 2 ** 32 * 2 - 1) * scale;
  }
  return new Tensor('f32', shape, v);
}

export function i64(shape: readonly number[], values: readonly number[]): Tensor {
  return Tensor.fromBigInts('i64', shape, values.map((v) => BigInt(v)));
}
