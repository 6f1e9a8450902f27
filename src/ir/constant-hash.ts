import { hashBytes, createHasher } from '../util/hash.js';
import type { Tensor } from './tensor.js';

/** Content hash of a tensor: dtype, shape and element bytes. Requires initHashing(). */
export function hashTensor(t: Tensor): string {
  const h = createHasher();
  h.update(`${t.dtype}[${t.shape.join(',')}]`);
  if (t.dtype === 'string') {
    h.update(JSON.stringify(t.data));
  } else {
    const d = t.data as ArrayBufferView;
    h.update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  }
  return h.digest();
}

export { hashBytes };
