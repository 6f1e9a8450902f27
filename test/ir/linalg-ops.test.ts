import { describe, expect, it } from 'vitest';
import type { Attrs } from '../../src/ir/graph.js';
import '../../src/ir/ops/index.js';
import { parseEinsum, resolveTransposeWindow, resolveWindow, transposeWindowAttrs, windowAttrs } from '../../src/ir/ops/linalg.js';
import { getOpDef } from '../../src/ir/ops/registry.js';
import type { Shape, TensorType } from '../../src/ir/types.js';

function infer(op: string, inputs: (TensorType | null)[], attrs: Attrs = {}): TensorType[] {
  return getOpDef(op)!.infer({ inputs, attrs, consts: inputs.map(() => undefined), regions: [] });
}
const f32 = (shape: Shape | null): TensorType => ({ dtype: 'f32', shape });

describe('matmul inference', () => {
  it('follows NumPy: 1-D promotion, batch broadcasting, symbolic dims', () => {
    expect(infer('matmul', [f32([3]), f32([3])])[0]!.shape).toEqual([]);
    expect(infer('matmul', [f32([3]), f32([2, 3, 4])])[0]!.shape).toEqual([2, 4]);
    expect(infer('matmul', [f32([2, 1, 5, 3]), f32([7, 3, 4])])[0]!.shape).toEqual([2, 7, 5, 4]);
    expect(infer('matmul', [f32(['n', 5, 3]), f32([3, 'm'])])[0]!.shape).toEqual(['n', 5, 'm']);
    expect(infer('matmul', [f32(null), f32([3, 4])])[0]!.shape).toBeNull();
  });

  it('rejects mismatched inner dims and dtypes', () => {
    expect(() => infer('matmul', [f32([2, 3]), f32([4, 2])])).toThrow(/inner dims/);
    expect(() => infer('matmul', [f32([2, 3]), { dtype: 'f64', shape: [3, 2] }])).toThrow(/differ/);
  });
});

describe('window geometry', () => {
  it('SAME_UPPER puts the odd pad at the end, SAME_LOWER at the start', () => {
    const upper = resolveWindow([6], windowAttrs({ auto_pad: 'SAME_UPPER', strides: [2] }, [3]));
    expect(upper).toEqual({ pads: [0, 1], out: [3] });
    const lower = resolveWindow([6], windowAttrs({ auto_pad: 'SAME_LOWER', strides: [2] }, [3]));
    expect(lower).toEqual({ pads: [1, 0], out: [3] });
  });

  it('VALID ignores pads; dilations widen the window', () => {
    expect(resolveWindow([7], windowAttrs({ auto_pad: 'VALID', pads: [5, 5] }, [3])).out).toEqual([5]);
    expect(resolveWindow([7], windowAttrs({ dilations: [3] }, [3])).out).toEqual([1]);
  });

  it('transposed windows: natural extent, output_shape, SAME', () => {
    const w = (attrs: Attrs) => transposeWindowAttrs(attrs, [3]);
    expect(resolveTransposeWindow([3], w({ strides: [2] })).out).toEqual([7]);
    expect(resolveTransposeWindow([3], w({ strides: [2], output_padding: [1] })).out).toEqual([8]);
    expect(resolveTransposeWindow([3], w({ strides: [2], auto_pad: 'SAME_UPPER' }))).toEqual({ pads: [0, 1], out: [6] });
    expect(resolveTransposeWindow([3], w({ strides: [2], auto_pad: 'SAME_LOWER' }))).toEqual({ pads: [1, 0], out: [6] });
    expect(resolveTransposeWindow([3], w({ strides: [2], output_shape: [9] }))).toEqual({ pads: [0, -2], out: [9] });
  });
});

describe('conv and pool inference', () => {
  it('conv: static dims computed, symbolic spatial dims become fresh symbols', () => {
    const y = infer('conv', [f32([1, 4, 9, 8]), f32([6, 2, 3, 3])], { group: 2, strides: [2, 2], pads: [1, 1, 1, 1] })[0]!;
    expect(y.shape).toEqual([1, 6, 5, 4]);
    const s = infer('conv', [f32(['n', 4, 'h', 8]), f32([6, 4, 3, 3])])[0]!;
    expect(s.shape![0]).toBe('n');
    expect(s.shape![1]).toBe(6);
    expect(typeof s.shape![2]).toBe('string');
    expect(s.shape![3]).toBe(6);
  });

  it('conv rejects channel counts that do not split into groups', () => {
    expect(() => infer('conv', [f32([1, 4, 5, 5]), f32([2, 3, 3, 3])])).toThrow(/channels/);
  });

  it('conv_transpose: output channels are W[1] * group', () => {
    expect(infer('conv_transpose', [f32([1, 4, 3, 3]), f32([4, 3, 3, 3])], { group: 2, strides: [2, 2] })[0]!.shape).toEqual([1, 6, 7, 7]);
  });

  it('max_pool gives indices only when asked', () => {
    const attrs = { kernel_shape: [2, 2], strides: [2, 2] };
    expect(infer('max_pool', [f32([1, 3, 4, 6])], attrs)).toHaveLength(1);
    const [y, i] = infer('max_pool', [f32([1, 3, 4, 6])], { ...attrs, with_indices: true });
    expect(y!.shape).toEqual([1, 3, 2, 3]);
    expect(i).toEqual({ dtype: 'i64', shape: [1, 3, 2, 3] });
  });

  it('avg_pool ceil_mode', () => {
    expect(infer('avg_pool', [f32([1, 1, 5, 5])], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 })[0]!.shape).toEqual([1, 1, 3, 3]);
  });
});

describe('einsum parsing and inference', () => {
  it('implicit output: ellipsis first, then labels used once, alphabetically', () => {
    const spec = parseEinsum('...ba,ac', [3, 2]);
    const [b, a, c] = ['b', 'a', 'c'].map((l) => l.charCodeAt(0));
    expect(spec.operands).toEqual([[0, b, a], [a, c]]);
    expect(spec.output).toEqual([0, b, c]);
  });

  it('infers shapes, broadcasting ellipsis dims', () => {
    expect(infer('einsum', [f32([5, 1, 2, 3]), f32([4, 3, 6])], { equation: '...ij,...jk->...ik' })[0]!.shape).toEqual([5, 4, 2, 6]);
    expect(infer('einsum', [f32([4, 4])], { equation: 'ii' })[0]!.shape).toEqual([]);
  });

  it('rejects terms that do not match operand ranks', () => {
    expect(() => infer('einsum', [f32([2, 3])], { equation: 'ijk->i' })).toThrow(/rank/);
  });
});

describe('det inference', () => {
  it('drops the trailing matrix dims', () => {
    expect(infer('det', [f32([2, 3, 3])])[0]!.shape).toEqual([2]);
    expect(() => infer('det', [f32([3, 2])])).toThrow(/square/);
  });
});
