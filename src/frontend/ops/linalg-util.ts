// Helpers shared by the linalg importers: small constants, ranks, window attributes.
import type { DType } from '../../ir/dtype.js';
import type { Attrs, Value } from '../../ir/graph.js';
import { resolveWindow, windowAttrs, type AutoPad } from '../../ir/ops/linalg.js';
import { Tensor } from '../../ir/tensor.js';
import { isStaticShape } from '../../ir/types.js';
import type { ImportContext } from '../registry.js';
import { numericScalar } from './required-inputs.js';

/** Input `i`, which the op requires. */
export function required(ctx: ImportContext, inputs: readonly (Value | null)[], i: number, what: string): Value {
  const v = inputs[i];
  if (!v) ctx.invalid(`${ctx.node.opType} needs input ${what}`);
  return v;
}

/** A rank-0 constant of `dtype`. */
export function scalar(ctx: ImportContext, dtype: DType, value: number): Value {
  return numericScalar(ctx, dtype, value);
}

/** An i64 1-D constant (axes, shapes, slice bounds). */
export function i64s(ctx: ImportContext, values: readonly number[]): Value {
  return ctx.constant(Tensor.fromBigInts('i64', [values.length], values.map((v) => BigInt(v))));
}

export function rankOf(v: Value): number | undefined {
  return v.type.shape?.length;
}

/** The value's rank, which this importer needs to know at compile time. */
export function requireRank(ctx: ImportContext, v: Value, what: string): number {
  const r = rankOf(v);
  if (r === undefined) ctx.unsupported(`${ctx.node.opType} needs the rank of ${what} at compile time`);
  return r;
}

/** [from, from+1, ..., to-1]. */
export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}

/** Binary elementwise op. */
export function bin(ctx: ImportContext, op: string, a: Value, b: Value): Value {
  return ctx.op1(op, [a, b]);
}

/** Binary op against a scalar constant of `x`'s dtype. */
export function withScalar(ctx: ImportContext, op: string, x: Value, value: number): Value {
  return ctx.op1(op, [x, scalar(ctx, x.type.dtype, value)]);
}

export function cast(ctx: ImportContext, x: Value, to: DType): Value {
  return x.type.dtype === to ? x : ctx.op1('cast', [x], { to });
}

/** A per-channel vector [C] reshaped to [C, 1, ..., 1] so it broadcasts over `spatial` trailing dims. */
export function channelVector(ctx: ImportContext, v: Value, spatial: number): Value {
  if (spatial === 0) return v;
  return ctx.op1('unsqueeze', [v, i64s(ctx, range(1, 1 + spatial))]);
}

/**
 * Window attributes for conv/pool IR ops: ONNX defaults filled in for `n` spatial dims, and
 * auto_pad resolved into explicit pads when the input's spatial extents are static.
 */
export function windowIrAttrs(
  ctx: ImportContext, x: Value, kernel: readonly number[] | undefined, n: number | undefined, resolveSame = true,
): Record<string, number[] | string> {
  let autoPad = ctx.attrString('auto_pad', 'NOTSET') as AutoPad;
  if (autoPad !== 'NOTSET' && autoPad !== 'SAME_UPPER' && autoPad !== 'SAME_LOWER' && autoPad !== 'VALID') {
    ctx.invalid(`unknown auto_pad "${autoPad}"`);
  }
  const out: Record<string, number[] | string> = {};
  if (ctx.hasAttr('kernel_shape')) out['kernel_shape'] = ctx.attrInts('kernel_shape');
  let strides = ctx.attrInts('strides', []);
  let dilations = ctx.attrInts('dilations', []);
  let pads = ctx.attrInts('pads', []);
  if (n !== undefined) {
    if (strides.length === 0) strides = new Array(n).fill(1);
    if (dilations.length === 0) dilations = new Array(n).fill(1);
    if (pads.length === 0 || autoPad === 'VALID') pads = new Array(2 * n).fill(0);
    if (autoPad === 'VALID') autoPad = 'NOTSET';
  }
  const spatial = x.type.shape?.slice(2);
  if (resolveSame && autoPad !== 'NOTSET' && kernel && spatial && isStaticShape(spatial)) {
    const attrs: Attrs = { strides, dilations, pads, auto_pad: autoPad };
    try {
      pads = resolveWindow(spatial, windowAttrs(attrs, kernel)).pads;
    } catch (e) {
      ctx.invalid((e as Error).message);
    }
    autoPad = 'NOTSET';
  }
  out['strides'] = strides;
  out['dilations'] = dilations;
  out['pads'] = pads;
  out['auto_pad'] = autoPad;
  return out;
}
