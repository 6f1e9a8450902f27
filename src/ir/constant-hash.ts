import { hashBytes, createHasher } from '../util/hash.js';
import type { Tensor } from './tensor.js';

/** Tensors up to this many bytes are hashed in one call over header + bytes joined in a scratch buffer. */
const ONE_SHOT_BYTES = 1 << 16;
const HEADER_ROOM = 1024;
const scratch = new Uint8Array(ONE_SHOT_BYTES + HEADER_ROOM);
const utf8 = new TextEncoder();

/** Content hash of a tensor: dtype, shape and element bytes. Requires initHashing(). */
export function hashTensor(t: Tensor): string {
  const header = `${t.dtype}[${t.shape.join(',')}]`;
  if (t.dtype !== 'string') {
    const d = t.data as ArrayBufferView;
    // xxhash64 of the joined bytes equals the streamed hash below; a fresh streaming hasher
    // costs far more than the copy for the small constants partition and folding hash by the hundred.
    if (d.byteLength <= ONE_SHOT_BYTES) {
      const { read, written } = utf8.encodeInto(header, scratch.subarray(0, HEADER_ROOM));
      if (read === header.length) {
        scratch.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), written);
        return hashBytes(scratch.subarray(0, written + d.byteLength));
      }
    }
  }
  const h = createHasher();
  h.update(header);
  if (t.dtype === 'string') {
    h.update(JSON.stringify(t.data));
  } else {
    const d = t.data as ArrayBufferView;
    h.update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  }
  return h.digest();
}

export { hashBytes };
