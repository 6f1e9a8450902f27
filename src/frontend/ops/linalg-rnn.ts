// ONNX importers: RNN, GRU, LSTM, unrolled over the static sequence length into
// split/matmul/add/activation/mul/concat IR ops.
//
// The input projection X·Wᵀ (+ biases) is one matmul over all time steps; each step adds the
// recurrent matmul and applies the cell. An omitted initial state is a known zero, so the first
// step skips its recurrent terms instead of materialising zeros. sequence_lens becomes per-step
// masks (steps past a sequence's end keep its state and emit zeros); the reverse direction with
// sequence_lens runs forward over reverse_sequence(X) and reverses its outputs back.
import type { DType } from '../../ir/dtype.js';
import type { Value } from '../../ir/graph.js';
import { Tensor } from '../../ir/tensor.js';
import { defineImporter, type ImportContext } from '../registry.js';
import { bin, cast, i64s, required, scalar, withScalar } from './linalg-util.js';

type CellKind = 'RNN' | 'GRU' | 'LSTM';

const GATES: Record<CellKind, number> = { RNN: 1, GRU: 3, LSTM: 4 };
/** Each step is a handful of IR ops; past this a (likely corrupt) sequence length would flood the module. */
const MAX_UNROLLED_STEPS = 4096;
const DEFAULT_ACTIVATIONS: Record<CellKind, string[]> = {
  RNN: ['Tanh'],
  GRU: ['Sigmoid', 'Tanh'],
  LSTM: ['Sigmoid', 'Tanh', 'Tanh'],
};

interface Activation {
  name: string;
  alpha: number;
  beta: number;
}

/** Default (alpha, beta) of the activations that take them; absent ones take none. */
const ACTIVATION_PARAMS: Record<string, [number | undefined, number | undefined]> = {
  relu: [undefined, undefined], tanh: [undefined, undefined], sigmoid: [undefined, undefined],
  softsign: [undefined, undefined], softplus: [undefined, undefined],
  affine: [1, 0], leakyrelu: [0.01, undefined], thresholdedrelu: [1, undefined],
  scaledtanh: [1, 1], hardsigmoid: [0.2, 0.5], elu: [1, undefined],
};

/** Activations per direction; alphas/betas are consumed in order by the activations that use them. */
function activations(ctx: ImportContext, kind: CellKind, directions: number): Activation[][] {
  const per = DEFAULT_ACTIVATIONS[kind].length;
  let names = ctx.attrStrings('activations', []);
  if (names.length === 0) names = Array.from({ length: directions }, () => DEFAULT_ACTIVATIONS[kind]).flat();
  if (names.length !== per * directions) ctx.invalid(`expected ${per * directions} activations, got ${names.length}`);
  const alphas = ctx.attrFloats('activation_alpha', []);
  const betas = ctx.attrFloats('activation_beta', []);
  let ai = 0;
  let bi = 0;
  const acts = names.map((n) => {
    const name = n.toLowerCase();
    const params = ACTIVATION_PARAMS[name];
    if (!params) ctx.unsupported(`activation ${n}`);
    const alpha = params[0] === undefined ? 0 : ai < alphas.length ? alphas[ai++]! : params[0];
    const beta = params[1] === undefined ? 0 : bi < betas.length ? betas[bi++]! : params[1];
    return { name, alpha, beta };
  });
  return Array.from({ length: directions }, (_, d) => acts.slice(d * per, (d + 1) * per));
}

