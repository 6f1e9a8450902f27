import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { compileOnnx } from '../../src/stages/compile-pipeline.js';
import { Session } from '../../src/runtime/session.js';
import { createDevice } from '../../src/runtime/devices.js';
import type { HalDevice } from '../../src/hal/types.js';
import { readTensorProtoFile } from '../../src/frontend/tensor-proto.js';
import { disassemble } from '../../src/vm/disassembler.js';
import { readModule } from '../../src/vm/module-reader.js';
import { IreetsError } from '../../src/util/errors.js';

const NODE = '/usr/share/libonnx-testdata/data/node';
let devices: HalDevice[] = [];
beforeAll(async () => {
  devices = [await createDevice('cpu-sync'), await createDevice('cpu', { threads: 2 })];
});
afterAll(async () => {
  await Promise.all(devices.map((d) => d.destroy()));
});

async function runCase(name: string, dev: HalDevice): Promise<{ got: Float32Array[]; want: Float32Array[] }> {
  const dir = `${NODE}/${name}`;
  const { module } = await compileOnnx(readFileSync(`${dir}/model.onnx`), { path: `${dir}/model.onnx` });
  const session = await Session.load(module, dev);
  const inputs = session.inputs.map((_, i) => readTensorProtoFile(`${dir}/test_data_set_0/input_${i}.pb`));
  const outs = await session.run(inputs.map((t) => ({ dtype: t.dtype, shape: t.shape, data: t.data as Float32Array })));
  const want = session.outputs.map((_, i) => readTensorProtoFile(`${dir}/test_data_set_0/output_${i}.pb`).data as Float32Array);
  return { got: outs.map((o) => o.data as Float32Array), want };
}

describe('compile → module → runtime on the CPU', () => {
  it.each(['cpu-sync', 'cpu'])('runs an ONNX model end to end on %s', async (which) => {
    const dev = devices[which === 'cpu' ? 1 : 0]!;
    const { got, want } = await runCase('test_add', dev);
    expect(Array.from(got[0]!)).toEqual(Array.from(want[0]!));
  });

  it('produces identical module bytes for the same model (deterministic)', async () => {
    const bytes = readFileSync(`${NODE}/test_add_bcast/model.onnx`);
    const a = await compileOnnx(bytes);
    const b = await compileOnnx(bytes);
    expect(Buffer.from(a.module).equals(Buffer.from(b.module))).toBe(true);
    const listing = disassemble(readModule(a.module));
    expect(listing).toContain('hal.command_buffer.dispatch');
    expect(listing).toContain('hal.device.submit_and_wait');
  });

  it('refuses inputs of the wrong shape, naming the input', async () => {
    const { module } = await compileOnnx(readFileSync(`${NODE}/test_add/model.onnx`));
    const session = await Session.load(module, devices[0]!);
    const bad = { dtype: 'f32', shape: [2, 2], data: new Float32Array(4) };
    await expect(session.run([bad, bad])).rejects.toThrow(IreetsError);
    await expect(session.run([bad, bad])).rejects.toThrow(/input x: expected shape \[3,4,5\]/);
  });
});

describe('dynamic batch', () => {
  it('compiles once and runs at batch 1 and 4, matching onnxruntime', async () => {
    const { writeOnnxModel } = await import('../../src/frontend/onnx-writer.js');
    const ort = await import('onnxruntime-node');
    const w1 = Float32Array.from({ length: 8 * 16 }, (_, i) => Math.sin(i) * 0.3);
    const b1 = Float32Array.from({ length: 16 }, (_, i) => Math.cos(i) * 0.1);
    const { Tensor } = await import('../../src/ir/tensor.js');
    const bytes = writeOnnxModel({
      opset: 17,
      graph: {
        inputs: [{ name: 'x', dtype: 'f32', shape: ['N', 8] }],
        outputs: [{ name: 'y', dtype: 'f32', shape: ['N', 16] }],
        initializers: [
          { name: 'w1', tensor: new Tensor('f32', [8, 16], w1) },
          { name: 'b1', tensor: new Tensor('f32', [16], b1) },
        ],
        nodes: [
          { op: 'MatMul', inputs: ['x', 'w1'], outputs: ['h'] },
          { op: 'Add', inputs: ['h', 'b1'], outputs: ['a'] },
          { op: 'Relu', inputs: ['a'], outputs: ['r'] },
          { op: 'Softmax', inputs: ['r'], outputs: ['y'], attrs: { axis: -1 } },
        ],
      },
    });
    const { module } = await compileOnnx(bytes);
    const session = await Session.load(module, devices[1]!);
    expect(session.inputs[0]!.shape).toEqual(['N', 8]);
    const ortSession = await ort.InferenceSession.create(bytes);
    for (const n of [1, 4]) {
      const x = Float32Array.from({ length: n * 8 }, (_, i) => Math.cos(i * 0.7));
      const [y] = await session.run([{ dtype: 'f32', shape: [n, 8], data: x }]);
      expect(y!.shape).toEqual([n, 16]);
      const want = (await ortSession.run({ x: new ort.Tensor('float32', x, [n, 8]) }))['y']!.data as Float32Array;
      Array.from(y!.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
    }
  });
});
