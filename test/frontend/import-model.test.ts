import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeModel, importModel } from '../../src/frontend/import-model.js';
import { encodeModelProto, writeOnnxModel, type OnnxModelSpec } from '../../src/frontend/onnx-writer.js';
import { interpretModule } from '../../src/ir/interpret/interpreter.js';
import { Tensor } from '../../src/ir/tensor.js';
import { IreetsError } from '../../src/util/errors.js';
import { CONFORMANCE_DIR, importCase, runCase } from './conformance-case.js';

async function importError(bytes: Uint8Array, path?: string): Promise<IreetsError> {
  try {
    await importModel(bytes, { path });
  } catch (e) {
    expect(e).toBeInstanceOf(IreetsError);
    return e as IreetsError;
  }
  throw new Error('import succeeded');
}

const castModel: OnnxModelSpec = {
  graph: {
    inputs: [{ name: 'x', dtype: 'f32', shape: ['N', 3, null] }],
    outputs: [{ name: 'y', dtype: 'i32' }],
    nodes: [{ op: 'Cast', inputs: ['x'], outputs: ['y'], attrs: { to: 6 } }],
  },
};

describe('importModel on conformance models', () => {
  const cases = [
    'test_shape', 'test_shape_start_1_end_negative_1', 'test_size', 'test_cast_FLOAT_to_DOUBLE',
    'test_cast_FLOAT16_to_FLOAT', 'test_cast_DOUBLE_to_FLOAT16', 'test_cast_STRING_to_FLOAT', 'test_cast_FLOAT_to_STRING',
    'test_castlike_FLOAT_to_DOUBLE_expanded', 'test_constant', 'test_constantofshape_float_ones',
    'test_constantofshape_int_zeros', 'test_constantofshape_int_shape_zero', 'test_dropout_default',
    'test_dropout_default_mask', 'test_dropout_default_mask_ratio', 'test_identity',
  ];
  for (const name of cases) it(name, async () => runCase(name));

  it('names inputs and outputs after the model and folds static Shape', async () => {
    const mod = await importCase('test_shape');
    expect(mod.inputNames).toEqual(['x']);
    expect(mod.outputNames).toEqual(['y']);
    expect(mod.graph.nodes.map((n) => n.op)).toEqual(['constant']);
    expect(mod.metadata['opsets']).toContain('ai.onnx:');
  });
});

describe('importModel errors', () => {
  it('refuses garbage and truncated bytes with MODEL_CORRUPT naming the file', async () => {
    const garbage = await importError(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]), 'bad.onnx');
    expect(garbage.code).toBe('MODEL_CORRUPT');
    expect(garbage.culprit).toBe('bad.onnx');
    const bytes = readFileSync(`${CONFORMANCE_DIR}/test_if/model.onnx`);
    const cut = await importError(bytes.subarray(0, bytes.length - 20), 'cut.onnx');
    expect(cut.code).toBe('MODEL_CORRUPT');
    expect((await importError(new Uint8Array(0))).code).toBe('MODEL_CORRUPT');
  });

  it('refuses an unsupported op, naming node, op and opset', async () => {
    const e = await importError(writeOnnxModel({
      opset: 13,
      graph: {
        inputs: [{ name: 'x', dtype: 'f32', shape: [2] }],
        outputs: [{ name: 'y', dtype: 'f32' }],
        nodes: [{ op: 'FancyOp', name: 'my_node', domain: 'com.example', inputs: ['x'], outputs: ['y'] }],
      },
      extraOpsets: [{ domain: 'com.example', version: 1 }],
    }));
    expect(e.code).toBe('MODEL_UNSUPPORTED_OP');
    expect(e.message).toContain('ONNX op FancyOp (domain com.example, opset 1) is not supported');
    expect(e.culprit).toContain('my_node');
  });

  it('refuses sequences as out of scope', async () => {
    const e = await importError(readFileSync(`${CONFORMANCE_DIR}/test_sequence_insert_at_back/model.onnx`));
    expect(e.code).toBe('MODEL_UNSUPPORTED_OP');
  });

  it('refuses an undefined input name and unknown IR versions', async () => {
    const undefinedInput = await importError(writeOnnxModel({
      graph: { inputs: [], outputs: [{ name: 'y' }], nodes: [{ op: 'Identity', inputs: ['ghost'], outputs: ['y'] }] },
    }));
    expect(undefinedInput.code).toBe('MODEL_INVALID');
    expect(undefinedInput.message).toContain('ghost');
    expect((await importError(writeOnnxModel({ ...castModel, irVersion: 99 }))).code).toBe('MODEL_UNSUPPORTED');
    expect((await importError(writeOnnxModel({ ...castModel, opset: 30 }))).code).toBe('MODEL_UNSUPPORTED');
  });
});

