// The fixture models compiled for each device and run through module + VM + HAL match
// onnxruntime-node: on the CPU (worker pool) within the fixtures' bar, rtol 1e-4 and
// atol 1e-5·max|output|; on WebGPU (Dawn; lavapipe here) within rtol 1e-3, the GPU issue's bar
// (its f32 transcendentals and reductions order differently).
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFixture } from '../../fixtures/generate.js';
import { fixtureInputs } from '../../fixtures/inputs.js';
import { agreement, describeAgreement, FIXTURE_BAR, type Bar } from '../../fixtures/tolerance.js';
import type { FixtureName } from '../../fixtures/catalog.js';
import type { HalDevice } from '../../src/hal/types.js';
import { createDevice } from '../../src/runtime/devices.js';
import { Session } from '../../src/runtime/session.js';
import { compileOnnx, type Target } from '../../src/stages/compile-pipeline.js';


const ORT_TYPE: Record<string, ort.Tensor.Type> = { f32: 'float32', i64: 'int64' };

const cases: [FixtureName, number][] = [['tiny_cnn', 1], ['mlp_dynamic', 1], ['mlp_dynamic', 4], ['mobilenet_v2', 1], ['resnet18', 1], ['minilm', 1]];

const DEVICES: { device: string; target: Target; bar: Bar }[] = [
  { device: 'cpu', target: 'cpu', bar: FIXTURE_BAR },
  { device: 'webgpu', target: 'webgpu', bar: { rtol: 1e-3, atolOfMax: 1e-5 } },
];

describe.each(DEVICES)('fixture models on $device against onnxruntime-node', ({ device: deviceName, target, bar }) => {
  let device: HalDevice;
  beforeAll(async () => {
    device = await createDevice(deviceName, { threads: 2 });
  });
  afterAll(async () => {
    await device?.destroy();
  });

  it.each(cases)('%s at batch %i', async (name, batch) => {
    const path = await ensureFixture(name);
    const bytes = readFileSync(path);
    const { module } = await compileOnnx(bytes, { path, target });
    const session = await Session.load(module, device, path);
    const inputs = fixtureInputs(name, { batch, seed: 7 });
    const outs = await session.run(inputs.map(({ tensor: t }) => ({ dtype: t.dtype, shape: t.shape, data: t.data as Float32Array })));
    const ref = await ort.InferenceSession.create(bytes);
    const feeds: Record<string, ort.Tensor> = {};
    inputs.forEach(({ name: n, tensor: t }) => {
      feeds[n] = new ort.Tensor(ORT_TYPE[t.dtype]!, t.data as Float32Array, [...t.shape]);
    });
    const want = await ref.run(feeds);
    ref.outputNames.forEach((n, k) => {
      const w = want[n]!.data as Float32Array;
      const g = outs[k]!.data as Float32Array;
      expect(outs[k]!.shape).toEqual(want[n]!.dims);
      const a = agreement(g, w, bar);
      console.log(`${name} at batch ${batch}, ${n}: ${deviceName} vs onnxruntime: ${describeAgreement(a)}`);
      expect(a.worst, describeAgreement(a)).toBeLessThanOrEqual(1);
    });
  }, 300_000);
});