function activate(ctx: ImportContext, a: Activation, x: Value): Value {
  const dt = x.type.dtype;
  const zero = (): Value => scalar(ctx, dt, 0);
  const isNegative = (): Value => bin(ctx, 'less', x, zero());
  switch (a.name) {
    case 'relu': return bin(ctx, 'max', x, zero());
    case 'tanh': return ctx.op1('tanh', [x]);
    case 'sigmoid': return ctx.op1('sigmoid', [x]);
    case 'affine': return withScalar(ctx, 'add', withScalar(ctx, 'mul', x, a.alpha), a.beta);
    case 'leakyrelu': return ctx.op1('select', [isNegative(), withScalar(ctx, 'mul', x, a.alpha), x]);
    case 'thresholdedrelu': return ctx.op1('select', [bin(ctx, 'greater', x, scalar(ctx, dt, a.alpha)), x, zero()]);
    case 'scaledtanh': return withScalar(ctx, 'mul', ctx.op1('tanh', [withScalar(ctx, 'mul', x, a.beta)]), a.alpha);
    case 'hardsigmoid': {
      const lin = withScalar(ctx, 'add', withScalar(ctx, 'mul', x, a.alpha), a.beta);
      return withScalar(ctx, 'max', withScalar(ctx, 'min', lin, 1), 0);
    }
    case 'elu': {
      const neg = withScalar(ctx, 'mul', withScalar(ctx, 'sub', ctx.op1('exp', [x]), 1), a.alpha);
      return ctx.op1('select', [isNegative(), neg, x]);
    }
    case 'softsign': return bin(ctx, 'div', x, withScalar(ctx, 'add', ctx.op1('abs', [x]), 1));
    case 'softplus': return ctx.op1('log', [withScalar(ctx, 'add', ctx.op1('exp', [x]), 1)]);
    default: return ctx.unsupported(`activation ${a.name}`);
  }
}

/** Everything one unrolled direction needs. */
interface Recurrence {
  kind: CellKind;
  hidden: number;
  dtype: DType;
  clip: number | undefined;
  linearBeforeReset: boolean;
  inputForget: boolean;
}

/** Slice [from, to) of axis `axis`. */
function slice(ctx: ImportContext, v: Value, from: number, to: number, axis: number): Value {
  return ctx.op1('slice', [v, i64s(ctx, [from]), i64s(ctx, [to]), i64s(ctx, [axis])]);
}

/** Direction `d` of a [D, ...] operand, without the direction axis. */
function direction(ctx: ImportContext, v: Value, d: number): Value {
  return ctx.op1('squeeze', [slice(ctx, v, d, d + 1, 0), i64s(ctx, [0])]);
}

function transpose2d(ctx: ImportContext, v: Value): Value {
  return ctx.op1('transpose', [v], { perm: [1, 0] });
}

function splitColumns(ctx: ImportContext, v: Value, parts: number): Value[] {
  return parts === 1 ? [v] : ctx.op('split', [v], { axis: 1, num_outputs: parts });
}

function clipped(ctx: ImportContext, r: Recurrence, v: Value): Value {
  if (r.clip === undefined) return v;
  return withScalar(ctx, 'min', withScalar(ctx, 'max', v, -r.clip), r.clip);
}

/** `a + b` where a null operand stands for zero. */
function addMaybe(ctx: ImportContext, a: Value, b: Value | null): Value {
  return b ? bin(ctx, 'add', a, b) : a;
}

/** `a * b` where a null operand stands for zero. */
function mulMaybe(ctx: ImportContext, a: Value, b: Value | null): Value | null {
  return b ? bin(ctx, 'mul', a, b) : null;
}

interface DirectionWeights {
  /** Recurrent weights transposed to [H, G*H] (GRU without linear_before_reset: only z and r). */
  rT: Value;
  /** GRU: R_h transposed, [H, H]. */
  rhT?: Value;
  /** GRU with linear_before_reset: the recurrent bias of the h gate, [H]. */
  rbh?: Value;
  /** LSTM peepholes [H] each: input, output, forget. */
  peep?: [Value, Value, Value];
}

interface State {
  h: Value | null;
  c: Value | null;
}

