import { createDevice } from '../../../src/runtime/devices.js';
import { Session } from '../../../src/runtime/session.js';
import { compileOnnx } from '../../../src/stages/compile-pipeline.js';
import type { HalDevice } from '../../../src/hal/types.js';
import { Tensor } from '../../../src/ir/tensor.js';
import type { Backend } from '../backend.js';

// One WebGPU device (Dawn; lavapipe where there is no GPU) per harness worker.
let device: Promise<HalDevice> | undefined;

/** The compiled GPU backend: ONNX → module with WGSL executables → runtime Session on WebGPU. */
export const webgpuBackend: Backend = {
  name: 'webgpu',
  async prepare(modelBytes, path) {
    const { module } = await compileOnnx(modelBytes, { path, target: 'webgpu' });
    device ??= createDevice('webgpu');
    const session = await Session.load(module, await device, path);
    return {
      async run(inputs) {
        const outs = await session.run(inputs.map((t) => ({ dtype: t.dtype, shape: t.shape, data: t.data as never })));
        return outs.map((o) => new Tensor(o.dtype as Tensor['dtype'], o.shape, o.data as never));
      },
    };
  },
};
