import { createDevice } from '../../../src/runtime/devices.js';
import { Session } from '../../../src/runtime/session.js';
import { compileOnnx } from '../../../src/stages/compile-pipeline.js';
import type { HalDevice } from '../../../src/hal/types.js';
import { Tensor } from '../../../src/ir/tensor.js';
import type { Backend } from '../backend.js';

// One device per harness worker, created on first use: the `cpu` driver with 2 threads, so the
// worker pool, the shared memory and the Atomics protocol are exercised by every case.
let device: Promise<HalDevice> | undefined;

/** The compiled CPU backend: ONNX → module (.vmfb bytes) → runtime Session on the CPU device. */
export const cpuBackend: Backend = {
  name: 'cpu',
  async prepare(modelBytes, path) {
    const { module } = await compileOnnx(modelBytes, { path, target: 'cpu' });
    device ??= createDevice('cpu', { threads: 2 });
    const session = await Session.load(module, await device, path);
    return {
      async run(inputs) {
        const outs = await session.run(inputs.map((t) => ({ dtype: t.dtype, shape: t.shape, data: t.data as never })));
        return outs.map((o) => new Tensor(o.dtype as Tensor['dtype'], o.shape, o.data as never));
      },
    };
  },
};
