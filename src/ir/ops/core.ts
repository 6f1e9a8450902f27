// IR op definitions: core ops — constants, shape queries, casts.
import { ALL_DTYPES, type DType } from '../dtype.js';
import { Tensor } from '../tensor.js';
import { rankFromShapeOperand, type Dim, type TensorType } from '../types.js';
import { defineOp } from './registry.js';

let freshCounter = 0;
/** A new symbolic dim for an extent inference cannot know. */
function freshDim(hint: string): string {
  return `${hint}?${freshCounter++}`;
}

/**
 * `constant`: attrs {hash} names an entry of the module's constants pool. Its type comes from
 * the pool (the builder and the interpreter handle it), so there is nothing to infer here.
 */
defineOp({
  name: 'constant',
  kind: 'constant',
  infer() {
    throw new Error('constant types come from the module constants pool');
  },
});

/** Normalized [start, end) of `shape` on a rank-`rank` input (ONNX Shape-15 clamping rules). */
export function shapeRange(rank: number, start: number, end: number | null): [number, number] {
  const norm = (v: number) => Math.min(rank, Math.max(0, v < 0 ? v + rank : v));
  const s = norm(start);
  const e = end === null ? rank : norm(end);
  return [s, Math.max(s, e)];
}

/** `shape`: the input's dims [start, end) as an i64 vector. Attrs: start (default 0), end (null = rank). */
defineOp({
  name: 'shape',
  kind: 'host',
  infer({ inputs, attrs }) {
    const x = inputs[0];
    if (!x || inputs.length !== 1) throw new Error('shape takes one input');
    if (x.shape === null) return [{ dtype: 'i64', shape: [freshDim('shape')] }];
    const [s, e] = shapeRange(x.shape.length, Number(attrs['start'] ?? 0), (attrs['end'] ?? null) as number | null);
    return [{ dtype: 'i64', shape: [e - s] }];
  },
});

/** `size`: the input's element count as an i64 scalar. */
defineOp({
  name: 'size',
  kind: 'host',
  infer({ inputs }) {
    if (!inputs[0] || inputs.length !== 1) throw new Error('size takes one input');
    return [{ dtype: 'i64', shape: [] }];
  },
});

/**
 * `cast`: elementwise conversion to attrs.to (a DType). Floats → ints truncate toward zero,
 * anything → bool is x != 0, → f16/bf16 rounds to nearest even; strings parse/print numbers.
 */
defineOp({
  name: 'cast',
  kind: 'elementwise',
  infer({ inputs, attrs }) {
    const x = inputs[0];
    if (!x || inputs.length !== 1) throw new Error('cast takes one input');
    const to = attrs['to'] as DType;
    if (!ALL_DTYPES.includes(to)) throw new Error(`cast: unknown target type ${String(to)}`);
    return [{ dtype: to, shape: x.shape }];
  },
});

/**
 * `constant_of_shape`: a tensor of shape input[0] (a 1-D i64 vector) filled with attrs.value
 * (a one-element Tensor; its dtype is the result's).
 */
defineOp({
  name: 'constant_of_shape',
  kind: 'elementwise',
  infer({ inputs, attrs, consts }) {
    const s = inputs[0];
    if (!s || inputs.length !== 1) throw new Error('constant_of_shape takes one input');
    if (s.dtype !== 'i64') throw new Error(`constant_of_shape: shape must be i64, got ${s.dtype}`);
    const value = attrs['value'];
    if (!(value instanceof Tensor) || value.size !== 1) throw new Error('constant_of_shape: value must be a one-element tensor');
    return [{ dtype: value.dtype, shape: shapeOperand(s, consts[0], 'constant_of_shape') }];
  },
});

/** The shape a 1-D i64 shape operand denotes: exact when constant, symbols when only its length is known. */
export function shapeOperand(t: TensorType, value: Tensor | undefined, hint: string): Dim[] | null {
  if (value) {
    const dims = Array.from({ length: value.size }, (_, i) => Number(value.getBigInt(i)));
    if (dims.some((d) => d < 0)) throw new Error(`${hint}: negative dim in [${dims.join(',')}]`);
    return dims;
  }
  if (t.shape && t.shape.length === 1 && typeof t.shape[0] === 'number') {
    return Array.from({ length: rankFromShapeOperand(t.shape[0], hint) }, () => freshDim(hint));
  }
  return null;
}
