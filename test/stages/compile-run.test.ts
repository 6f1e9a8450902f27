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
