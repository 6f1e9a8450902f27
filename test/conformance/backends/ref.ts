import { importModel } from '../../../src/frontend/import-model.js';
import { foldConstants } from '../../../src/ir/fold-constants.js';
import { interpretModule } from '../../../src/ir/interpret/interpreter.js';
import type { Backend } from '../backend.js';

/**
 * The reference backend: the ONNX importer, the IR-level pipeline the compiler starts with
 * (constant folding, which runs the reference kernels at compile time), then the reference
 * interpreter over tensor IR.
 */
export const refBackend: Backend = {
  name: 'ref',
  async prepare(modelBytes, path) {
    const mod = await importModel(modelBytes, { path });
    foldConstants(mod);
    return { run: async (inputs) => interpretModule(mod, inputs) };
  },
};