function cellStep(ctx: ImportContext, r: Recurrence, acts: Activation[], w: DirectionWeights, xw: Value, s: State): { h: Value; c: Value | null } {
  const recurrent = (rT: Value): Value | null => (s.h ? ctx.op1('matmul', [s.h, rT]) : null);
  switch (r.kind) {
    case 'RNN':
      return { h: activate(ctx, acts[0]!, clipped(ctx, r, addMaybe(ctx, xw, recurrent(w.rT)))), c: null };
    case 'LSTM': {
      const [f, g, h] = acts as [Activation, Activation, Activation];
      let [i, o, fg, cc] = splitColumns(ctx, addMaybe(ctx, xw, recurrent(w.rT)), 4) as [Value, Value, Value, Value];
      if (w.peep && s.c) {
        i = bin(ctx, 'add', i, bin(ctx, 'mul', w.peep[0], s.c));
        fg = bin(ctx, 'add', fg, bin(ctx, 'mul', w.peep[2], s.c));
      }
      const it = activate(ctx, f, clipped(ctx, r, i));
      const ft = r.inputForget ? bin(ctx, 'sub', scalar(ctx, r.dtype, 1), it) : activate(ctx, f, clipped(ctx, r, fg));
      const ct = activate(ctx, g, clipped(ctx, r, cc));
      const c = addMaybe(ctx, bin(ctx, 'mul', it, ct), mulMaybe(ctx, ft, s.c));
      if (w.peep) o = bin(ctx, 'add', o, bin(ctx, 'mul', w.peep[1], c));
      const ot = activate(ctx, f, clipped(ctx, r, o));
      return { h: bin(ctx, 'mul', ot, activate(ctx, h, c)), c };
    }
    case 'GRU': {
      const [f, g] = acts as [Activation, Activation];
      const [xz, xr, xh] = splitColumns(ctx, xw, 3) as [Value, Value, Value];
      let hz: Value | null = null;
      let hr: Value | null = null;
      let hh: Value | null = null;
      if (r.linearBeforeReset) {
        const all = recurrent(w.rT);
        if (all) [hz, hr, hh] = splitColumns(ctx, all, 3) as [Value, Value, Value];
      } else {
        const zr = recurrent(w.rT);
        if (zr) [hz, hr] = splitColumns(ctx, zr, 2) as [Value, Value];
      }
      const z = activate(ctx, f, clipped(ctx, r, addMaybe(ctx, xz, hz)));
      const rt = activate(ctx, f, clipped(ctx, r, addMaybe(ctx, xr, hr)));
      let candidateIn: Value;
      if (r.linearBeforeReset) {
        const inner = hh ? addMaybe(ctx, hh, w.rbh ?? null) : (w.rbh ?? null);
        candidateIn = addMaybe(ctx, xh, mulMaybe(ctx, rt, inner));
      } else {
        const reset = mulMaybe(ctx, rt, s.h);
        candidateIn = addMaybe(ctx, xh, reset ? ctx.op1('matmul', [reset, w.rhT!]) : null);
      }
      const cand = activate(ctx, g, clipped(ctx, r, candidateIn));
      // H = (1 - z) * cand + z * H_prev
      const keep = bin(ctx, 'mul', bin(ctx, 'sub', scalar(ctx, r.dtype, 1), z), cand);
      return { h: addMaybe(ctx, keep, mulMaybe(ctx, z, s.h)), c: null };
    }
  }
}

interface DirectionResult {
  /** Per time step (in time order), the [B, H] output. */
  ys: Value[];
  h: Value;
  c: Value | null;
}

/** Mask for step t: [B, 1] of 1 where t < sequence_lens[b], else 0. */
function stepMask(ctx: ImportContext, lensColumn: Value, t: number, dtype: DType): Value {
  return cast(ctx, bin(ctx, 'less', scalar(ctx, dtype, t), lensColumn), dtype);
}

/** `prev + m * (next - prev)`, with a null prev standing for zero. */
function masked(ctx: ImportContext, m: Value, next: Value, prev: Value | null): Value {
  if (!prev) return bin(ctx, 'mul', m, next);
  return bin(ctx, 'add', prev, bin(ctx, 'mul', m, bin(ctx, 'sub', next, prev)));
}

