import type { DType } from './dtype.js';

/** A dimension: a static extent, or a symbol (ONNX `dim_param`, or one invented for unknown dims). */
export type Dim = number | string;
export type Shape = readonly Dim[];

/** The type of an SSA value. `shape === null` means the rank is unknown. */
export interface TensorType {
  readonly dtype: DType;
  readonly shape: Shape | null;
}

export function tensorType(dtype: DType, shape: Shape | null): TensorType {
  return { dtype, shape };
}

export function isStaticShape(shape: Shape | null): shape is readonly number[] {
  return shape !== null && shape.every((d) => typeof d === 'number');
}

export function staticSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function formatShape(shape: Shape | null): string {
  return shape === null ? '*' : `[${shape.join(',')}]`;
}

export function formatType(t: TensorType): string {
  return `${t.dtype}${formatShape(t.shape)}`;
}

export function sameDim(a: Dim, b: Dim): boolean {
  return a === b;
}

/**
 * NumPy-style broadcast of shapes. Returns null when any input rank is unknown.
 * Throws a plain Error on incompatible static dims (callers wrap it with the node as culprit).
 */
export function broadcastShapes(shapes: readonly (Shape | null)[]): Dim[] | null {
  if (shapes.some((s) => s === null)) return null;
  const rank = Math.max(0, ...shapes.map((s) => s!.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let d: Dim = 1;
    for (const s of shapes) {
      const k = s!.length - rank + i;
      if (k < 0) continue;
      const e = s![k]!;
      if (e === 1) continue;
      if (d === 1) d = e;
      else if (d !== e) {
        if (typeof d === 'number' && typeof e === 'number') {
          throw new Error(`cannot broadcast shapes ${shapes.map(formatShape).join(' and ')}`);
        }
        // Symbolic against something else: assume they agree at run time, prefer the static one.
        if (typeof e === 'number') d = e;
      }
    }
    out.push(d);
  }
  return out;
}

/**
 * The most dims a tensor may have. A 1-D shape operand's length becomes a rank, so a corrupt
 * model declaring `i64[2147483648]` must be refused rather than allocate billions of dims.
 */
export const MAX_RANK = 64;

/** The rank a 1-D shape operand of `length` elements gives, checked against MAX_RANK. */
export function rankFromShapeOperand(length: number, what: string): number {
  if (length > MAX_RANK) throw new Error(`${what} has ${length} elements: tensors have at most ${MAX_RANK} dims`);
  return length;
}
