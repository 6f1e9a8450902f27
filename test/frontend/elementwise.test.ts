import { describe, it, expect } from 'vitest';
import { importModel } from '../../src/frontend/import-model.js';
import type { OnnxAttrValue } from '../../src/frontend/onnx-writer.js';
import { walkNodes } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import type { DType } from '../../src/ir/dtype.js';
import { oneNodeModel, runOurs, type OneNodeCase } from '../support/one-node-model.js';
import { expectMatchesOrt as expectOneNodeMatchesOrt, type Tolerance } from '../support/ort-compare.js';

// Single-node ONNX models, run by onnxruntime-node and by ireets (importer + reference
// interpreter), compared element by element.

interface Case {
  op: string;
  inputs: (Tensor | null)[];
  /** Output dtypes (one per ONNX output). */
  outputs: DType[];
  attrs?: Record<string, OnnxAttrValue>;
  opset?: number;
}

/** The node on inputs x0, x1… (null: an omitted input), with outputs y0, y1… declared as `c.outputs`. */
function oneNode(c: Case): OneNodeCase {
  return {
    op: c.op,
    opset: c.opset,
    attrs: c.attrs,
    inputs: c.inputs.map((t, i) => (t ? { name: `x${i}`, value: t } : null)),
    outputs: c.outputs.map((dtype, i) => ({ name: `y${i}`, dtype })),
  };
}

async function expectMatchesOrt(c: Case, tol: Tolerance = { rtol: 1e-5, atol: 1e-6 }): Promise<void> {
  await expectOneNodeMatchesOrt(oneNode(c), tol);
}

// Deterministic pseudo-random data.
let seed = 12345;
function rand(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
}
function randf(shape: number[], lo = -3, hi = 3, dtype: DType = 'f32'): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor.fromNumbers(dtype, shape, Array.from({ length: n }, () => lo + (hi - lo) * rand()));
}
function randi(shape: number[], lo: number, hi: number, dtype: DType): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor.fromNumbers(dtype, shape, Array.from({ length: n }, () => Math.floor(lo + (hi - lo + 1) * rand())));
}
const f32 = (shape: number[], v: number[]) => Tensor.fromNumbers('f32', shape, v);
const scalarF = (v: number) => Tensor.scalar('f32', v);

