// Reference kernels: reduce_sum, reduce_prod, reduce_mean, reduce_max, reduce_min.
// arg_max/arg_min, cum_sum and top_k live in reduction-*.ts next to this file.
import { isBigInt, isFloat, type DType, type TypedArray } from '../../dtype.js';
import type { Attrs } from '../../graph.js';
import { reducedShape, reductionAxes } from '../../ops/reduction.js';
import { Tensor } from '../../tensor.js';
import { staticSize } from '../../types.js';
import { defineKernel } from '../registry.js';
import { forEachInnerRun, reductionLoops } from './reduction-layout.js';
import './reduction-arg.js';
import './reduction-cumsum.js';
import './reduction-topk.js';

type ReduceOp = 'sum' | 'prod' | 'mean' | 'max' | 'min';

const INT_RANGE: Partial<Record<DType, readonly [number, number]>> = {
  i8: [-128, 127], i16: [-32768, 32767], i32: [-(2 ** 31), 2 ** 31 - 1],
  u8: [0, 255], u16: [0, 65535], u32: [0, 2 ** 32 - 1], bool: [0, 1],
};

/** The value an empty reduction yields (and the accumulator starts from). */
function identity(op: ReduceOp, dtype: DType): number {
  switch (op) {
    case 'sum': case 'mean': return 0;
    case 'prod': return 1;
    case 'max': return INT_RANGE[dtype]?.[0] ?? -Infinity;
    case 'min': return INT_RANGE[dtype]?.[1] ?? Infinity;
  }
}

function bigIdentity(op: ReduceOp, dtype: DType): bigint {
  const signed = dtype === 'i64';
  switch (op) {
    case 'sum': case 'mean': return 0n;
    case 'prod': return 1n;
    case 'max': return signed ? -(2n ** 63n) : 0n;
    case 'min': return signed ? 2n ** 63n - 1n : 2n ** 64n - 1n;
  }
}

type RunFn<A> = (acc: A, src: A, o: number, s: number, n: number, step: number) => void;

// Innermost loops over f64 storage. NaN propagates through max/min, as in NumPy.
const F64_RUNS: Record<ReduceOp, RunFn<Float64Array>> = {
  sum: (acc, src, o, s, n, step) => {
    for (let j = 0; j < n; j++, o += step) acc[o]! += src[s + j]!;
  },
  mean: (acc, src, o, s, n, step) => {
    for (let j = 0; j < n; j++, o += step) acc[o]! += src[s + j]!;
  },
  prod: (acc, src, o, s, n, step) => {
    for (let j = 0; j < n; j++, o += step) acc[o]! *= src[s + j]!;
  },
  max: (acc, src, o, s, n, step) => {
    for (let j = 0; j < n; j++, o += step) {
      const v = src[s + j]!;
      if (v > acc[o]! || v !== v) acc[o] = v;
    }
  },
  min: (acc, src, o, s, n, step) => {
    for (let j = 0; j < n; j++, o += step) {
      const v = src[s + j]!;
      if (v < acc[o]! || v !== v) acc[o] = v;
    }
  },
};

// Products of 32-bit-or-narrower integers wrap like the integer type instead of rounding in f64.
const intProdRun: RunFn<Float64Array> = (acc, src, o, s, n, step) => {
  for (let j = 0; j < n; j++, o += step) acc[o] = Math.imul(acc[o]!, src[s + j]!);
};

type BigArray = BigInt64Array | BigUint64Array;
/** bigint accumulators: typed arrays (wrapping, like the integer type) or, for mean, unbounded. */
type BigAcc = { [i: number]: bigint };
const BIG_RUNS: Record<ReduceOp, RunFn<BigAcc>> = {
  sum: (acc, src, o, s, n, step) => {
    for (let j = 0; j < n; j++, o += step) acc[o]! += src[s + j]!;
  },
  mean: (acc, src, o, s, n, step) => {
    for (let j = 0; j < n; j++, o += step) acc[o]! += src[s + j]!;
  },
  prod: (acc, src, o, s, n, step) => {
    for (let j = 0; j < n; j++, o += step) acc[o]! *= src[s + j]!;
  },
  max: (acc, src, o, s, n, step) => {
    for (let j = 0; j < n; j++, o += step) if (src[s + j]! > acc[o]!) acc[o] = src[s + j]!;
  },
  min: (acc, src, o, s, n, step) => {
    for (let j = 0; j < n; j++, o += step) if (src[s + j]! < acc[o]!) acc[o] = src[s + j]!;
  },
};

