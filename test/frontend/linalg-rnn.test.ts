import { describe, expect, it } from 'vitest';
import type { OnnxAttrValue } from '../../src/frontend/onnx-writer.js';
import { Tensor } from '../../src/ir/tensor.js';
import { expectMatchesOrt } from '../support/ort-compare.js';
import { importCase, operand, runOurs, type Operand } from '../support/one-node-model.js';
import { randomTensor } from '../support/random.js';

const [S, B, I, H] = [4, 3, 2, 5];
const GATES = { RNN: 1, GRU: 3, LSTM: 4 } as const;
type Kind = keyof typeof GATES;

interface RecurrentCase {
  kind: Kind;
  dirs?: 1 | 2;
  bias?: boolean;
  lens?: number[];
  initial?: boolean;
  peepholes?: boolean;
  layout?: 0 | 1;
  constantWeights?: boolean;
  attrs?: Record<string, OnnxAttrValue>;
}

function recurrentInputs(c: RecurrentCase): (Operand | null)[] {
  const d = c.dirs ?? 1;
  const g = GATES[c.kind];
  const layout = c.layout ?? 0;
  const constant = c.constantWeights ?? false;
  const state = layout === 1 ? [B, d, H] : [d, B, H];
  const inputs: (Operand | null)[] = [
    operand('x', randomTensor(layout === 1 ? [B, S, I] : [S, B, I], 1)),
    operand('w', randomTensor([d, g * H, I], 2, 0.7), { constant }),
    operand('r', randomTensor([d, g * H, H], 3, 0.7), { constant }),
    c.bias ? operand('b', randomTensor([d, 2 * g * H], 4, 0.5), { constant }) : null,
    c.lens ? operand('lens', Tensor.fromNumbers('i32', [B], c.lens)) : null,
    c.initial ? operand('h0', randomTensor(state, 5)) : null,
  ];
  if (c.kind === 'LSTM') {
    inputs.push(c.initial ? operand('c0', randomTensor(state, 6)) : null);
    inputs.push(c.peepholes ? operand('p', randomTensor([d, 3 * H], 7, 0.5)) : null);
  }
  while (inputs.length > 3 && inputs[inputs.length - 1] === null) inputs.pop();
  return inputs;
}

async function check(c: RecurrentCase): Promise<void> {
  const d = c.dirs ?? 1;
  const attrs: Record<string, OnnxAttrValue> = { hidden_size: H, ...(c.attrs ?? {}) };
  if (d === 2) attrs['direction'] = 'bidirectional';
  if (c.layout) attrs['layout'] = c.layout;
  const outputs = c.kind === 'LSTM' ? ['y', 'yh', 'yc'] : ['y', 'yh'];
  await expectMatchesOrt({ op: c.kind, opset: 14, inputs: recurrentInputs(c), outputs, attrs }, { rtol: 1e-4, atol: 1e-5 });
}