describe('elementwise importers against onnxruntime', () => {
  it('unary math', async () => {
    const domains: Record<string, [number, number]> = {
      Acos: [-1, 1], Asin: [-1, 1], Atanh: [-0.99, 0.99], Acosh: [1, 5], Log: [0.01, 5], Sqrt: [0, 5],
      Reciprocal: [0.1, 4], Tan: [-1.5, 1.5],
    };
    for (const op of ['Abs', 'Acos', 'Acosh', 'Asin', 'Asinh', 'Atan', 'Atanh', 'Ceil', 'Cos', 'Cosh', 'Erf', 'Exp',
      'Floor', 'Log', 'Neg', 'Reciprocal', 'Sigmoid', 'Sign', 'Sin', 'Sinh', 'Sqrt', 'Tan', 'Tanh']) {
      const [lo, hi] = domains[op] ?? [-3, 3];
      await expectMatchesOrt({ op, inputs: [randf([3, 5], lo, hi)], outputs: ['f32'] });
    }
    await expectMatchesOrt({ op: 'Round', inputs: [f32([8], [0.5, 1.5, 2.5, -0.5, -1.5, 2.4, -2.6, 7])], outputs: ['f32'] });
    await expectMatchesOrt({ op: 'Abs', inputs: [randi([6], -100, 100, 'i64')], outputs: ['i64'] });
    await expectMatchesOrt({ op: 'Sign', inputs: [randi([6], -3, 3, 'i32')], outputs: ['i32'] });
    await expectMatchesOrt({ op: 'Neg', inputs: [randi([6], -100, 100, 'i8')], outputs: ['i8'] });
  });

  it('activations', async () => {
    const x = () => randf([2, 3, 4], -4, 4);
    const cases: [string, Record<string, OnnxAttrValue>?, number?][] = [
      ['Relu'], ['Elu'], ['Elu', { alpha: { float: 0.5 } }], ['LeakyRelu'], ['LeakyRelu', { alpha: { float: 0.3 } }],
      ['Selu'], ['Selu', { alpha: { float: 2 }, gamma: { float: 3 } }], ['Celu', { alpha: { float: 2 } }],
      ['HardSigmoid'], ['HardSigmoid', { alpha: { float: 0.5 }, beta: { float: 0.6 } }], ['HardSwish'],
      ['Softplus'], ['Softsign'], ['ThresholdedRelu'], ['ThresholdedRelu', { alpha: { float: 2 } }],
      ['Shrink'], ['Shrink', { bias: { float: 1.5 }, lambd: { float: 1 } }], ['Mish', {}, 18],
      ['Gelu', {}, 20], ['Gelu', { approximate: 'tanh' }, 20],
    ];
    for (const [op, attrs, opset] of cases) {
      await expectMatchesOrt({ op, inputs: [x()], outputs: ['f32'], attrs, opset }, { rtol: 1e-5, atol: 2e-6 });
    }
    await expectMatchesOrt({ op: 'Softplus', inputs: [f32([4], [-100, 100, 0, 30])], outputs: ['f32'] });
    await expectMatchesOrt({ op: 'Relu', inputs: [randi([5], -5, 5, 'i32')], outputs: ['i32'], opset: 14 });
    await expectMatchesOrt({ op: 'PRelu', inputs: [randf([2, 3, 4]), randf([3, 1])], outputs: ['f32'] });
  });

  it('binary arithmetic with broadcasting', async () => {
    for (const op of ['Add', 'Sub', 'Mul', 'Div']) {
      await expectMatchesOrt({ op, inputs: [randf([2, 3, 4]), randf([3, 1], 0.5, 2)], outputs: ['f32'] });
      await expectMatchesOrt({ op, inputs: [randi([2, 3], -50, 50, 'i32'), randi([3], 1, 9, 'i32')], outputs: ['i32'] });
      await expectMatchesOrt({ op, inputs: [randi([4, 1], -1e6, 1e6, 'i64'), randi([1, 3], 1, 99, 'i64')], outputs: ['i64'] });
      await expectMatchesOrt({ op, inputs: [randi([6], 0, 255, 'u8'), randi([6], 1, 255, 'u8')], outputs: ['u8'] });
    }
    await expectMatchesOrt({ op: 'Pow', inputs: [randf([3, 4], 0.1, 3), randf([4], -2, 2)], outputs: ['f32'] });
    await expectMatchesOrt({ op: 'Pow', inputs: [randi([5], -4, 4, 'i64'), randi([5], 0, 5, 'i64')], outputs: ['i64'] });
    await expectMatchesOrt({ op: 'Pow', inputs: [randf([5], 0.1, 3), randi([5], -2, 3, 'i32')], outputs: ['f32'] });
  });

  it('Mod in both modes', async () => {
    for (const dtype of ['i32', 'i64', 'i8'] as const) {
      const a = randi([3, 4], -20, 20, dtype);
      const b = Tensor.fromNumbers(dtype, [4], [3, -3, 7, -5]);
      await expectMatchesOrt({ op: 'Mod', inputs: [a, b], outputs: [dtype] });
      await expectMatchesOrt({ op: 'Mod', inputs: [a, b], outputs: [dtype], attrs: { fmod: 1 } });
    }
    await expectMatchesOrt({ op: 'Mod', inputs: [randf([6], -9, 9), f32([6], [2, -2, 3.5, -3.5, 1, 4])], outputs: ['f32'], attrs: { fmod: 1 } });
  });

  it('variadic Sum / Mean / Max / Min', async () => {
    const ins = () => [randf([2, 3]), randf([3]), randf([2, 1])];
    for (const op of ['Sum', 'Mean', 'Max', 'Min']) {
      await expectMatchesOrt({ op, inputs: ins(), outputs: ['f32'] });
      await expectMatchesOrt({ op, inputs: [randf([4])], outputs: ['f32'] });
    }
    await expectMatchesOrt({ op: 'Max', inputs: [randi([4], -9, 9, 'i64'), randi([4], -9, 9, 'i64')], outputs: ['i64'], opset: 13 });
    await expectMatchesOrt({ op: 'Min', inputs: [randi([4], 0, 255, 'u8'), randi([4], 0, 255, 'u8')], outputs: ['u8'], opset: 13 });
  });

  it('comparisons, logic, IsInf / IsNaN, Where', async () => {
    const a = randi([3, 4], -2, 2, 'f32');
    const b = randi([4], -2, 2, 'f32');
    for (const op of ['Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual']) {
      await expectMatchesOrt({ op, inputs: [a, b], outputs: ['bool'] });
      await expectMatchesOrt({ op, inputs: [randi([5], -2, 2, 'i64'), randi([5], -2, 2, 'i64')], outputs: ['bool'] });
    }
    const p = randi([2, 3], 0, 1, 'bool');
    const q = randi([3], 0, 1, 'bool');
    for (const op of ['And', 'Or', 'Xor']) await expectMatchesOrt({ op, inputs: [p, q], outputs: ['bool'] });
    await expectMatchesOrt({ op: 'Not', inputs: [p], outputs: ['bool'] });
    const special = f32([5], [Infinity, -Infinity, NaN, 0, -1]);
    await expectMatchesOrt({ op: 'IsNaN', inputs: [special], outputs: ['bool'] });
    await expectMatchesOrt({ op: 'IsInf', inputs: [special], outputs: ['bool'] });
    await expectMatchesOrt({ op: 'IsInf', inputs: [special], outputs: ['bool'], attrs: { detect_negative: 0 } });
    await expectMatchesOrt({ op: 'Where', inputs: [randi([2, 1], 0, 1, 'bool'), randf([3]), randf([2, 3])], outputs: ['f32'] });
    await expectMatchesOrt({ op: 'Where', inputs: [randi([4], 0, 1, 'bool'), randi([4], -9, 9, 'i64'), randi([1], 0, 9, 'i64')], outputs: ['i64'] });
  });

  it('bit shifts and bitwise ops', async () => {
    for (const dtype of ['u8', 'u32', 'u64'] as const) {
      const x = randi([6], 0, 255, dtype);
      const s = randi([6], 0, 7, dtype);
      await expectMatchesOrt({ op: 'BitShift', inputs: [x, s], outputs: [dtype], attrs: { direction: 'LEFT' } });
      await expectMatchesOrt({ op: 'BitShift', inputs: [x, s], outputs: [dtype], attrs: { direction: 'RIGHT' } });
    }
    for (const op of ['BitwiseAnd', 'BitwiseOr', 'BitwiseXor']) {
      await expectMatchesOrt({ op, inputs: [randi([2, 3], -99, 99, 'i32'), randi([3], -99, 99, 'i32')], outputs: ['i32'], opset: 18 });
    }
    await expectMatchesOrt({ op: 'BitwiseNot', inputs: [randi([5], 0, 255, 'u8')], outputs: ['u8'], opset: 18 });
  });

  it('Clip: attributes before opset 11, optional inputs after', async () => {
    const x = randf([3, 4]);
    await expectMatchesOrt({ op: 'Clip', inputs: [x], outputs: ['f32'], attrs: { min: { float: -1 }, max: { float: 0.5 } }, opset: 6 });
    await expectMatchesOrt({ op: 'Clip', inputs: [x], outputs: ['f32'], attrs: { max: { float: 0.5 } }, opset: 6 });
    await expectMatchesOrt({ op: 'Clip', inputs: [x, scalarF(-1), scalarF(1)], outputs: ['f32'], opset: 13 });
    await expectMatchesOrt({ op: 'Clip', inputs: [x, null, scalarF(1)], outputs: ['f32'], opset: 13 });
    await expectMatchesOrt({ op: 'Clip', inputs: [x], outputs: ['f32'], opset: 13 });
    const xi = randi([6], -100, 100, 'i8');
    await expectMatchesOrt({ op: 'Clip', inputs: [xi, Tensor.scalar('i8', -10), Tensor.scalar('i8', 20)], outputs: ['i8'], opset: 13 });
  });

  it('QuantizeLinear / DequantizeLinear, per tensor and per axis', async () => {
    const x = randf([2, 3, 4], -300, 300);
    await expectMatchesOrt({ op: 'QuantizeLinear', inputs: [x, scalarF(2)], outputs: ['u8'], opset: 13 });
    await expectMatchesOrt({
      op: 'QuantizeLinear', inputs: [x, scalarF(1.5), Tensor.scalar('i8', -3)], outputs: ['i8'], opset: 13,
    });
    await expectMatchesOrt({
      op: 'QuantizeLinear', inputs: [x, f32([3], [1, 2, 4]), Tensor.fromNumbers('u8', [3], [0, 128, 255])],
      outputs: ['u8'], opset: 13,
    });
    await expectMatchesOrt({
      op: 'QuantizeLinear', inputs: [x, f32([4], [1, 2, 4, 0.5]), Tensor.fromNumbers('i8', [4], [0, 1, -1, 5])],
      outputs: ['i8'], attrs: { axis: -1 }, opset: 13,
    });
    // Ties round to even.
    await expectMatchesOrt({ op: 'QuantizeLinear', inputs: [f32([4], [0.5, 1.5, 2.5, -0.5]), scalarF(1), Tensor.scalar('i8', 0)], outputs: ['i8'], opset: 13 });
    const q = randi([2, 3, 4], -128, 127, 'i8');
    await expectMatchesOrt({ op: 'DequantizeLinear', inputs: [q, scalarF(0.25), Tensor.scalar('i8', 3)], outputs: ['f32'], opset: 13 });
    await expectMatchesOrt({
      op: 'DequantizeLinear', inputs: [q, f32([3], [1, 0.5, 2]), Tensor.fromNumbers('i8', [3], [0, -4, 9])], outputs: ['f32'], opset: 13,
    });
    await expectMatchesOrt({ op: 'DequantizeLinear', inputs: [randi([5], 0, 255, 'u8'), scalarF(0.1)], outputs: ['f32'], opset: 10 });
    await expectMatchesOrt({ op: 'DequantizeLinear', inputs: [randi([5], -1000, 1000, 'i32'), scalarF(0.1)], outputs: ['f32'], opset: 13 });
  });

  it('DynamicQuantizeLinear', async () => {
    for (const [lo, hi] of [[-3, 5], [1, 4], [-6, -2]] as const) {
      await expectMatchesOrt({ op: 'DynamicQuantizeLinear', inputs: [randf([3, 7], lo, hi)], outputs: ['u8', 'f32', 'u8'], opset: 11 });
    }
  });
});

