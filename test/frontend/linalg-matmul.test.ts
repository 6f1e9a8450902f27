import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/ir/tensor.js';
import { expectMatchesOrt } from '../support/ort-compare.js';
import { importCase, operand, runOurs } from '../support/one-node-model.js';
import { randomTensor } from '../support/random.js';

describe('MatMul importer vs onnxruntime', () => {
  const shapes: [number[], number[]][] = [
    [[3], [3]],
    [[3], [3, 4]],
    [[2, 3], [3]],
    [[2, 1, 3, 4], [5, 4, 2]],
    [[4, 2, 3], [3, 5]],
  ];
  for (const [a, b] of shapes) {
    it(`[${a}] x [${b}]`, async () => {
      await expectMatchesOrt({ op: 'MatMul', inputs: [operand('a', randomTensor(a, 1)), operand('b', randomTensor(b, 2))], outputs: ['y'] });
    });
  }

  it('int32 and int64', async () => {
    await expectMatchesOrt({ op: 'MatMul', inputs: [operand('a', randomTensor([2, 3], 3, 100, 'i32')), operand('b', randomTensor([3, 2], 4, 100, 'i32'))], outputs: ['y'] });
    await expectMatchesOrt({ op: 'MatMul', inputs: [operand('a', randomTensor([2, 3], 5, 1000, 'i64')), operand('b', randomTensor([3, 2], 6, 1000, 'i64'))], outputs: ['y'] });
  });

  it('int64 stays exact beyond 2^53', async () => {
    const a = Tensor.fromBigInts('i64', [1, 2], [2n ** 40n + 1n, 3n]);
    const b = Tensor.fromBigInts('i64', [2, 1], [2n ** 20n + 1n, 5n]);
    const [y] = await runOurs({ op: 'MatMul', inputs: [operand('a', a), operand('b', b)], outputs: ['y'] });
    expect(y!.getBigInt(0)).toBe((2n ** 40n + 1n) * (2n ** 20n + 1n) + 15n);
  });
});

describe('Gemm importer vs onnxruntime', () => {
  const cases: [string, Record<string, number>, number[] | null][] = [
    ['defaults, no C', {}, null],
    ['transA transB alpha beta, row C', { transA: 1, transB: 1, alpha: 0.25, beta: 0.35 }, [1, 5]],
    ['scalar C', { beta: 2.5 }, []],
    ['matrix C, beta 0', { beta: 0 }, [3, 5]],
  ];
  for (const [name, attrs, cShape] of cases) {
    it(name, async () => {
      const a = attrs['transA'] ? [4, 3] : [3, 4];
      const b = attrs['transB'] ? [5, 4] : [4, 5];
      const inputs = [operand('a', randomTensor(a, 1)), operand('b', randomTensor(b, 2), { constant: true })];
      if (cShape) inputs.push(operand('c', randomTensor(cShape, 3)));
      const floats = Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, k.startsWith('trans') ? v : { float: v }]));
      await expectMatchesOrt({ op: 'Gemm', inputs, outputs: ['y'], attrs: floats });
    });
  }

  it('decomposes into transpose/matmul/mul/add, folding the transpose of a constant B', async () => {
    const mod = await importCase({
      op: 'Gemm',
      inputs: [operand('a', randomTensor([3, 4], 1)), operand('b', randomTensor([5, 4], 2), { constant: true }), operand('c', randomTensor([5], 3))],
      outputs: ['y'],
      attrs: { transB: 1, alpha: { float: 2 } },
    });
    const ops = mod.graph.nodes.map((n) => n.op).filter((o) => o !== 'constant');
    expect(ops).toEqual(['matmul', 'mul', 'add']);
  });
});

