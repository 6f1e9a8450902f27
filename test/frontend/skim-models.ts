// Models for the skim and digest tests: large raw bytes in every place a TensorProto can sit.
import { writeOnnxModel } from '../../src/frontend/onnx-writer.js';
import { Tensor } from '../../src/ir/tensor.js';

const weight = (n: number, seed: number): Tensor => new Tensor('f32', [n], Float32Array.from({ length: n }, (_, i) => Math.sin(i + seed)));

/**
 * A model with large raw bytes in an initializer, a Constant node, an If branch, and one small
 * initializer; with `external`, also an initializer kept in the external data file `data.bin`.
 */
export function skimModel(seed = 0, external = false): Uint8Array {
  const branch = (name: string, n: number) => ({
    name,
    nodes: [{ op: 'Constant', inputs: [], outputs: [`${name}_c`], attrs: { value: weight(n, seed + 3) } }],
    inputs: [],
    outputs: [{ name: `${name}_c`, dtype: 'f32' as const, shape: [n] }],
  });
  return writeOnnxModel({
    graph: {
      nodes: [
        { op: 'Constant', inputs: [], outputs: ['c'], attrs: { value: weight(2000, seed + 1) } },
        { op: 'Add', inputs: ['w', 'c'], outputs: ['s'] },
        { op: 'If', inputs: ['cond'], outputs: ['b'], attrs: { then_branch: branch('t', 1500), else_branch: branch('e', 1500) } },
        { op: 'Add', inputs: ['s', 'small'], outputs: ['y'] },
      ],
      inputs: [{ name: 'cond', dtype: 'bool', shape: [] }],
      outputs: [{ name: 'y', dtype: 'f32', shape: [2000] }, { name: 'b', dtype: 'f32', shape: [1500] }],
      initializers: [
        { name: 'w', tensor: weight(2000, seed) },
        { name: 'small', tensor: weight(4, seed + 2) },
        ...(external ? [{ name: 'ext', tensor: weight(64, seed + 4), external: { location: 'data.bin' } }] : []),
      ],
    },
  });
}