describe('importModel details', () => {
  it('turns dim_param into symbols and unknown dims into fresh symbols', async () => {
    const mod = await importModel(writeOnnxModel(castModel));
    const x = mod.graph.inputs[0]!;
    expect(x.type.shape![0]).toBe('N');
    expect(x.type.shape![1]).toBe(3);
    expect(typeof x.type.shape![2]).toBe('string');
    expect(mod.graph.outputs[0]!.type.dtype).toBe('i32');
    expect(mod.graph.outputs[0]!.name).toBe('y');
    const [y] = interpretModule(mod, [Tensor.fromNumbers('f32', [1, 3, 1], [1.7, -2.7, 3])]);
    expect(Array.from(y!.data as Int32Array)).toEqual([1, -2, 3]);
  });

  it('treats an input with an initializer as a constant (IR < 4)', async () => {
    const mod = await importModel(writeOnnxModel({
      irVersion: 3,
      opset: 8,
      graph: {
        inputs: [{ name: 'x', dtype: 'f32', shape: [2] }, { name: 'w', dtype: 'f32', shape: [2] }],
        outputs: [{ name: 'y', dtype: 'f32' }],
        initializers: [{ name: 'w', tensor: Tensor.fromNumbers('f32', [2], [1, 2]) }],
        nodes: [{ op: 'Identity', inputs: ['w'], outputs: ['y'] }],
      },
    }));
    expect(mod.inputNames).toEqual(['x']);
    expect(interpretModule(mod, [Tensor.fromNumbers('f32', [2], [0, 0])])[0]!.toNumbers()).toEqual([1, 2]);
  });

  it('imports every Constant attribute form', async () => {
    const forms: [Record<string, unknown>, string, number[] | string[]][] = [
      [{ value_float: { float: 2.5 } }, 'f32', [2.5]],
      [{ value_floats: { floats: [1, 2] } }, 'f32', [1, 2]],
      [{ value_int: 7 }, 'i64', [7]],
      [{ value_ints: [3, 4, 5] }, 'i64', [3, 4, 5]],
      [{ value_string: 'hi' }, 'string', ['hi']],
      [{ value_strings: ['a', 'b'] }, 'string', ['a', 'b']],
    ];
    for (const [attrs, dtype, values] of forms) {
      const mod = await importModel(writeOnnxModel({
        graph: { inputs: [], outputs: [{ name: 'c' }], nodes: [{ op: 'Constant', inputs: [], outputs: ['c'], attrs: attrs as never }] },
      }));
      const [c] = interpretModule(mod, []);
      expect(c!.dtype).toBe(dtype);
      expect(dtype === 'string' ? c!.data : c!.toNumbers()).toEqual(values);
    }
  });

  it('inlines model-local functions, resolving attribute references', async () => {
    const mod = await importModel(writeOnnxModel({
      extraOpsets: [{ domain: 'local', version: 1 }],
      functions: [{
        name: 'CastTwice', domain: 'local', inputs: ['a'], outputs: ['b'], attributes: ['to'],
        nodes: [
          { op: 'Cast', inputs: ['a'], outputs: ['t'], attrs: { to: { ref: 'to', type: 'int' } } },
          { op: 'Identity', inputs: ['t'], outputs: ['b'] },
        ],
      }],
      graph: {
        inputs: [{ name: 'x', dtype: 'f32', shape: [2] }],
        outputs: [{ name: 'y', dtype: 'i64' }],
        nodes: [{ op: 'CastTwice', domain: 'local', inputs: ['x'], outputs: ['y'], attrs: { to: 7 } }],
      },
    }));
    expect(mod.graph.nodes.map((n) => n.op)).toEqual(['cast']);
    expect(mod.graph.outputs[0]!.name).toBe('y');
    const [y] = interpretModule(mod, [Tensor.fromNumbers('f32', [2], [3.9, -1.5])]);
    expect(Array.from(y!.data as BigInt64Array)).toEqual([3n, -1n]);
  });

  it('Dropout in inference gives the input and an all-true mask', async () => {
    const mod = await importModel(writeOnnxModel({
      opset: 13,
      graph: {
        inputs: [{ name: 'x', dtype: 'f32', shape: ['N'] }],
        outputs: [{ name: 'y', dtype: 'f32' }, { name: 'm', dtype: 'bool' }],
        nodes: [{ op: 'Dropout', inputs: ['x'], outputs: ['y', 'm'] }],
      },
    }));
    const [y, m] = interpretModule(mod, [Tensor.fromNumbers('f32', [3], [1, 2, 3])]);
    expect(y!.toNumbers()).toEqual([1, 2, 3]);
    expect(m!.dtype).toBe('bool');
    expect(m!.toNumbers()).toEqual([1, 1, 1]);
  });
});

describe('ONNX writer round trip', () => {
  for (const name of ['test_if', 'test_loop11', 'test_scan9_sum', 'test_cast_FLOAT_to_FLOAT16']) {
    it(`re-encodes ${name} and imports the same module`, async () => {
      const bytes = readFileSync(`${CONFORMANCE_DIR}/${name}/model.onnx`);
      const again = encodeModelProto(decodeModel(bytes));
      const a = await importModel(bytes);
      const b = await importModel(again);
      expect(b.graph.nodes.map((n) => [n.op, n.outputs.map((v) => [v.name, v.type])]))
        .toEqual(a.graph.nodes.map((n) => [n.op, n.outputs.map((v) => [v.name, v.type])]));
      expect([...b.constants.keys()]).toEqual([...a.constants.keys()]);
    });
  }
});
