// Model "skeletons": an ONNX model with the bytes of its large f32 initializers removed and each
// such tensor's statistics (mean, std, min, max) kept in its doc_string, so a model of tens of MB
// travels as a few hundred KB. `fleshOut` refills them with seeded, clamped normal noise of the
// same statistics: the same architecture with realistic weight magnitudes (not the same weights,
// so it is for comparing two backends on one model, not for comparing against the original).
import { decodeTensorProto } from '../../src/frontend/tensor-proto.js';
import { onnx, type TensorProto } from '../../src/frontend/onnx-proto.js';
import { SeededRandom } from '../../fixtures/prng.js';

/** Tensors with more elements than this are stripped; BatchNorm / LayerNorm vectors and biases stay exact. */
export const STRIP_ABOVE_ELEMENTS = 4096;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const MARKER = 'ireets-skeleton:';

export interface TensorStats {
  mean: number;
  std: number;
  min: number;
  max: number;
}

export function statsOf(data: Float32Array): TensorStats {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of data) {
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = sum / data.length;
  let sq = 0;
  for (const v of data) sq += (v - mean) * (v - mean);
  return { mean, std: Math.sqrt(sq / data.length), min, max };
}

function elementCount(t: TensorProto): number {
  return (t.dims ?? []).reduce<number>((n, d) => n * Number(d), 1);
}

/** The skeleton of a model: large f32 initializers emptied, their statistics in doc_string. */
export function makeSkeleton(modelBytes: Uint8Array): { bytes: Uint8Array; stripped: number; kept: number } {
  const model = onnx.ModelProto.decode(modelBytes);
  let stripped = 0;
  let kept = 0;
  for (const t of model.graph?.initializer ?? []) {
    if (t.dataType !== FLOAT || elementCount(t) <= STRIP_ABOVE_ELEMENTS || t.externalData?.length) {
      kept++;
      continue;
    }
    const stats = statsOf(decodeTensorProto(t).data as Float32Array);
    t.rawData = new Uint8Array(0);
    t.floatData = [];
    t.docString = MARKER + JSON.stringify(stats);
    stripped++;
  }
  return { bytes: onnx.ModelProto.encode(model).finish(), stripped, kept };
}

/** Unit normal noise from 12 uniforms (Irwin–Hall): exact float math, so bit-identical on every machine. */
function fillNormal(rng: SeededRandom, out: Float32Array, s: TensorStats): void {
  for (let i = 0; i < out.length; i++) {
    let u = -6;
    for (let k = 0; k < 12; k++) u += rng.next();
    out[i] = Math.min(s.max, Math.max(s.min, s.mean + s.std * u));
  }
}

/** Refills a skeleton's stripped tensors (seeded per model and tensor name); other models pass unchanged. */
export function fleshOut(skeletonBytes: Uint8Array, seed: string): { bytes: Uint8Array; filled: number } {
  const model = onnx.ModelProto.decode(skeletonBytes);
  let filled = 0;
  for (const t of model.graph?.initializer ?? []) {
    if (!t.docString?.startsWith(MARKER)) continue;
    const stats = JSON.parse(t.docString.slice(MARKER.length)) as TensorStats;
    const data = new Float32Array(elementCount(t));
    fillNormal(new SeededRandom(`${seed}/${t.name ?? ''}`), data, stats);
    t.rawData = new Uint8Array(data.buffer);
    t.docString = '';
    filled++;
  }
  return { bytes: onnx.ModelProto.encode(model).finish(), filled };
}

export function isSkeleton(modelBytes: Uint8Array): boolean {
  // The marker sits in a string field; scanning the bytes avoids decoding a large model twice.
  return Buffer.from(modelBytes.buffer, modelBytes.byteOffset, modelBytes.byteLength).includes(MARKER);
}
