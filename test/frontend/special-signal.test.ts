import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/ir/tensor.js';
import { expectMatchesOrt } from '../support/ort-compare.js';
import { randomTensor } from '../support/random.js';
import { f32, i64 } from '../support/tensors.js';

const TOL = { rtol: 1e-4, atol: 1e-4 };

describe('DFT', () => {
  const real = randomTensor([2, 12, 3, 1], 1, 4);
  const complex = randomTensor([2, 12, 3, 2], 2, 4);
  const cases: [string, Tensor, Tensor | null, Record<string, number>][] = [
    ['real, axis 1 (Bluestein length 12)', real, null, { axis: 1 }],
    ['complex, axis 2 (length 3)', complex, null, { axis: 2 }],
    ['complex inverse', complex, null, { axis: 1, inverse: 1 }],
    ['real onesided', real, null, { axis: 1, onesided: 1 }],
    ['zero-padded to dft_length 16', real, i64([], [16]), { axis: 1 }],
    ['truncated to dft_length 7', complex, i64([], [7]), { axis: 1 }],
    ['negative axis', complex, null, { axis: -3 }],
  ];
  for (const [name, x, length, attrs] of cases) {
    it(name, async () => {
      const inputs = [{ name: 'x', value: x }, length ? { name: 'len', value: length, constant: true } : null];
      await expectMatchesOrt({ op: 'DFT', opset: 17, inputs, attrs }, TOL);
    });
  }

  it('opset 20 takes the axis as an input (default -2)', async () => {
    const x = randomTensor([3, 8, 2], 3, 4);
    await expectMatchesOrt({ op: 'DFT', opset: 20, inputs: [{ name: 'x', value: x }] }, TOL);
    await expectMatchesOrt({ op: 'DFT', opset: 20, inputs: [{ name: 'x', value: randomTensor([4, 5, 2], 4, 4) }, null, { name: 'axis', value: i64([], [0]), constant: true }] }, TOL);
  });

  it('a dft_length fed at run time', async () => {
    await expectMatchesOrt({ op: 'DFT', opset: 17, inputs: [{ name: 'x', value: real }, { name: 'len', value: i64([], [10]) }], attrs: { axis: 1 } }, TOL);
  });
});

describe('STFT', () => {
  const signal = randomTensor([2, 64, 1], 5, 4);
  it('with a window', async () => {
    const window = randomTensor([16], 6, [0, 1]);
    await expectMatchesOrt({ op: 'STFT', opset: 17, inputs: [
      { name: 's', value: signal }, { name: 'step', value: i64([], [8]) }, { name: 'w', value: window },
    ] }, TOL);
  });
  it('with frame_length, two-sided', async () => {
    await expectMatchesOrt({ op: 'STFT', opset: 17, inputs: [
      { name: 's', value: signal }, { name: 'step', value: i64([], [5]) }, null, { name: 'fl', value: i64([], [12]) },
    ], attrs: { onesided: 0 } }, TOL);
  });
  it('with window and frame_length', async () => {
    await expectMatchesOrt({ op: 'STFT', opset: 17, inputs: [
      { name: 's', value: signal }, { name: 'step', value: i64([], [4]) },
      { name: 'w', value: randomTensor([10], 7, [0, 1]) }, { name: 'fl', value: i64([], [10]) },
    ] }, TOL);
  });
});

describe('window functions', () => {
  for (const op of ['HannWindow', 'HammingWindow', 'BlackmanWindow']) {
    for (const periodic of [0, 1]) {
      for (const size of [2, 7, 16]) {
        it(`${op} size ${size} periodic=${periodic}`, async () => {
          await expectMatchesOrt({ op, opset: 17, inputs: [{ name: 'n', value: Tensor.fromNumbers('i32', [], [size]) }], attrs: { periodic } }, TOL);
        });
      }
    }
    it(`${op} as double`, async () => {
      const { ours } = await expectMatchesOrt({ op, opset: 17, inputs: [{ name: 'n', value: i64([], [9]) }], attrs: { output_datatype: 11 } }, TOL);
      expect(ours[0]!.dtype).toBe('f64');
    });
  }

  it('folds to a constant when the size is constant', async () => {
    const { module } = await expectMatchesOrt({ op: 'HannWindow', opset: 17, inputs: [{ name: 'n', value: i64([], [8]), constant: true }] }, TOL);
    expect(module.graph.nodes.map((n) => n.op)).not.toContain('window');
  });
});

describe('MelWeightMatrix', () => {
  const cases: [number, number, number, number, number][] = [
    [8, 16, 8192, 0, 4096],
    [10, 64, 16000, 20, 7000],
    [5, 33, 22050, 100, 10000],
  ];
  for (const [bins, length, rate, lo, hi] of cases) {
    it(`${bins} bins, dft_length ${length}, ${rate} Hz, ${lo}–${hi} Hz`, async () => {
      await expectMatchesOrt({ op: 'MelWeightMatrix', opset: 17, inputs: [
        { name: 'b', value: i64([], [bins]) }, { name: 'l', value: i64([], [length]) }, { name: 'r', value: i64([], [rate]) },
        { name: 'lo', value: f32([], [lo]) }, { name: 'hi', value: f32([], [hi]) },
      ] }, TOL);
    });
  }
});