/** Permutes a row-major tensor's axes (test-side reference, independent of the IR transpose). */
function permute(t: Tensor, perm: readonly number[]): Tensor {
  const shape = perm.map((p) => t.shape[p]!);
  const inStrides = t.shape.map((_, i) => t.shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const out = new Array<number>(t.size);
  const idx = new Array<number>(shape.length).fill(0);
  for (let f = 0; f < t.size; f++) {
    out[f] = t.getNumber(perm.reduce((acc, p, k) => acc + idx[k]! * inStrides[p]!, 0));
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return Tensor.fromNumbers(t.dtype, shape, out);
}

async function checkBatchMajor(kind: Kind): Promise<void> {
  const seqMajor = recurrentInputs({ kind, dirs: 2, bias: true, initial: true });
  const batchMajor = seqMajor.map((o) => {
    if (!o || !['x', 'h0', 'c0'].includes(o.name)) return o;
    return operand(o.name, permute(o.value, [1, 0, 2]));
  });
  const outputs = kind === 'LSTM' ? ['y', 'yh', 'yc'] : ['y', 'yh'];
  const attrs = { hidden_size: H, direction: 'bidirectional' };
  const want = await runOurs({ op: kind, opset: 14, inputs: seqMajor, outputs, attrs });
  await expectMatchesOrt({ op: kind, opset: 14, inputs: seqMajor, outputs, attrs }, { rtol: 1e-4, atol: 1e-5 });
  const got = await runOurs({ op: kind, opset: 14, inputs: batchMajor, outputs, attrs: { ...attrs, layout: 1 } });
  expect(got[0]!.toNumbers()).toEqual(permute(want[0]!, [2, 0, 1, 3]).toNumbers());
  for (let i = 1; i < got.length; i++) expect(got[i]!.toNumbers()).toEqual(permute(want[i]!, [1, 0, 2]).toNumbers());
}

describe('recurrent importers vs onnxruntime', () => {
  for (const kind of ['RNN', 'GRU', 'LSTM'] as const) {
    it(`${kind}: defaults`, async () => check({ kind }));
    it(`${kind}: bidirectional with biases and initial state`, async () => check({ kind, dirs: 2, bias: true, initial: true }));
    it(`${kind}: reverse`, async () => check({ kind, bias: true, attrs: { direction: 'reverse' } }));
    it(`${kind}: bidirectional with ragged sequence_lens`, async () => check({ kind, dirs: 2, bias: true, initial: true, lens: [4, 2, 1] }));
    it(`${kind}: layout 1 equals layout 0 on transposed operands (onnxruntime lacks layout 1)`, async () => {
      await checkBatchMajor(kind);
    });
    it(`${kind}: clip`, async () => check({ kind, bias: true, attrs: { clip: { float: 0.4 } } }));
  }

  it('GRU: linear_before_reset, bidirectional, ragged lengths', async () => {
    await check({ kind: 'GRU', dirs: 2, bias: true, initial: true, lens: [1, 4, 3], attrs: { linear_before_reset: 1 } });
    await check({ kind: 'GRU', bias: true, attrs: { linear_before_reset: 1 } });
  });

  it('LSTM: peepholes, initial states and input_forget', async () => {
    await check({ kind: 'LSTM', dirs: 2, bias: true, initial: true, peepholes: true, lens: [3, 4, 2] });
    await check({ kind: 'LSTM', bias: true, peepholes: true, attrs: { input_forget: 1 } });
  });

  it('custom activations with alpha/beta', async () => {
    await check({ kind: 'RNN', dirs: 2, bias: true, attrs: { activations: ['Relu', 'LeakyRelu'], activation_alpha: { floats: [0.3] } } });
    await check({ kind: 'GRU', bias: true, attrs: { activations: ['HardSigmoid', 'Softsign'], activation_alpha: { floats: [0.3] }, activation_beta: { floats: [0.4] } } });
    await check({ kind: 'LSTM', bias: true, attrs: { activations: ['Sigmoid', 'Elu', 'ScaledTanh'], activation_alpha: { floats: [0.5, 0.8] }, activation_beta: { floats: [1.2] } } });
  });

  it('unrolls into IR ops (no recurrent IR op) and folds constant weight slicing', async () => {
    const mod = await importCase({ op: 'LSTM', opset: 14, inputs: recurrentInputs({ kind: 'LSTM', bias: true, constantWeights: true }), outputs: ['', 'yh'], attrs: { hidden_size: H } });
    const ops = new Set(mod.graph.nodes.map((n) => n.op));
    expect([...ops].every((o) => ['constant', 'matmul', 'add', 'mul', 'sub', 'split', 'squeeze', 'unsqueeze', 'sigmoid', 'tanh'].includes(o))).toBe(true);
    expect(mod.graph.nodes.filter((n) => n.op === 'matmul')).toHaveLength(S);
  });
});
