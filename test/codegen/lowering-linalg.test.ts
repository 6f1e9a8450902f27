// The linalg lowering rules (matmul, conv, conv_transpose, pooling, max_unpool) on cases the ONNX
// conformance suite does not cover: every matmul dtype (with wrapping integer products), 1-D and
// broadcast matmul operands, grouped/dilated/strided/asymmetrically padded convs in 1-D..3-D,
// transposed convs with output_shape and SAME padding, pooling edge cases (ceil_mode, dilations,
// storage_order, NaN, small ints), lp_pool, and fusion of producers into the loops. Each module
// runs through the CPU code generator (direct runner) and is compared with the reference
// interpreter.
import { describe, expect, it } from 'vitest';
import type { GraphBuilder } from '../../src/ir/builder.js';
import type { DType } from '../../src/ir/dtype.js';
import type { Value } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { buildModule, expectAgreesWithReference, singleOp, useCpuDevice, type GraphOperand } from '../support/lowering-harness.js';
import { randomOperand } from '../support/random.js';

const device = useCpuDevice();

/** Deterministic pseudo-random tensor; integers span `range` (large ones exercise wrapping). */
const random = (dtype: DType, shape: readonly number[], seed: number, range = 10): Tensor =>
  randomOperand(dtype, shape, seed, { range, wide64: true });

/** Builds a module of `body` over `operands` and checks it against the reference interpreter. */
function check(body: (g: GraphBuilder, vals: Value[]) => Value[], operands: readonly GraphOperand[]): Promise<Tensor[]> {
  return expectAgreesWithReference(buildModule(operands, body), device());
}