function runDirection(
  ctx: ImportContext, r: Recurrence, acts: Activation[], d: number, x: Value, seq: number,
  ops: { W: Value; R: Value; B: Value | null; P: Value | null; h0: Value | null; c0: Value | null; lensColumn: Value | null },
  reverse: boolean,
): DirectionResult {
  const H = r.hidden;
  const gh = GATES[r.kind] * H;
  const Wd = direction(ctx, ops.W, d);
  const Rd = direction(ctx, ops.R, d);
  const w: DirectionWeights = { rT: transpose2d(ctx, Rd) };
  let biasX: Value | null = null;
  if (ops.B) {
    const Bd = direction(ctx, ops.B, d);
    const wb = slice(ctx, Bd, 0, gh, 0);
    let rb = slice(ctx, Bd, gh, 2 * gh, 0);
    if (r.kind === 'GRU' && r.linearBeforeReset) {
      // R_bh sits inside the reset product; only z and r recurrent biases join the input bias.
      w.rbh = slice(ctx, rb, 2 * H, 3 * H, 0);
      rb = ctx.op1('concat', [slice(ctx, rb, 0, 2 * H, 0), ctx.constant(Tensor.zeros(r.dtype, [H]))], { axis: 0 });
    }
    biasX = bin(ctx, 'add', wb, rb);
  }
  if (r.kind === 'GRU' && !r.linearBeforeReset) {
    w.rT = transpose2d(ctx, slice(ctx, Rd, 0, 2 * H, 0));
    w.rhT = transpose2d(ctx, slice(ctx, Rd, 2 * H, 3 * H, 0));
  }
  if (r.kind === 'LSTM' && ops.P) {
    const Pd = direction(ctx, ops.P, d);
    w.peep = [slice(ctx, Pd, 0, H, 0), slice(ctx, Pd, H, 2 * H, 0), slice(ctx, Pd, 2 * H, 3 * H, 0)];
  }

  // One input projection for all steps: [S, B, G*H], then one [B, G*H] slab per step.
  const xw = addMaybe(ctx, ctx.op1('matmul', [x, transpose2d(ctx, Wd)]), biasX);
  const slabs = seq === 1 ? [xw] : ctx.op('split', [xw], { axis: 0, num_outputs: seq });
  const steps = slabs.map((s) => ctx.op1('squeeze', [s, i64s(ctx, [0])]));

  let state: State = {
    h: ops.h0 ? direction(ctx, ops.h0, d) : null,
    c: ops.c0 ? direction(ctx, ops.c0, d) : null,
  };
  const ys = new Array<Value>(seq);
  for (let k = 0; k < seq; k++) {
    const t = reverse ? seq - 1 - k : k;
    const next = cellStep(ctx, r, acts, w, steps[t]!, state);
    if (ops.lensColumn) {
      const m = stepMask(ctx, ops.lensColumn, t, r.dtype);
      ys[t] = bin(ctx, 'mul', m, next.h);
      state = { h: masked(ctx, m, next.h, state.h), c: next.c ? masked(ctx, m, next.c, state.c) : null };
    } else {
      ys[t] = next.h;
      state = next;
    }
  }
  return { ys, h: state.h!, c: state.c };
}

/** Stacks [B, H] values along a new leading axis. */
function stack(ctx: ImportContext, vs: readonly Value[], axis: number): Value {
  const expanded = vs.map((v) => ctx.op1('unsqueeze', [v, i64s(ctx, [axis])]));
  return expanded.length === 1 ? expanded[0]! : ctx.op1('concat', expanded, { axis });
}

