import * as ort from 'onnxruntime-node';
import type { DType } from '../../../src/ir/dtype.js';
import { Tensor } from '../../../src/ir/tensor.js';
import type { Backend } from '../backend.js';

/**
 * ONNX Runtime as a backend: not part of ireets, but a peer that checks the harness itself
 * (case discovery, data decoding, tolerances) and shows which cases are hard for anyone.
 */
export const ortBackend: Backend = {
  name: 'ort',
  async prepare(modelBytes) {
    const session = await ort.InferenceSession.create(modelBytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    return {
      async run(inputs) {
        const feeds: Record<string, ort.Tensor> = {};
        session.inputNames.forEach((name, i) => {
          const t = inputs[i];
          if (t) feeds[name] = toOrt(t);
        });
        const out = await session.run(feeds);
        return session.outputNames.map((name) => fromOrt(out[name]!));
      },
    };
  },
};

const ORT_TYPE: Partial<Record<DType, ort.Tensor.Type>> = {
  f32: 'float32', f64: 'float64', f16: 'float16', i8: 'int8', i16: 'int16', i32: 'int32', i64: 'int64',
  u8: 'uint8', u16: 'uint16', u32: 'uint32', u64: 'uint64', bool: 'bool', string: 'string',
};
const IR_TYPE = new Map(Object.entries(ORT_TYPE).map(([k, v]) => [v as string, k as DType]));

function toOrt(t: Tensor): ort.Tensor {
  const type = ORT_TYPE[t.dtype];
  if (!type) throw new Error(`onnxruntime-node has no tensor type for ${t.dtype}`);
  return new ort.Tensor(type, t.data as never, [...t.shape]);
}

function fromOrt(t: ort.Tensor): Tensor {
  const dtype = IR_TYPE.get(t.type);
  if (!dtype) throw new Error(`unsupported onnxruntime output type ${t.type}`);
  let data = t.data as unknown;
  // Newer runtimes may hand f16 back as Float16Array; keep our storage (raw bits).
  if (dtype === 'f16' && !(data instanceof Uint16Array)) {
    const view = data as ArrayBufferView;
    data = new Uint16Array(view.buffer, view.byteOffset, view.byteLength / 2);
  }
  if (dtype === 'bool' && !(data instanceof Uint8Array)) data = Uint8Array.from(data as ArrayLike<number>, (v) => (v ? 1 : 0));
  return new Tensor(dtype, [...t.dims], data as never);
}