/** Reduces `x` over sorted `axes`; the result has `x`'s dtype. */
export function reduceTensor(op: ReduceOp, x: Tensor, axes: readonly number[], keepdims: boolean): Tensor {
  const outShape = reducedShape(x.shape, axes, keepdims, 1);
  const outSize = staticSize(outShape);
  let count = 1;
  for (const a of axes) count *= x.shape[a]!;
  const loops = reductionLoops(x.shape, axes);

  if (isBigInt(x.dtype)) {
    const src = x.data as BigArray;
    const out: BigArray = x.dtype === 'i64' ? new BigInt64Array(outSize) : new BigUint64Array(outSize);
    // A mean's sum must not wrap before the division.
    const acc: BigAcc = op === 'mean' ? new Array<bigint>(outSize) : out;
    for (let i = 0; i < outSize; i++) acc[i] = bigIdentity(op, x.dtype);
    if (x.size > 0) {
      const run = BIG_RUNS[op];
      forEachInnerRun(loops, (o, s, n, step) => run(acc, src, o, s, n, step));
    }
    if (op === 'mean') {
      const c = BigInt(Math.max(count, 1));
      for (let i = 0; i < outSize; i++) out[i] = acc[i]! / c;
    }
    return new Tensor(x.dtype, outShape, out);
  }

  const src = x.toFloat64();
  const acc = new Float64Array(outSize).fill(identity(op, x.dtype));
  if (x.size > 0) {
    const run = op === 'prod' && !isFloat(x.dtype) ? intProdRun : F64_RUNS[op];
    forEachInnerRun(loops, (o, s, n, step) => run(acc, src, o, s, n, step));
  }
  if (op === 'mean') {
    // An empty mean is 0/0 = NaN for floats; integers have no NaN, so they get 0.
    for (let i = 0; i < outSize; i++) acc[i] = count > 0 ? acc[i]! / count : isFloat(x.dtype) ? NaN : 0;
  }
  return fromFloat64(x.dtype, outShape, acc);
}

/** Stores f64 results in `dtype` (integer types truncate toward zero and wrap). */
function fromFloat64(dtype: DType, shape: readonly number[], values: Float64Array): Tensor {
  if (dtype === 'f64') return new Tensor(dtype, shape, values);
  const out = Tensor.zeros(dtype, shape);
  if (dtype === 'f16' || dtype === 'bf16') {
    for (let i = 0; i < values.length; i++) out.setNumber(i, values[i]!);
  } else if (dtype === 'bool') {
    const d = out.data as Uint8Array;
    for (let i = 0; i < values.length; i++) d[i] = values[i] ? 1 : 0;
  } else {
    (out.data as Exclude<TypedArray, BigArray>).set(values);
  }
  return out;
}

function reduceKernel(op: ReduceOp) {
  return (inputs: readonly (Tensor | null)[], attrs: Attrs): Tensor[] => {
    const x = inputs[0]!;
    const axes = reductionAxes(inputs[1] ?? null, x.rank, attrs);
    if (axes === 'noop') return [x];
    return [reduceTensor(op, x, axes, (attrs['keepdims'] ?? 1) !== 0)];
  };
}

defineKernel('reduce_sum', reduceKernel('sum'));
defineKernel('reduce_prod', reduceKernel('prod'));
defineKernel('reduce_mean', reduceKernel('mean'));
defineKernel('reduce_max', reduceKernel('max'));
defineKernel('reduce_min', reduceKernel('min'));