describe('integer and quantized matmul', () => {
  it('MatMulInteger with per-row and per-column zero points (onnxruntime allows neither)', async () => {
    const a = Tensor.fromNumbers('u8', [2, 2], [10, 20, 30, 40]);
    const b = Tensor.fromNumbers('u8', [2, 2], [1, 2, 3, 4]);
    const [y] = await runOurs({
      op: 'MatMulInteger',
      opset: 10,
      inputs: [operand('a', a), operand('b', b), operand('az', Tensor.fromNumbers('u8', [2], [10, 0])), operand('bz', Tensor.fromNumbers('u8', [2], [1, 200]))],
      outputs: ['y'],
    });
    // (a - [[10],[0]]) @ (b - [1, 200]) = [[0,10],[30,40]] @ [[0,-198],[2,-196]]
    expect(y!.dtype).toBe('i32');
    expect(y!.toNumbers()).toEqual([20, -1960, 80, -13780]);
  });

  it('MatMulInteger with scalar zero points', async () => {
    await expectMatchesOrt({
      op: 'MatMulInteger',
      opset: 10,
      inputs: [
        operand('a', randomTensor([4, 3], 1, 0, 'u8')),
        operand('b', randomTensor([3, 2], 2, 0, 'u8')),
        operand('az', Tensor.fromNumbers('u8', [1], [12])),
        operand('bz', Tensor.scalar('u8', 200)),
      ],
      outputs: ['y'],
    });
  });

  it('MatMulInteger i8 x i8, batched', async () => {
    await expectMatchesOrt({
      op: 'MatMulInteger',
      opset: 10,
      inputs: [operand('a', randomTensor([2, 3, 4], 3, 0, 'u8')), operand('b', randomTensor([4, 5], 4, 0, 'i8')), operand('az', Tensor.scalar('u8', 9)), null],
      outputs: ['y'],
    });
  });

  it('QLinearMatMul u8 and i8', async () => {
    for (const dt of ['u8', 'i8'] as const) {
      await expectMatchesOrt({
        op: 'QLinearMatMul',
        opset: 10,
        inputs: [
          operand('a', randomTensor([2, 3, 4], 5, 0, dt)),
          operand('as', Tensor.scalar('f32', 0.03)),
          operand('az', Tensor.scalar(dt, dt === 'u8' ? 113 : -3)),
          operand('b', randomTensor([4, 3], 6, 0, dt)),
          operand('bs', Tensor.scalar('f32', 0.011)),
          operand('bz', Tensor.scalar(dt, dt === 'u8' ? 98 : 5)),
          operand('ys', Tensor.scalar('f32', 0.07)),
          operand('yz', Tensor.scalar(dt, dt === 'u8' ? 130 : 1)),
        ],
        outputs: ['y'],
      });
    }
  });
});

describe('Einsum and Det importers vs onnxruntime', () => {
  const cases: [string, number[][]][] = [
    ['bij,bjk->bik', [[2, 3, 4], [2, 4, 5]]],
    ['ij->ji', [[3, 4]]],
    ['ii->i', [[4, 4]]],
    ['ii', [[4, 4]]],
    ['i,j->ij', [[3], [4]]],
    ['...ij,...jk', [[2, 3, 4], [2, 4, 2]]],
    ['bn,anm,bm->ba', [[2, 3], [4, 3, 5], [2, 5]]],
    ['ij,ij->', [[3, 4], [3, 4]]],
  ];
  for (const [eq, shapes] of cases) {
    it(eq, async () => {
      await expectMatchesOrt({
        op: 'Einsum',
        opset: 12,
        inputs: shapes.map((s, i) => operand(`x${i}`, randomTensor(s, i + 1))),
        outputs: ['y'],
        attrs: { equation: eq },
      });
    });
  }

  it('broadcasts ellipsis dims of different ranks, as NumPy does', async () => {
    const x = Tensor.fromNumbers('f32', [2, 1, 2], [1, 2, 3, 4]);
    const y = Tensor.fromNumbers('f32', [2, 1], [10, 100]);
    const [z] = await runOurs({ op: 'Einsum', opset: 12, inputs: [operand('x', x), operand('y', y)], outputs: ['z'], attrs: { equation: '...ij,jk->...ik' } });
    expect(z!.shape).toEqual([2, 1, 1]);
    expect(z!.toNumbers()).toEqual([210, 430]);
  });

  it('Det of a batch of matrices', async () => {
    await expectMatchesOrt({ op: 'Det', opset: 11, inputs: [operand('x', randomTensor([2, 3, 4, 4], 9))], outputs: ['y'] }, { rtol: 1e-4, atol: 1e-4 });
  });
});
