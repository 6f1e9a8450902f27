import type { DispatchRegion } from '../ir/partition.js';
import { staticSize } from '../ir/types.js';
import { add, delinearize, i32, min, mul } from './expr.js';
import type { Expr, Kernel, Stmt } from './kernel-ir.js';
import type { KernelTuning } from './kernel-tuning.js';
import { RegionLowering } from './lowering/region-context.js';
import { getLowering } from './lowering/registry.js';
import { selectStrategy, type StrategyName } from './strategies/index.js';
import type { Node } from '../ir/graph.js';
import { isStaticShape } from '../ir/types.js';
import './lowering/index.js';
import { regionBindings } from './region-bindings.js';

/** Whether a node can run inside a dispatch: it has a lowering rule and static shapes. */
export function canLowerNode(n: Node): boolean {
  return getLowering(n.op) !== undefined
    && n.outputs.every((o) => isStaticShape(o.type.shape) && o.type.dtype !== 'string')
    && n.inputs.every((i) => !i || (isStaticShape(i.type.shape) && i.type.dtype !== 'string'));
}

/** Stands for the run-time batch size in a kernel's workgroup count. */
export const BATCH_COUNT: Expr = { k: 'param', index: -1 };

function isBatched(region: DispatchRegion): boolean {
  return region.batchedOutput || region.batchedInputs.some(Boolean);
}

/** Output elements one CPU workgroup computes, roughly: enough work to amortise the call. */
export const ELEMENTS_PER_WORKGROUP = 4096;

/**
 * Lowers a dispatch region to a kernel: a fast strategy's (strategies/) where one applies, else
 * the generic one. `tuning` picks among equivalent kernels (see kernel-tuning.ts); `{}` is the
 * default kernel.
 */
export function lowerRegion(region: DispatchRegion, name: string, tuning: KernelTuning = {}): Kernel {
  return lowerRegionWith(region, name, tuning).kernel;
}

/** lowerRegion, also naming the strategy that lowered the region (`generic` for the generic kernel). */
export function lowerRegionWith(region: DispatchRegion, name: string, tuning: KernelTuning = {}): { strategy: StrategyName | 'generic'; kernel: Kernel } {
  // A fast strategy (register-tiled SIMD matmul/conv) when one applies to the region.
  const fast = selectStrategy(region, name, tuning);
  const strategy = fast?.strategy ?? 'generic';
  const kernel = fast?.kernel ?? lowerGeneric(region, name, tuning);
  return { strategy, kernel: tuning.vectorize === false ? withoutVectorHints(kernel) : kernel };
}

/** Rows of the generic kernel's output (all dims but the last) and how many one workgroup takes. */
export function genericRowSplit(region: DispatchRegion, workgroups?: number): { rows: number; rowsPerGroup: number; groups: number } {
  const shape = region.output.type.shape as readonly number[];
  const inner = shape.length > 0 ? shape[shape.length - 1]! : 1;
  const total = staticSize(shape);
  const rows = inner === 0 ? 0 : total / inner;
  let rowsPerGroup = Math.max(1, Math.floor(ELEMENTS_PER_WORKGROUP / Math.max(1, inner)));
  const groups = Math.ceil(rows / rowsPerGroup);
  // The `workgroups` knob scales the default blocks (the default count gives the default split).
  if (workgroups !== undefined && groups > 0) rowsPerGroup = Math.max(1, Math.ceil((rowsPerGroup * groups) / Math.max(1, workgroups)));
  return { rows, rowsPerGroup, groups: Math.ceil(rows / rowsPerGroup) };
}

/**
 * The generic kernel: workgroups take blocks of rows of the output (all dims but the last), each
 * row runs the innermost dim, and every element is computed by the fused scalar program of the
 * region's nodes. Knobs: `workgroups` (how many row blocks), `vectorize` (in lowerRegion).
 */
function lowerGeneric(region: DispatchRegion, name: string, tuning: KernelTuning): Kernel {
  const out = region.output;
  const shape = out.type.shape as readonly number[];
  const inner = shape.length > 0 ? shape[shape.length - 1]! : 1;
  const { rows, rowsPerGroup, groups } = genericRowSplit(region, tuning.workgroups);

  const ctx = new RegionLowering(region);
  const outBinding = region.inputs.length;
  const first = mul({ k: 'wgid', dim: 0 }, i32(rowsPerGroup));
  ctx.loop(first, min(add(first, i32(rowsPerGroup)), i32(rows)), (row) => {
    const outer = delinearize(row, shape.slice(0, -1));
    ctx.loop(i32(0), i32(inner), (col) => {
      const idx: Expr[] = shape.length > 0 ? [...outer, col] : [];
      const value = ctx.value(out, idx);
      const at = add(mul(row, i32(inner)), col);
      ctx.emit({ k: 'store', binding: outBinding, index: region.batchedOutput ? add(at, ctx.sampleOffset(out)) : at, value });
    }, { vectorize: true });
  });

  const bindings = regionBindings(region);
  return {
    name,
    bindings,
    numParams: 0,
    // A batched region runs one z-slice per sample; the host sets z to the batch size.
    workgroupCount: [i32(groups), i32(1), isBatched(region) ? BATCH_COUNT : i32(1)],
    workgroupSize: [1, 1, 1],
    body: ctx.statements,
  };
}

/** The kernel with every loop's SIMD hint dropped: each loop runs one element per iteration. */
export function withoutVectorHints(kernel: Kernel): Kernel {
  const scalar = (s: Stmt): Stmt => {
    if (s.k === 'for') {
      const { vectorize: _hint, ...rest } = s;
      return { ...rest, body: s.body.map(scalar) };
    }
    if (s.k === 'if') return { ...s, then: s.then.map(scalar), ...(s.else ? { else: s.else.map(scalar) } : {}) };
    return s;
  };
  return { ...kernel, body: kernel.body.map(scalar) };
}
