import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DType } from '../../src/ir/dtype.js';
import { Tensor } from '../../src/ir/tensor.js';
import { onnx, type TensorProto } from '../../src/frontend/onnx-proto.js';
import { externalBytes, externalTensorProto } from '../../src/frontend/onnx-writer.js';
import {
  decodeTensorProto,
  encodeTensorProto,
  encodeTensorProtoTyped,
  readTensorProtoFile,
} from '../../src/frontend/tensor-proto.js';
import { IreetsError } from '../../src/util/errors.js';

/** Round-trips through protobuf bytes so decoding sees what a real file gives (Long objects etc.). */
function viaBytes(p: TensorProto): TensorProto {
  return onnx.TensorProto.decode(onnx.TensorProto.encode(p).finish());
}

const samples: Record<Exclude<DType, 'string'>, number[]> = {
  f32: [1.5, -2.25, 0, 3e10],
  f64: [1e-300, -2.5, Math.PI, 7],
  f16: [1, -0.5, 65504, 0.0001],
  bf16: [1, -2, 3.140625, 1e20],
  i8: [-128, 127, 0, -1],
  i16: [-32768, 32767, 5, -6],
  i32: [-(2 ** 31), 2 ** 31 - 1, 0, 42],
  u8: [0, 255, 7, 128],
  u16: [0, 65535, 9, 1000],
  u32: [0, 2 ** 32 - 1, 12345, 2 ** 31],
  bool: [1, 0, 0, 1],
  i64: [0, -1, 2 ** 40, -(2 ** 50)],
  u64: [0, 1, 2 ** 40, 2 ** 52],
};

function expectSame(a: Tensor, b: Tensor): void {
  expect(a.dtype).toBe(b.dtype);
  expect(a.shape).toEqual(b.shape);
  expect(Array.from(a.data as ArrayLike<unknown>)).toEqual(Array.from(b.data as ArrayLike<unknown>));
}

describe('decodeTensorProto', () => {
  for (const [dtype, values] of Object.entries(samples) as [Exclude<DType, 'string'>, number[]][]) {
    const t = Tensor.fromNumbers(dtype, [2, 2], values);
    it(`decodes ${dtype} from raw_data`, () => expectSame(decodeTensorProto(viaBytes(encodeTensorProto(t))), t));
    it(`decodes ${dtype} from typed fields`, () => expectSame(decodeTensorProto(viaBytes(encodeTensorProtoTyped(t))), t));
  }

  it('keeps int64 exact beyond 2^53', () => {
    const big = [2n ** 62n + 1n, -(2n ** 63n), 2n ** 63n - 1n];
    const t = Tensor.fromBigInts('i64', [3], big);
    for (const p of [encodeTensorProto(t), encodeTensorProtoTyped(t)]) {
      expect(Array.from(decodeTensorProto(viaBytes(p)).data as BigInt64Array)).toEqual(big);
    }
    const u = Tensor.fromBigInts('u64', [2], [2n ** 64n - 1n, 2n ** 63n + 5n]);
    expect(Array.from(decodeTensorProto(viaBytes(encodeTensorProtoTyped(u))).data as BigUint64Array)).toEqual([2n ** 64n - 1n, 2n ** 63n + 5n]);
  });

  it('decodes f16 bit patterns carried in int32_data', () => {
    const p: TensorProto = { dataType: 10, dims: [2], int32Data: [0x3c00, 0xc000] };
    expect(decodeTensorProto(viaBytes(p)).toNumbers()).toEqual([1, -2]);
  });

  it('decodes strings and scalars', () => {
    const t = new Tensor('string', [2], ['héllo', '']);
    expectSame(decodeTensorProto(viaBytes(encodeTensorProto(t))), t);
    const s = decodeTensorProto(viaBytes({ dataType: 1, dims: [], floatData: [2.5] }));
    expect(s.shape).toEqual([]);
    expect(s.getNumber(0)).toBe(2.5);
  });

  it('normalizes raw bool bytes to 0/1', () => {
    const p: TensorProto = { dataType: 9, dims: [3], rawData: new Uint8Array([0, 2, 255]) };
    expect(Array.from(decodeTensorProto(p).data as Uint8Array)).toEqual([0, 1, 1]);
  });

  it('rejects data that does not match the dims with MODEL_CORRUPT', () => {
    const bad: TensorProto[] = [
      { name: 'w', dataType: 1, dims: [4], rawData: new Uint8Array(12) },
      { name: 'w', dataType: 1, dims: [4], floatData: [1, 2] },
      { name: 'w', dataType: 1, dims: [-1], floatData: [] },
      { name: 'w', dataType: 7, dims: [2 ** 31, 2 ** 31], int64Data: [] },
    ];
    for (const p of bad) {
      expect(() => decodeTensorProto(p)).toThrow(IreetsError);
      try {
        decodeTensorProto(p);
      } catch (e) {
        expect((e as IreetsError).code).toBe('MODEL_CORRUPT');
        expect((e as IreetsError).culprit).toContain('"w"');
      }
    }
  });

  it('refuses complex and other unsupported element types', () => {
    expect(() => decodeTensorProto({ dataType: 14, dims: [1], floatData: [1, 2] })).toThrow(/COMPLEX64/);
  });
});

describe('external data', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ireets-ext-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads bytes at an offset relative to the base directory', () => {
    const t = Tensor.fromNumbers('f32', [2, 3], [1, 2, 3, 4, 5, 6]);
    const pad = new Uint8Array(16).fill(7);
    writeFileSync(join(dir, 'weights.bin'), Buffer.concat([pad, externalBytes(t)]));
    const p = viaBytes(externalTensorProto('w', t, 'weights.bin', 16));
    expectSame(decodeTensorProto(p, { baseDir: dir }), t);
  });

  it('reports a missing file or a short file', () => {
    const t = Tensor.fromNumbers('f32', [4], [1, 2, 3, 4]);
    expect(() => decodeTensorProto(externalTensorProto('w', t, 'nope.bin'), { baseDir: dir })).toThrow(IreetsError);
    writeFileSync(join(dir, 'short.bin'), new Uint8Array(8));
    expect(() => decodeTensorProto(externalTensorProto('w', t, 'short.bin'), { baseDir: dir })).toThrow(/bytes/);
  });

  it('refuses locations outside the model directory', () => {
    const t = Tensor.fromNumbers('f32', [1], [1]);
    expect(() => decodeTensorProto(externalTensorProto('w', t, '../etc/passwd'), { baseDir: dir })).toThrow(/outside/);
  });
});

describe('readTensorProtoFile', () => {
  it('reads a conformance input file', () => {
    const t = readTensorProtoFile('/usr/share/libonnx-testdata/data/node/test_abs/test_data_set_0/input_0.pb');
    expect(t.dtype).toBe('f32');
    expect(t.shape).toEqual([3, 4, 5]);
  });
});