describe('matmul lowering', () => {
  const dtypes: DType[] = ['f32', 'f64', 'f16', 'bf16', 'i8', 'i16', 'i32', 'i64', 'u8', 'u16', 'u32', 'u64'];
  for (const dt of dtypes) {
    it(`multiplies ${dt} matrices like the reference (batch broadcast)`, async () => {
      // Wide integer ranges make 32-bit products wrap (and 64-bit ones overflow) as in C.
      const range = dt === 'i32' || dt === 'u32' ? 1 << 20 : dt === 'i64' || dt === 'u64' ? 2 ** 31 : 10;
      await check(singleOp('matmul'), [{ tensor: random(dt, [2, 1, 3, 5], 1, range) }, { tensor: random(dt, [4, 5, 6], 2, range) }]);
    });
  }

  it('handles 1-D operands on either side and both', async () => {
    await check(singleOp('matmul'), [{ tensor: random('f32', [7], 3) }, { tensor: random('f32', [2, 7, 4], 4) }]);
    await check(singleOp('matmul'), [{ tensor: random('f32', [3, 2, 7], 5) }, { tensor: random('f32', [7], 6) }]);
    await check(singleOp('matmul'), [{ tensor: random('i64', [9], 7, 2 ** 40) }, { tensor: random('i64', [9], 8, 2 ** 40) }]);
  });

  it('reads constant weights and fuses a transposed operand and an epilogue', async () => {
    await check((g, [x, w, b]) => {
      const y = g.op1('matmul', [x!, g.op1('transpose', [w!], { perm: [1, 0] })]);
      return [g.op1('add', [y, b!])];
    }, [{ tensor: random('f32', [3, 8], 9) }, { tensor: random('f32', [5, 8], 10), constant: true }, { tensor: random('f32', [5], 11), constant: true }]);
  });

  it('handles a zero-length inner dim', async () => {
    const got = await check(singleOp('matmul'), [{ tensor: Tensor.zeros('f32', [2, 0]) }, { tensor: Tensor.zeros('f32', [0, 3]) }]);
    expect(Array.from(got[0]!.data as Float32Array)).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('conv lowering', () => {
  it('convolves 1-D with stride, dilation, asymmetric pads and bias', async () => {
    await check(singleOp('conv', { strides: [2], dilations: [2], pads: [3, 1] }),
      [{ tensor: random('f32', [2, 3, 11], 1) }, { tensor: random('f32', [4, 3, 3], 2) }, { tensor: random('f32', [4], 3) }]);
  });

  it('convolves 2-D in groups (depthwise too) with SAME_LOWER and SAME_UPPER padding', async () => {
    await check(singleOp('conv', { group: 2, auto_pad: 'SAME_LOWER', strides: [2, 1], kernel_shape: [2, 3] }),
      [{ tensor: random('f32', [1, 4, 7, 6], 4) }, { tensor: random('f32', [6, 2, 2, 3], 5) }]);
    await check(singleOp('conv', { group: 3, auto_pad: 'SAME_UPPER', dilations: [2, 2] }),
      [{ tensor: random('f32', [2, 3, 6, 5], 6) }, { tensor: random('f32', [3, 1, 3, 3], 7) }, { tensor: random('f32', [3], 8) }]);
  });

  it('convolves 3-D, f64, f16 and i32, with pads larger than the dilated kernel reach', async () => {
    await check(singleOp('conv', { pads: [1, 0, 2, 1, 2, 0], strides: [1, 2, 1] }),
      [{ tensor: random('f32', [1, 2, 4, 5, 3], 9) }, { tensor: random('f32', [3, 2, 2, 2, 2], 10) }]);
    await check(singleOp('conv', { pads: [1, 1, 1, 1] }), [{ tensor: random('f64', [1, 2, 4, 4], 11) }, { tensor: random('f64', [2, 2, 3, 3], 12) }]);
    await check(singleOp('conv', { pads: [1, 1, 1, 1] }), [{ tensor: random('f16', [1, 2, 4, 4], 13) }, { tensor: random('f16', [2, 2, 3, 3], 14) }]);
    await check(singleOp('conv', { pads: [0, 2, 0, 2], dilations: [1, 2], group: 2 }),
      [{ tensor: random('i32', [2, 4, 3, 5], 15, 1000) }, { tensor: random('i32', [2, 2, 2, 2], 16, 1000) }, { tensor: random('i32', [2], 17) }]);
    // Pad 3 with a 2-tap kernel: some windows lie wholly in the padding.
    await check(singleOp('conv', { pads: [3, 3] }), [{ tensor: random('f32', [1, 1, 3], 18) }, { tensor: random('f32', [1, 1, 2], 19) }]);
  });

  it('fuses an elementwise epilogue and reads constant (inlined) weights', async () => {
    await check((g, [x, w, b]) => [g.op1('max', [g.op1('conv', [x!, w!, b!], { pads: [1, 1, 1, 1] }), g.constant(Tensor.scalar('f32', 0))])],
      [{ tensor: random('f32', [1, 2, 5, 5], 20) }, { tensor: random('f32', [2, 2, 2, 2], 21), constant: true }, { tensor: random('f32', [2], 22), constant: true }]);
  });
});

describe('conv_transpose lowering', () => {
  it('handles strides, dilations, pads, output_padding and groups', async () => {
    await check(singleOp('conv_transpose', { strides: [3, 2], dilations: [1, 2], pads: [1, 2, 0, 1], output_padding: [2, 1] }),
      [{ tensor: random('f32', [2, 2, 3, 4], 1) }, { tensor: random('f32', [2, 3, 3, 2], 2) }, { tensor: random('f32', [3], 3) }]);
    await check(singleOp('conv_transpose', { group: 2, strides: [2] }),
      [{ tensor: random('f32', [1, 4, 5], 4) }, { tensor: random('f32', [4, 3, 3], 5) }]);
  });

  it('honours output_shape (larger than natural) and SAME padding, in 1-D and 3-D', async () => {
    await check(singleOp('conv_transpose', { strides: [2], output_shape: [14] }),
      [{ tensor: random('f32', [1, 2, 5], 6) }, { tensor: random('f32', [2, 1, 3], 7) }]);
    await check(singleOp('conv_transpose', { strides: [2, 1, 2], auto_pad: 'SAME_LOWER' }),
      [{ tensor: random('f64', [1, 1, 3, 2, 3], 8) }, { tensor: random('f64', [1, 2, 3, 2, 2], 9) }]);
    await check(singleOp('conv_transpose', { strides: [2, 2], auto_pad: 'SAME_UPPER' }),
      [{ tensor: random('i32', [1, 2, 3, 3], 10) }, { tensor: random('i32', [2, 2, 3, 3], 11) }]);
  });
});

describe('pooling lowering', () => {
  it('max-pools with indices, ceil_mode, dilations and both storage orders', async () => {
    for (const storage_order of [0, 1]) {
      await check(singleOp('max_pool', { kernel_shape: [3, 2], strides: [2, 2], dilations: [1, 2], pads: [1, 0, 1, 1], ceil_mode: 1, storage_order, with_indices: true }),
        [{ tensor: random('f32', [2, 3, 7, 8], 1) }]);
    }
    await check(singleOp('max_pool', { kernel_shape: [2, 2, 2], strides: [2, 1, 2], pads: [1, 1, 0, 0, 1, 1], with_indices: true }),
      [{ tensor: random('f64', [1, 2, 3, 4, 5], 2) }]);
  });

  it('max-pools small and wide integers and f16', async () => {
    for (const dt of ['u8', 'i8', 'i32', 'i64', 'f16'] as DType[]) {
      await check(singleOp('max_pool', { kernel_shape: [3], pads: [1, 1], with_indices: dt === 'u8' }), [{ tensor: random(dt, [1, 2, 9], 3, 200) }]);
    }
  });

  it('keeps the first maximum and a leading NaN like the reference', async () => {
    const x = Tensor.fromNumbers('f32', [1, 1, 8], [NaN, 1, 2, 2, 5, NaN, 5, -1]);
    const [y, i] = await check(singleOp('max_pool', { kernel_shape: [2], strides: [2], with_indices: true }), [{ tensor: x }]);
    expect(Array.from(y!.data as Float32Array)).toEqual([NaN, 2, 5, 5]);
    expect(Array.from(i!.data as BigInt64Array)).toEqual([0n, 2n, 4n, 6n]);
  });

  it('average-pools with and without padding counted, under ceil_mode', async () => {
    for (const count_include_pad of [0, 1]) {
      await check(singleOp('avg_pool', { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 2, 1, 0], ceil_mode: 1, count_include_pad }),
        [{ tensor: random('f32', [1, 2, 6, 7], 4) }]);
      await check(singleOp('avg_pool', { kernel_shape: [2, 2, 2], pads: [1, 1, 1, 1, 1, 1], strides: [2, 2, 2], count_include_pad }),
        [{ tensor: random('f16', [1, 1, 3, 4, 3], 5) }]);
    }
  });

  it('lp-pools with p = 1, 2 and 3', async () => {
    for (const p of [1, 2, 3]) {
      await check(singleOp('lp_pool', { kernel_shape: [2, 3], strides: [1, 2], pads: [0, 1, 1, 1], p }), [{ tensor: random('f32', [1, 2, 5, 6], 6 + p) }]);
    }
  });

  it('fuses an elementwise producer into the window loop', async () => {
    await check((g, [x]) => [g.op1('avg_pool', [g.op1('mul', [x!, x!])], { kernel_shape: [2, 2], pads: [1, 1, 1, 1] })],
      [{ tensor: random('f32', [1, 2, 4, 4], 9) }]);
  });

  it('unpools to the default and to an explicit larger output shape', async () => {
    const build = (withShape: boolean) => (g: GraphBuilder, [x]: Value[]): Value[] => {
      const [y, i] = g.op('max_pool', [x!], { kernel_shape: [2, 2], strides: [2, 2], with_indices: true });
      const shape = g.constant(Tensor.fromBigInts('i64', [4], [1n, 2n, 5n, 7n]));
      return [g.op1('max_unpool', withShape ? [y!, i!, shape] : [y!, i!], { kernel_shape: [2, 2], strides: [2, 2] })];
    };
    await check(build(false), [{ tensor: random('f32', [1, 2, 4, 6], 10) }]);
    await check(build(true), [{ tensor: random('f32', [1, 2, 4, 6], 11) }]);
  });
});
