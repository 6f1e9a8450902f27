// hashTensor: one content hash per (dtype, shape, bytes), whichever way it is computed.
import { beforeAll, describe, expect, it } from 'vitest';
import { hashTensor } from '../../src/ir/constant-hash.js';
import { Tensor } from '../../src/ir/tensor.js';
import { createHasher, initHashing } from '../../src/util/hash.js';

beforeAll(() => initHashing());

/** The definition: xxhash64 streamed over `dtype[shape]` then the element bytes. */
function streamed(t: Tensor): string {
  const h = createHasher();
  h.update(`${t.dtype}[${t.shape.join(',')}]`);
  const d = t.data as ArrayBufferView;
  h.update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  return h.digest();
}

describe('hashTensor', () => {
  it('is xxhash64 of the header and bytes, for small and large tensors alike', () => {
    const cases: Tensor[] = [
      Tensor.fromNumbers('f32', [], [1.5]),
      Tensor.fromNumbers('f32', [0], []),
      Tensor.fromNumbers('i64', [3], [1, -2, 3]),
      Tensor.fromNumbers('f16', [2, 2], [1, 2, 3, 4]),
      Tensor.fromNumbers('bool', [3], [1, 0, 1]),
      // Around the size up to which the bytes are joined in one buffer (64 KiB).
      new Tensor('u8', [65535], new Uint8Array(65535).map((_, i) => i * 7)),
      new Tensor('u8', [65536], new Uint8Array(65536).map((_, i) => i * 5)),
      new Tensor('u8', [65537], new Uint8Array(65537).map((_, i) => i * 3)),
      new Tensor('f32', [300, 300], new Float32Array(90000).map((_, i) => Math.sin(i))),
    ];
    // A view into the middle of a larger buffer hashes only its own bytes.
    const big = new Float32Array(64).map((_, i) => i);
    cases.push(new Tensor('f32', [4], big.subarray(10, 14)));
    for (const t of cases) expect(hashTensor(t)).toBe(streamed(t));
    expect(hashTensor(cases[7]!)).toBe(hashTensor(new Tensor('u8', [65537], Uint8Array.from(cases[7]!.data as Uint8Array))));
  });

  it('tells apart dtype, shape and content, and keeps its known value', () => {
    const a = Tensor.fromNumbers('f32', [2], [1, 2]);
    expect(hashTensor(a)).toBe('77195611a8455545');
    expect(hashTensor(Tensor.fromNumbers('f32', [1, 2], [1, 2]))).not.toBe(hashTensor(a));
    expect(hashTensor(Tensor.fromNumbers('i32', [2], [1, 2]))).not.toBe(hashTensor(a));
    expect(hashTensor(Tensor.fromNumbers('f32', [2], [1, 3]))).not.toBe(hashTensor(a));
  });

  it('hashes string tensors by their JSON', () => {
    const t = new Tensor('string', [2], ['a', 'b']);
    const h = createHasher();
    h.update('string[2]');
    h.update(JSON.stringify(['a', 'b']));
    expect(hashTensor(t)).toBe(h.digest());
  });
});
