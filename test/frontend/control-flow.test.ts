import { describe, expect, it } from 'vitest';
import { importModel } from '../../src/frontend/import-model.js';
import { writeOnnxModel } from '../../src/frontend/onnx-writer.js';
import { interpretModule } from '../../src/ir/interpret/interpreter.js';
import { Tensor } from '../../src/ir/tensor.js';
import { importCase, runCase } from './conformance-case.js';

describe('control flow against the ONNX conformance suite', () => {
  for (const name of ['test_if', 'test_loop11', 'test_scan9_sum', 'test_scan_sum']) {
    it(name, async () => runCase(name));
  }

  it('imports If as an if op with two regions', async () => {
    const mod = await importCase('test_if');
    const node = mod.graph.nodes.find((n) => n.op === 'if')!;
    expect(node.regions).toHaveLength(2);
    expect(node.outputs[0]!.type).toEqual({ dtype: 'f32', shape: [5] });
  });
});

describe('control flow built with the writer', () => {
  it('Loop with a carried value that grows each iteration', async () => {
    // acc starts as [1]; each iteration concatenates [iter] — shape changes, so the body is widened.
    const bytes = writeOnnxModel({
      opset: 13,
      graph: {
        inputs: [{ name: 'n', dtype: 'i64', shape: [] }, { name: 'acc0', dtype: 'f32', shape: [1] }],
        outputs: [{ name: 'acc', dtype: 'f32' }, { name: 'iters', dtype: 'i64' }],
        nodes: [{
          op: 'Loop', inputs: ['n', '', 'acc0'], outputs: ['acc', 'iters'],
          attrs: {
            body: {
              inputs: [{ name: 'i', dtype: 'i64', shape: [] }, { name: 'c', dtype: 'bool', shape: [] }, { name: 'a', dtype: 'f32' }],
              outputs: [{ name: 'c_out', dtype: 'bool' }, { name: 'a_out', dtype: 'f32' }, { name: 'i_out', dtype: 'i64' }],
              nodes: [
                { op: 'Identity', inputs: ['c'], outputs: ['c_out'] },
                { op: 'Identity', inputs: ['i'], outputs: ['i_out'] },
                { op: 'Constant', inputs: [], outputs: ['one'], attrs: { value: Tensor.fromNumbers('i64', [1], [1]) } },
                { op: 'ConstantOfShape', inputs: ['one'], outputs: ['z'], attrs: { value: Tensor.fromNumbers('f32', [1], [7]) } },
                { op: 'Concat', inputs: ['a', 'z'], outputs: ['a_out'], attrs: { axis: 0 } },
              ],
            },
          },
        }],
      },
    });
    const mod = await importModel(bytes);
    const [acc, iters] = interpretModule(mod, [Tensor.fromBigInts('i64', [], [3n]), Tensor.fromNumbers('f32', [1], [5])]);
    expect(acc!.toNumbers()).toEqual([5, 7, 7, 7]);
    // The carried value's extent is not static: the body was re-imported with a symbolic dim.
    const loop = mod.graph.nodes.find((n) => n.op === 'loop')!;
    expect(typeof loop.regions[0]!.inputs[2]!.type.shape![0]).toBe('string');
    expect(iters!.shape).toEqual([3]);
    expect(Array.from(iters!.data as BigInt64Array)).toEqual([0n, 1n, 2n]);
  });

  it('If on a constant condition inlines the taken branch', async () => {
    const branch = (v: number) => ({
      inputs: [],
      outputs: [{ name: `r${v}`, dtype: 'f32' as const }],
      nodes: [{ op: 'Constant', inputs: [], outputs: [`r${v}`], attrs: { value: Tensor.fromNumbers('f32', [1], [v]) } }],
    });
    const bytes = writeOnnxModel({
      graph: {
        inputs: [],
        outputs: [{ name: 'y', dtype: 'f32' }],
        nodes: [
          { op: 'Constant', inputs: [], outputs: ['c'], attrs: { value: Tensor.fromNumbers('bool', [], [0]) } },
          { op: 'If', inputs: ['c'], outputs: ['y'], attrs: { then_branch: branch(1), else_branch: branch(2) } },
        ],
      },
    });
    const mod = await importModel(bytes);
    expect(mod.graph.nodes.some((n) => n.op === 'if')).toBe(false);
    expect(interpretModule(mod, [])[0]!.toNumbers()).toEqual([2]);
  });

  it('Scan with reversed input and output and a non-zero output axis', async () => {
    // state s (f32[2]) accumulates rows of x (f32[3,2]) read backwards; each step emits s as a column.
    const bytes = writeOnnxModel({
      opset: 11,
      graph: {
        inputs: [{ name: 's0', dtype: 'f32', shape: [2] }, { name: 'x', dtype: 'f32', shape: [3, 2] }],
        outputs: [{ name: 's', dtype: 'f32' }, { name: 'ys', dtype: 'f32' }],
        nodes: [{
          op: 'Scan', inputs: ['s0', 'x'], outputs: ['s', 'ys'],
          attrs: {
            num_scan_inputs: 1, scan_input_directions: [1], scan_output_axes: [1], scan_output_directions: [1],
            body: {
              inputs: [{ name: 'st', dtype: 'f32', shape: [2] }, { name: 'row', dtype: 'f32', shape: [2] }],
              outputs: [{ name: 'st2', dtype: 'f32' }, { name: 'y', dtype: 'f32' }],
              nodes: [
                { op: 'CastLike', inputs: ['row', 'st'], outputs: ['rowc'] },
                { op: 'Identity', inputs: ['rowc'], outputs: ['st2'] },
                { op: 'Identity', inputs: ['st'], outputs: ['y'] },
              ],
            },
          },
        }],
      },
    });
    const mod = await importModel(bytes);
    const x = Tensor.fromNumbers('f32', [3, 2], [1, 2, 3, 4, 5, 6]);
    const [s, ys] = interpretModule(mod, [Tensor.fromNumbers('f32', [2], [0, 0]), x]);
    // Steps read rows 2,1,0; state after each = that row; emitted = previous state.
    expect(s!.toNumbers()).toEqual([1, 2]);
    // Emitted per step: [0,0], [5,6], [3,4]; reversed: [3,4],[5,6],[0,0]; stacked on axis 1 → [2,3].
    expect(ys!.shape).toEqual([2, 3]);
    expect(ys!.toNumbers()).toEqual([3, 5, 0, 4, 6, 0]);
    expect(mod.graph.nodes.find((n) => n.op === 'scan')!.outputs[1]!.type.shape).toEqual([2, 3]);
  });
});