describe('elementwise importers: IR shape', () => {
  it('decompose activations into elementwise IR ops only', async () => {
    for (const op of ['Relu', 'Elu', 'Selu', 'Celu', 'HardSwish', 'Softplus', 'Shrink', 'LeakyRelu']) {
      const mod = await importModel(oneNodeModel(oneNode({ op, inputs: [randf([2, 2])], outputs: ['f32'] })));
      const ops = [...walkNodes(mod.graph)].map((n) => n.op);
      expect(ops.every((o) => o === 'constant' || ['max', 'min', 'mul', 'add', 'sub', 'div', 'exp', 'log', 'abs', 'neg',
        'less', 'greater', 'select'].includes(o)), `${op}: ${ops.join(',')}`).toBe(true);
    }
    const relu = await importModel(oneNodeModel(oneNode({ op: 'Relu', inputs: [randf([2, 2])], outputs: ['f32'] })));
    expect([...walkNodes(relu.graph)].filter((n) => n.op !== 'constant').map((n) => n.op)).toEqual(['max']);
  });

  it('canonicalises BitShift direction and Mod fmod as attributes', async () => {
    const shift = await importModel(oneNodeModel(oneNode({
      op: 'BitShift', inputs: [randi([2], 0, 9, 'u8'), randi([2], 0, 3, 'u8')], outputs: ['u8'], attrs: { direction: 'LEFT' },
    })));
    expect([...walkNodes(shift.graph)].find((n) => n.op === 'bit_shift')?.attrs).toEqual({ direction: 'left' });
  });

  it('computes f16 activations', async () => {
    const x = Tensor.fromNumbers('f16', [4], [-2, -0.5, 0.5, 2]);
    const [y] = await runOurs(oneNode({ op: 'LeakyRelu', inputs: [x], outputs: ['f16'], attrs: { alpha: { float: 0.5 } } }));
    expect(y!.dtype).toBe('f16');
    expect(y!.toNumbers()).toEqual([-1, -0.25, 0.5, 2]);
  });
});