function importRecurrent(kind: CellKind, ctx: ImportContext, inputs: readonly (Value | null)[]): (Value | null)[] {
  let x = required(ctx, inputs, 0, 'X');
  const W = required(ctx, inputs, 1, 'W');
  const R = required(ctx, inputs, 2, 'R');
  const B = inputs[3] ?? null;
  const lens = inputs[4] ?? null;
  let h0 = inputs[5] ?? null;
  let c0 = kind === 'LSTM' ? (inputs[6] ?? null) : null;
  const P = kind === 'LSTM' ? (inputs[7] ?? null) : null;

  const dir = ctx.attrString('direction', 'forward');
  if (dir !== 'forward' && dir !== 'reverse' && dir !== 'bidirectional') ctx.invalid(`unknown direction ${dir}`);
  const D = dir === 'bidirectional' ? 2 : 1;
  const layout = ctx.opset >= 14 ? ctx.attrInt('layout', 0) : 0;
  const rShape = R.type.shape;
  const hidden = ctx.hasAttr('hidden_size') ? ctx.attrInt('hidden_size') : rShape?.[2];
  if (typeof hidden !== 'number') return ctx.unsupported('hidden_size unknown at compile time');
  const dtype = x.type.dtype;
  const r: Recurrence = {
    kind, hidden, dtype,
    clip: ctx.hasAttr('clip') ? ctx.attrFloat('clip') : undefined,
    linearBeforeReset: kind === 'GRU' && ctx.attrInt('linear_before_reset', 0) !== 0,
    inputForget: kind === 'LSTM' && ctx.attrInt('input_forget', 0) !== 0,
  };

  // Work in layout 0: X [S, B, I], states [D, B, H].
  const batchMajor = [1, 0, 2];
  if (layout === 1) {
    x = ctx.op1('transpose', [x], { perm: batchMajor });
    if (h0) h0 = ctx.op1('transpose', [h0], { perm: batchMajor });
    if (c0) c0 = ctx.op1('transpose', [c0], { perm: batchMajor });
  }
  const seq = x.type.shape?.[0];
  if (typeof seq !== 'number') return ctx.unsupported(`${kind} needs a static sequence length to unroll`);
  if (seq === 0) return ctx.unsupported(`${kind} over an empty sequence`);
  if (seq > MAX_UNROLLED_STEPS) return ctx.unsupported(`${kind} over ${seq} steps: unrolling stops at ${MAX_UNROLLED_STEPS}`);

  // sequence_lens that are constant and all full length change nothing.
  let lensColumn: Value | null = null;
  let lensI64: Value | null = null;
  if (lens) {
    const known = ctx.constValue(lens);
    const full = known !== undefined && known.toNumbers().every((n) => n === seq);
    if (!full) {
      lensColumn = ctx.op1('unsqueeze', [cast(ctx, lens, dtype), i64s(ctx, [1])]);
      lensI64 = cast(ctx, lens, 'i64');
    }
  }

  const acts = activations(ctx, kind, D);
  const results: DirectionResult[] = [];
  for (let d = 0; d < D; d++) {
    const reverse = dir === 'reverse' || d === 1;
    const ops = { W, R, B, P, h0, c0, lensColumn };
    if (reverse && lensI64) {
      // Reverse each sequence within its own length, run forward, reverse the outputs back.
      const rx = ctx.op1('reverse_sequence', [x, lensI64], { batch_axis: 1, time_axis: 0 });
      const res = runDirection(ctx, r, acts[d]!, d, rx, seq, ops, false);
      const yd = ctx.op1('reverse_sequence', [stack(ctx, res.ys, 0), lensI64], { batch_axis: 1, time_axis: 0 });
      const ys = seq === 1 ? [ctx.op1('squeeze', [yd, i64s(ctx, [0])])] : ctx.op('split', [yd], { axis: 0, num_outputs: seq }).map((v) => ctx.op1('squeeze', [v, i64s(ctx, [0])]));
      results.push({ ...res, ys });
    } else {
      results.push(runDirection(ctx, r, acts[d]!, d, x, seq, ops, reverse));
    }
  }

  const wants = (i: number): boolean => (ctx.node.outputs[i] ?? '') !== '';
  const outs: (Value | null)[] = [null, null, null];
  if (wants(0)) {
    // [S, D, B, H]
    let y = stack(ctx, results.map((res) => stack(ctx, res.ys, 0)), 1);
    if (layout === 1) y = ctx.op1('transpose', [y], { perm: [2, 0, 1, 3] });
    outs[0] = y;
  }
  const finalState = (pick: (res: DirectionResult) => Value): Value => {
    const s = stack(ctx, results.map(pick), 0);
    return layout === 1 ? ctx.op1('transpose', [s], { perm: batchMajor }) : s;
  };
  if (wants(1)) outs[1] = finalState((res) => res.h);
  if (kind === 'LSTM' && wants(2)) outs[2] = finalState((res) => res.c!);
  return kind === 'LSTM' ? outs : outs.slice(0, 2);
}

defineImporter('RNN', (ctx, inputs) => importRecurrent('RNN', ctx, inputs));
defineImporter('GRU', (ctx, inputs) => importRecurrent('GRU', ctx, inputs));
defineImporter('LSTM', (ctx, inputs) => importRecurrent('LSTM', ctx, inputs));
