// Reference kernel: matmul with NumPy semantics (1-D operands, batch broadcasting).
// Floats accumulate in f64; 32-bit-and-narrower ints wrap like C; 64-bit ints use BigInt.
import { isBigInt, isFloat } from '../../dtype.js';
import { matmulShape } from '../../ops/linalg.js';
import { Tensor } from '../../tensor.js';
import { defineKernel } from '../registry.js';
import { broadcastOffsets, tensorFromF64 } from './linalg-util.js';

interface MatmulPlan {
  m: number;
  k: number;
  n: number;
  outShape: number[];
  /** Per output batch, the element offsets of its A and B matrices. */
  aOffsets: Int32Array;
  bOffsets: Int32Array;
}

function planMatmul(aShape: readonly number[], bShape: readonly number[]): MatmulPlan {
  const outShape = matmulShape(aShape, bShape) as number[];
  const a2 = aShape.length === 1 ? [1, aShape[0]!] : aShape;
  const b2 = bShape.length === 1 ? [bShape[0]!, 1] : bShape;
  const m = a2[a2.length - 2]!;
  const k = a2[a2.length - 1]!;
  const n = b2[b2.length - 1]!;
  if (b2[b2.length - 2] !== k) throw new Error(`matmul inner dims differ: ${k} vs ${b2[b2.length - 2]}`);
  const aBatch = a2.slice(0, -2);
  const bBatch = b2.slice(0, -2);
  const rank = Math.max(aBatch.length, bBatch.length);
  const batch: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = aBatch[aBatch.length - rank + i] ?? 1;
    const db = bBatch[bBatch.length - rank + i] ?? 1;
    batch.push(da === 1 ? db : da);
  }
  const aOffsets = broadcastOffsets(batch, aBatch).map((o) => o * m * k);
  const bOffsets = broadcastOffsets(batch, bBatch).map((o) => o * k * n);
  return { m, k, n, outShape, aOffsets, bOffsets };
}

function matmulF64(a: Float64Array, b: Float64Array, p: MatmulPlan): Float64Array {
  const { m, k, n } = p;
  const out = new Float64Array(p.aOffsets.length * m * n);
  for (let bi = 0; bi < p.aOffsets.length; bi++) {
    const ao = p.aOffsets[bi]!;
    const bo = p.bOffsets[bi]!;
    const oo = bi * m * n;
    for (let i = 0; i < m; i++) {
      const row = oo + i * n;
      for (let kk = 0; kk < k; kk++) {
        const av = a[ao + i * k + kk]!;
        if (av === 0) continue;
        const br = bo + kk * n;
        for (let j = 0; j < n; j++) out[row + j]! += av * b[br + j]!;
      }
    }
  }
  return out;
}

/** Integer matmul wrapping modulo 2^32, as C int32 arithmetic does. */
function matmulI32(a: ArrayLike<number>, b: ArrayLike<number>, p: MatmulPlan): Int32Array {
  const { m, k, n } = p;
  const out = new Int32Array(p.aOffsets.length * m * n);
  for (let bi = 0; bi < p.aOffsets.length; bi++) {
    const ao = p.aOffsets[bi]!;
    const bo = p.bOffsets[bi]!;
    const oo = bi * m * n;
    for (let i = 0; i < m; i++) {
      const row = oo + i * n;
      for (let kk = 0; kk < k; kk++) {
        const av = a[ao + i * k + kk]! | 0;
        if (av === 0) continue;
        const br = bo + kk * n;
        for (let j = 0; j < n; j++) out[row + j] = (out[row + j]! + Math.imul(av, b[br + j]! | 0)) | 0;
      }
    }
  }
  return out;
}

function matmulBig(a: ArrayLike<bigint>, b: ArrayLike<bigint>, p: MatmulPlan, signed: boolean): bigint[] {
  const { m, k, n } = p;
  const out = new Array<bigint>(p.aOffsets.length * m * n).fill(0n);
  for (let bi = 0; bi < p.aOffsets.length; bi++) {
    const ao = p.aOffsets[bi]!;
    const bo = p.bOffsets[bi]!;
    const oo = bi * m * n;
    for (let i = 0; i < m; i++) {
      const row = oo + i * n;
      for (let kk = 0; kk < k; kk++) {
        const av = a[ao + i * k + kk]!;
        if (av === 0n) continue;
        const br = bo + kk * n;
        for (let j = 0; j < n; j++) out[row + j] = out[row + j]! + av * b[br + j]!;
      }
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = signed ? BigInt.asIntN(64, out[i]!) : BigInt.asUintN(64, out[i]!);
  return out;
}

export function matmul(a: Tensor, b: Tensor): Tensor {
  const plan = planMatmul(a.shape, b.shape);
  const dtype = a.dtype;
  if (isFloat(dtype)) return tensorFromF64(dtype, plan.outShape, matmulF64(a.toFloat64(), b.toFloat64(), plan));
  if (isBigInt(dtype)) {
    const out = matmulBig(a.data as BigInt64Array, b.data as BigInt64Array, plan, dtype === 'i64');
    return Tensor.fromBigInts(dtype as 'i64' | 'u64', plan.outShape, out);
  }
  const r = matmulI32(a.data as ArrayLike<number>, b.data as ArrayLike<number>, plan);
  const t = Tensor.zeros(dtype, plan.outShape);
  // Typed-array stores wrap to the element width, like the C arithmetic they mirror.
  (t.data as Int32Array).set(r);
  return t;
}

defineKernel('matmul', ([a, b]) => {
  if (!a || !b) throw new Error('matmul needs two operands');
  return [matmul(a, b)];
});
