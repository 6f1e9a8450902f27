// IR op definitions: random number generators. Each draws from a PRNG seeded by `seed` when set
// (same seed, same values), otherwise from a fresh seed on every run. They must never be folded.
//
//   random_uniform (shape i64[r]) {dtype, low, high, seed?}   → dtype[shape]
//   random_normal  (shape i64[r]) {dtype, mean, scale, seed?} → dtype[shape]
//   bernoulli      (p f[...]) {dtype, seed?}                  → dtype[...]: 1 with probability p
//   multinomial    (logits f[B,C]) {dtype: i32|i64, sample_size, seed?} → dtype[B, sample_size]
//                   logits are unnormalised log-probabilities of the C classes
import { isFloat, isNumeric } from '../dtype.js';
import { rankFromShapeOperand, type Dim } from '../types.js';
import { defineOp } from './registry.js';
import { attrDType, attrInt, freshDim, need, requireFloat, requireRank } from './special-util.js';

function shapeFromOperand(shapeType: { shape: readonly Dim[] | null }, value: { size: number; getNumber(i: number): number } | undefined): Dim[] | null {
  if (value) {
    const dims: number[] = [];
    for (let i = 0; i < value.size; i++) {
      const d = value.getNumber(i);
      if (!Number.isInteger(d) || d < 0) throw new Error(`invalid shape entry ${d}`);
      dims.push(d);
    }
    return dims;
  }
  const n = shapeType.shape?.length === 1 ? shapeType.shape[0] : undefined;
  if (typeof n !== 'number') return null;
  return Array.from({ length: rankFromShapeOperand(n, 'shape') }, () => freshDim('random'));
}

for (const name of ['random_uniform', 'random_normal']) {
  defineOp({
    name,
    kind: 'special',
    infer({ inputs, attrs, consts }) {
      const shape = need(inputs, 0, 'shape');
      if (shape.dtype !== 'i64') throw new Error(`shape must be i64, got ${shape.dtype}`);
      const dtype = attrDType(attrs, 'dtype', 'f32');
      if (!isFloat(dtype)) throw new Error(`${name} dtype must be a float type, got ${dtype}`);
      return [{ dtype, shape: shapeFromOperand(shape, consts[0]) }];
    },
  });
}

defineOp({
  name: 'bernoulli',
  kind: 'special',
  infer({ inputs, attrs }) {
    const p = need(inputs, 0, 'input');
    requireFloat(p, 'input');
    const dtype = attrDType(attrs, 'dtype', p.dtype);
    if (!isNumeric(dtype) && dtype !== 'bool') throw new Error(`bernoulli dtype must be numeric or bool, got ${dtype}`);
    return [{ dtype, shape: p.shape }];
  },
});

defineOp({
  name: 'multinomial',
  kind: 'special',
  infer({ inputs, attrs }) {
    const logits = need(inputs, 0, 'input');
    requireFloat(logits, 'input');
    requireRank(logits, 2, 'input');
    const dtype = attrDType(attrs, 'dtype', 'i32');
    if (dtype !== 'i32' && dtype !== 'i64') throw new Error(`multinomial dtype must be i32 or i64, got ${dtype}`);
    const samples = attrInt(attrs, 'sample_size', 1);
    if (samples < 1) throw new Error(`sample_size must be positive, got ${samples}`);
    return [{ dtype, shape: [logits.shape ? logits.shape[0]! : freshDim('batch'), samples] }];
  },
});
