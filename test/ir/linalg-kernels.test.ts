import { describe, expect, it } from 'vitest';
import type { Attrs } from '../../src/ir/graph.js';
import '../../src/ir/interpret/kernels/index.js';
import { getKernel } from '../../src/ir/interpret/registry.js';
import '../../src/ir/ops/index.js';
import { Tensor } from '../../src/ir/tensor.js';

function run(op: string, inputs: (Tensor | null)[], attrs: Attrs = {}): Tensor[] {
  const k = getKernel(op);
  if (!k) throw new Error(`no kernel ${op}`);
  return k(inputs, attrs, { node: { id: 0, op, inputs: [], outputs: [], attrs, regions: [] }, runRegion: () => [] });
}

function rand(shape: number[], seed: number): Tensor {
  let s = seed;
  const n = shape.reduce((a, b) => a * b, 1);
  const v: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    v.push(((s >>> 8) % 2001) / 1000 - 1);
  }
  return Tensor.fromNumbers('f64', shape, v);
}

function expectClose(got: Tensor, want: Tensor, tol = 1e-9): void {
  expect(got.shape).toEqual(want.shape);
  const a = got.toNumbers();
  const b = want.toNumbers();
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!), `element ${i}: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(tol);
}

describe('matmul kernel', () => {
  it('2-D, hand-computed', () => {
    const a = Tensor.fromNumbers('f32', [2, 3], [1, 2, 3, 4, 5, 6]);
    const b = Tensor.fromNumbers('f32', [3, 2], [7, 8, 9, 10, 11, 12]);
    const [y] = run('matmul', [a, b]);
    expect(y!.shape).toEqual([2, 2]);
    expect(y!.toNumbers()).toEqual([58, 64, 139, 154]);
  });

  it('1-D operands: inner product, vector-matrix, matrix-vector', () => {
    const v = Tensor.fromNumbers('f64', [3], [1, 2, 3]);
    const m = Tensor.fromNumbers('f64', [3, 2], [1, 0, 0, 1, 1, 1]);
    expect(run('matmul', [v, v])[0]!.shape).toEqual([]);
    expect(run('matmul', [v, v])[0]!.toNumbers()).toEqual([14]);
    expect(run('matmul', [v, m])[0]!.toNumbers()).toEqual([4, 5]);
    const mt = Tensor.fromNumbers('f64', [2, 3], [1, 0, 1, 0, 1, 1]);
    expect(run('matmul', [mt, v])[0]!.toNumbers()).toEqual([4, 5]);
  });

  it('broadcasts batch dims', () => {
    const a = rand([2, 1, 3, 4], 1);
    const b = rand([3, 4, 2], 2);
    const [y] = run('matmul', [a, b]);
    expect(y!.shape).toEqual([2, 3, 3, 2]);
    const av = a.toNumbers();
    const bv = b.toNumbers();
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let r = 0; r < 3; r++) for (let c = 0; c < 2; c++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += av[i * 12 + r * 4 + k]! * bv[j * 8 + k * 2 + c]!;
      expect(y!.getNumber(((i * 3 + j) * 3 + r) * 2 + c)).toBeCloseTo(s, 12);
    }
  });

  it('int32 wraps like C; f16 rounds', () => {
    const a = Tensor.fromNumbers('i32', [1, 2], [2 ** 30, 2 ** 30]);
    const b = Tensor.fromNumbers('i32', [2, 1], [2, 2]);
    expect(run('matmul', [a, b])[0]!.toNumbers()).toEqual([0]);
    const h = Tensor.fromNumbers('f16', [1, 2], [0.5, 1.5]);
    const g = Tensor.fromNumbers('f16', [2, 1], [2, 4]);
    const [y] = run('matmul', [h, g]);
    expect(y!.dtype).toBe('f16');
    expect(y!.toNumbers()).toEqual([7]);
  });

  it('u64 stays exact', () => {
    const a = Tensor.fromBigInts('u64', [1, 1], [2n ** 62n]);
    const b = Tensor.fromBigInts('u64', [1, 1], [3n]);
    expect(run('matmul', [a, b])[0]!.getBigInt(0)).toBe(BigInt.asUintN(64, 3n * 2n ** 62n));
  });
});

/** Direct-loop 2-D convolution for checking the im2col kernel. */
function naiveConv2d(x: Tensor, w: Tensor, b: Tensor | null, s: number[], d: number[], p: number[], group: number): Tensor {
  const [n, c, ih, iw] = x.shape as [number, number, number, number];
  const [m, cg, kh, kw] = w.shape as [number, number, number, number];
  const oh = Math.floor((ih + p[0]! + p[2]! - ((kh - 1) * d[0]! + 1)) / s[0]!) + 1;
  const ow = Math.floor((iw + p[1]! + p[3]! - ((kw - 1) * d[1]! + 1)) / s[1]!) + 1;
  const out = new Array<number>(n * m * oh * ow).fill(0);
  const mg = m / group;
  for (let bi = 0; bi < n; bi++) for (let oc = 0; oc < m; oc++) for (let y = 0; y < oh; y++) for (let xo = 0; xo < ow; xo++) {
    let acc = b ? b.getNumber(oc) : 0;
    const g = Math.floor(oc / mg);
    for (let ci = 0; ci < cg; ci++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
      const iy = y * s[0]! - p[0]! + ky * d[0]!;
      const ix = xo * s[1]! - p[1]! + kx * d[1]!;
      if (iy < 0 || iy >= ih || ix < 0 || ix >= iw) continue;
      acc += x.getNumber(((bi * c + g * cg + ci) * ih + iy) * iw + ix) * w.getNumber(((oc * cg + ci) * kh + ky) * kw + kx);
    }
    out[((bi * m + oc) * oh + y) * ow + xo] = acc;
  }
  return Tensor.fromNumbers(x.dtype, [n, m, oh, ow], out);
}

/** Scatter-form 2-D transposed convolution. */
function naiveConvTranspose2d(x: Tensor, w: Tensor, s: number[], d: number[], p: number[], op: number[], group: number): Tensor {
  const [n, c, ih, iw] = x.shape as [number, number, number, number];
  const [, mg, kh, kw] = w.shape as [number, number, number, number];
  const m = mg * group;
  const cg = c / group;
  const oh = s[0]! * (ih - 1) + op[0]! + (kh - 1) * d[0]! + 1 - p[0]! - p[2]!;
  const ow = s[1]! * (iw - 1) + op[1]! + (kw - 1) * d[1]! + 1 - p[1]! - p[3]!;
  const out = new Array<number>(n * m * oh * ow).fill(0);
  for (let bi = 0; bi < n; bi++) for (let ci = 0; ci < c; ci++) for (let y = 0; y < ih; y++) for (let xi = 0; xi < iw; xi++) {
    const g = Math.floor(ci / cg);
    for (let mi = 0; mi < mg; mi++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
      const oy = y * s[0]! + ky * d[0]! - p[0]!;
      const ox = xi * s[1]! + kx * d[1]! - p[1]!;
      if (oy < 0 || oy >= oh || ox < 0 || ox >= ow) continue;
      out[((bi * m + g * mg + mi) * oh + oy) * ow + ox]! += x.getNumber(((bi * c + ci) * ih + y) * iw + xi) * w.getNumber(((ci * mg + mi) * kh + ky) * kw + kx);
    }
  }
  return Tensor.fromNumbers(x.dtype, [n, m, oh, ow], out);
}

describe('conv kernels against direct loops', () => {
  const configs = [
    { x: [1, 1, 5, 5], w: [1, 1, 3, 3], s: [1, 1], d: [1, 1], p: [0, 0, 0, 0], group: 1 },
    { x: [2, 4, 7, 6], w: [6, 2, 3, 2], s: [2, 1], d: [1, 2], p: [1, 0, 2, 1], group: 2 },
    { x: [1, 3, 8, 8], w: [3, 1, 3, 3], s: [3, 3], d: [2, 2], p: [2, 2, 2, 2], group: 3 },
  ];
  configs.forEach((cfg, i) => {
    it(`conv config ${i}`, () => {
      const x = rand(cfg.x, 10 + i);
      const w = rand(cfg.w, 20 + i);
      const b = rand([cfg.w[0]!], 30 + i);
      const [y] = run('conv', [x, w, b], { strides: cfg.s, dilations: cfg.d, pads: cfg.p, group: cfg.group });
      expectClose(y!, naiveConv2d(x, w, b, cfg.s, cfg.d, cfg.p, cfg.group));
    });
    it(`conv_transpose config ${i}`, () => {
      const x = rand([cfg.x[0]!, cfg.w[0]!, 3, 4], 40 + i);
      const w = rand([cfg.w[0]!, cfg.w[1]!, cfg.w[2]!, cfg.w[3]!], 50 + i);
      const op = i === 1 ? [1, 0] : [0, 0];
      const [y] = run('conv_transpose', [x, w], { strides: cfg.s, dilations: cfg.d, pads: cfg.p, group: cfg.group, output_padding: op });
      expectClose(y!, naiveConvTranspose2d(x, w, cfg.s, cfg.d, cfg.p, op, cfg.group));
    });
  });

  it('conv resolves SAME_LOWER at run time when the importer could not', () => {
    const x = rand([1, 1, 6, 5], 3);
    const w = rand([1, 1, 2, 3], 4);
    const [y] = run('conv', [x, w], { auto_pad: 'SAME_LOWER', strides: [2, 2] });
    // out = ceil(in / s) = [3, 3]; total pads = [(3-1)*2+2-6, (3-1)*2+3-5] = [0, 2]; SAME_LOWER puts the odd one first.
    expectClose(y!, naiveConv2d(x, w, null, [2, 2], [1, 1], [0, 1, 0, 1], 1));
  });

  it('conv on i32 (integer-conv decomposition) is exact', () => {
    const x = Tensor.fromNumbers('i32', [1, 1, 2, 2], [100, -200, 300, 400]);
    const w = Tensor.fromNumbers('i32', [1, 1, 2, 2], [1000, 2000, 3000, -4000]);
    expect(run('conv', [x, w])[0]!.toNumbers()).toEqual([100000 - 400000 + 900000 - 1600000]);
  });

  it('conv_transpose with a requested output larger than natural appends zeros', () => {
    const x = Tensor.fromNumbers('f32', [1, 1, 2], [1, 2]);
    const w = Tensor.fromNumbers('f32', [1, 1, 2], [1, 10]);
    const [y] = run('conv_transpose', [x, w], { output_shape: [5] });
    expect(y!.toNumbers()).toEqual([1, 12, 20, 0, 0]);
  });
});

describe('pool kernels', () => {
  const x = Tensor.fromNumbers('f32', [1, 1, 4, 4], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);

  it('max_pool with row- and column-major indices', () => {
    const [y, i] = run('max_pool', [x], { kernel_shape: [2, 2], strides: [2, 2], with_indices: true });
    expect(y!.toNumbers()).toEqual([6, 8, 14, 16]);
    expect(i!.toNumbers()).toEqual([5, 7, 13, 15]);
    const [, ic] = run('max_pool', [x], { kernel_shape: [2, 2], strides: [2, 2], with_indices: true, storage_order: 1 });
    expect(ic!.toNumbers()).toEqual([5, 13, 7, 15]);
  });

  it('max_pool ceil_mode adds a partial window, but none that starts in the padding', () => {
    // in 4, k 2, s 2, pad end 1: ceil((4+1-2)/2)+1 = 3 windows; the third starts at 4 >= 4 → dropped.
    const [y] = run('max_pool', [x], { kernel_shape: [1, 2], strides: [1, 2], pads: [0, 0, 0, 1], ceil_mode: 1 });
    expect(y!.shape).toEqual([1, 1, 4, 2]);
    // in 5, k 2, s 2: floor gives 2 windows, ceil a third over the last element alone.
    const v = Tensor.fromNumbers('f32', [1, 1, 5], [1, 5, 2, 4, 3]);
    expect(run('max_pool', [v], { kernel_shape: [2], strides: [2], ceil_mode: 1 })[0]!.toNumbers()).toEqual([5, 4, 3]);
    expect(run('max_pool', [v], { kernel_shape: [2], strides: [2] })[0]!.toNumbers()).toEqual([5, 4]);
  });

  it('avg_pool divides by valid taps, or by padded taps with count_include_pad', () => {
    const attrs = { kernel_shape: [2, 2], pads: [1, 1, 0, 0], strides: [2, 2] };
    expect(run('avg_pool', [x], attrs)[0]!.toNumbers()).toEqual([1, 2.5, 7, 8.5]);
    expect(run('avg_pool', [x], { ...attrs, count_include_pad: 1 })[0]!.toNumbers()).toEqual([0.25, 1.25, 3.5, 8.5]);
  });

  it('lp_pool', () => {
    const v = Tensor.fromNumbers('f32', [1, 1, 2], [3, -4]);
    expect(run('lp_pool', [v], { kernel_shape: [2], p: 2 })[0]!.toNumbers()).toEqual([5]);
    expect(run('lp_pool', [v], { kernel_shape: [2], p: 1 })[0]!.toNumbers()).toEqual([7]);
  });

  it('max_pool keeps integer types', () => {
    const u = Tensor.fromNumbers('u8', [1, 1, 3], [200, 255, 3]);
    const [y] = run('max_pool', [u], { kernel_shape: [2] });
    expect(y!.dtype).toBe('u8');
    expect(y!.toNumbers()).toEqual([255, 255]);
  });

  it('max_unpool scatters to the indices', () => {
    const v = Tensor.fromNumbers('f32', [1, 1, 1, 2], [7, 9]);
    const idx = Tensor.fromBigInts('i64', [1, 1, 1, 2], [2n, 1n]);
    const [y] = run('max_unpool', [v, idx], { kernel_shape: [1, 2], strides: [1, 2] });
    expect(y!.toNumbers()).toEqual([0, 9, 7, 0]);
  });
});

describe('einsum and det kernels', () => {
  const a = Tensor.fromNumbers('f64', [2, 2], [1, 2, 3, 4]);
  const b = Tensor.fromNumbers('f64', [2, 2], [5, 6, 7, 8]);
  const cases: [string, Tensor[], number[], number[]][] = [
    ['ij,jk->ik', [a, b], [2, 2], [19, 22, 43, 50]],
    ['ij,jk', [a, b], [2, 2], [19, 22, 43, 50]],
    ['ii->i', [a], [2], [1, 4]],
    ['ii', [a], [], [5]],
    ['ij->', [a], [], [10]],
    ['ji', [a], [2, 2], [1, 3, 2, 4]],
    ['ij,ij->ij', [a, b], [2, 2], [5, 12, 21, 32]],
    ['i,j', [Tensor.fromNumbers('f64', [2], [1, 2]), Tensor.fromNumbers('f64', [3], [1, 10, 100])], [2, 3], [1, 10, 100, 2, 20, 200]],
    ['...i->...', [a], [2], [3, 7]],
  ];
  for (const [eq, inputs, shape, values] of cases) {
    it(eq, () => {
      const [y] = run('einsum', inputs, { equation: eq });
      expect(y!.shape).toEqual(shape);
      expect(y!.toNumbers()).toEqual(values);
    });
  }

  it('det: 2x2, 3x3 with pivoting, singular, batched', () => {
    expect(run('det', [a])[0]!.toNumbers()).toEqual([-2]);
    const m = Tensor.fromNumbers('f64', [2, 3, 3], [0, 2, 1, 1, 0, 0, 0, 0, 3, 1, 2, 3, 2, 4, 6, 0, 1, 1]);
    const [d] = run('det', [m]);
    expect(d!.shape).toEqual([2]);
    expect(d!.getNumber(0)).toBeCloseTo(-6, 12);
    expect(d!.getNumber(1)).toBeCloseTo(0, 12);
  });
});
