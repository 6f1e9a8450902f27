// The graph outputs of a direct run, read back from the device buffers they were written to.
import { byteSize } from '../../src/ir/dtype.js';
import type { Value } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { staticSize } from '../../src/ir/types.js';
import type { HalBuffer, HalDevice } from '../../src/hal/types.js';
import { bytesOf, type RuntimeData } from '../../src/runtime/tensor.js';

/** A tensor's element bytes (a view). */
export const tensorBytes = (t: Tensor): Uint8Array => bytesOf(t.data as RuntimeData);

export async function readOutputs(dev: HalDevice, outputs: readonly Value[], where: (v: Value) => { buffer: HalBuffer; offset: number }): Promise<Tensor[]> {
  const outs: Tensor[] = [];
  for (const v of outputs) {
    const shape = v.type.shape as number[];
    const t = Tensor.zeros(v.type.dtype, shape);
    const p = where(v);
    const n = staticSize(shape) * byteSize(v.type.dtype);
    if (n > 0) tensorBytes(t).set(await dev.read(p.buffer, p.offset, n));
    outs.push(t);
  }
  return outs;
}
