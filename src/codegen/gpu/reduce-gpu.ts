/**
 * GPU reduction strategy for regions rooted at reduce_sum / reduce_max / reduce_mean over the
 * innermost axis (f32): one workgroup per output row. Each invocation folds a strided share of
 * the row (elements lid, lid + W, ...) fetched through the region's lowering context (so fused
 * producers work), the partials meet in workgroup memory and are combined by a tree of halving
 * steps separated by barriers; invocation 0 applies the region's elementwise epilogue to the
 * result (substituted for the reduce node's value) and stores it.
 */
import type { Node } from '../../ir/graph.js';
import { getOpDef } from '../../ir/ops/registry.js';
import { reductionAxes } from '../../ir/ops/reduction.js';
import type { DispatchRegion } from '../../ir/partition.js';
import { add, binary, cmp, delinearize, i32, linearize, min, mul, select } from '../expr.js';
import { barrier, sharedLoad, sharedStore, type Expr, type Kernel } from '../kernel-ir.js';
import type { GpuTuning } from './gpu-tuning.js';
import { SubstitutingLowering } from './substituting-lowering.js';
import { splitWorkgroups } from './workgroup-grid.js';
import { regionBindings } from '../region-bindings.js';

type Kind = 'sum' | 'max' | 'mean';
const KINDS: Readonly<Record<string, Kind>> = { reduce_sum: 'sum', reduce_max: 'max', reduce_mean: 'mean' };

/** Invocations per reduction workgroup: the tuning's size rounded down to a power of two. */
export function reduceWorkgroupSize(tuning: GpuTuning): number {
  let w = 1;
  while (w * 2 <= Math.min(tuning.reduceWorkgroupSize, tuning.maxInvocationsPerWorkgroup)) w *= 2;
  return w;
}

/**
 * The region's reduce node when the tree strategy applies: f32 reduce_sum/max/mean over the
 * innermost axis only (compile-time axes), a row at least as long as the workgroup, an unbatched
 * region, and only same-shaped elementwise nodes downstream of the reduction.
 */
export function treeReduceNode(region: DispatchRegion, tuning: GpuTuning): Node | undefined {
  if (!tuning.treeReduce || region.batchedOutput || region.batchedInputs.some(Boolean)) return undefined;
  for (let n = region.nodes.length - 1; n >= 0; n--) {
    const node = region.nodes[n]!;
    if (!KINDS[node.op]) continue;
    if (applies(region, node, tuning)) return node;
  }
  return undefined;
}

function applies(region: DispatchRegion, node: Node, tuning: GpuTuning): boolean {
  const x = node.inputs[0];
  const y = node.outputs[0];
  if (!x || !y || x.type.dtype !== 'f32' || y.type.dtype !== 'f32') return false;
  const shape = x.type.shape;
  const ys = y.type.shape;
  if (!shape || !ys || shape.length === 0 || !shape.every((d) => typeof d === 'number' && d > 0)) return false;
  const operand = node.inputs[1] ?? null;
  const axes = operand ? region.inlined.get(operand.id) : undefined;
  if (operand && !axes) return false;
  const list = reductionAxes(axes ?? null, shape.length, node.attrs);
  if (list === 'noop' || list.length !== 1 || list[0] !== shape.length - 1) return false;
  if ((shape[shape.length - 1] as number) < reduceWorkgroupSize(tuning)) return false;
  const same = (s: readonly unknown[] | null): boolean => !!s && s.length === ys.length && s.every((d, i) => d === ys[i]);
  const downstream = new Set<number>([y.id]);
  for (const m of region.nodes) {
    if (m === node || !m.inputs.some((v) => v && downstream.has(v.id))) continue;
    if (getOpDef(m.op)?.kind !== 'elementwise' || m.outputs.length !== 1 || !same(m.outputs[0]!.type.shape)) return false;
    downstream.add(m.outputs[0]!.id);
  }
  return downstream.has(region.output.id) && same(region.output.type.shape);
}

/** a ⊕ b for the reduction kind (max keeps a NaN from either side, as the reference does). */
function combine(kind: Kind, a: Expr, b: Expr): Expr {
  if (kind !== 'max') return binary('add', a, b, 'f32');
  const take = binary('or', binary('gt', b, a, 'f32'), binary('ne', b, b, 'f32'), 'i32');
  return select(take, b, a, 'f32');
}

export function lowerTreeReduceGpu(region: DispatchRegion, node: Node, name: string, tuning: GpuTuning): Kernel {
  const kind = KINDS[node.op]!;
  const x = node.inputs[0]!;
  const y = node.outputs[0]!;
  const shape = x.type.shape as readonly number[];
  const ys = y.type.shape as readonly number[];
  const keepdims = (node.attrs['keepdims'] ?? 1) !== 0;
  const L = shape[shape.length - 1]!;
  const outer = shape.slice(0, -1);
  const rowsTotal = outer.reduce((p, d) => p * d, 1);
  const W = reduceWorkgroupSize(tuning);
  const grid = splitWorkgroups(rowsTotal, tuning.maxWorkgroupsPerDimension, name);

  const ctx = new SubstitutingLowering(region);
  const lid: Expr = { k: 'lid', dim: 0 };
  const wgx: Expr = { k: 'wgid', dim: 0 };
  const row = ctx.bind(grid.y > 1 ? add(mul({ k: 'wgid', dim: 1 }, i32(grid.x)), wgx) : wgx, 'i32');
  // Rows past the end (a folded grid's tail) read the last row and store nothing: every
  // invocation reaches the barriers.
  const rowIdx = delinearize(min(row, i32(rowsTotal - 1)), outer).map((e) => ctx.bind(e, 'i32'));
  const identity: Expr = { k: 'const', t: 'f32', v: kind === 'max' ? -Infinity : 0 };
  const acc = ctx.fresh('acc');
  const accVar: Expr = { k: 'var', name: acc, t: 'f32' };
  ctx.emit({ k: 'var', name: acc, value: identity });
  ctx.loop(i32(0), i32(Math.ceil(L / W)), (c) => {
    const l = ctx.bind(add(mul(c, i32(W)), lid), 'i32');
    ctx.when(cmp('lt', l, i32(L)), () => {
      const v = ctx.value(x, [...rowIdx, l]);
      ctx.emit({ k: 'assign', name: acc, value: combine(kind, accVar, v) });
    });
  });
  ctx.emit(sharedStore('partial', lid, accVar));
  ctx.emit(barrier());
  for (let s = W / 2; s >= 1; s /= 2) {
    ctx.when(cmp('lt', lid, i32(s)), () => {
      ctx.emit(sharedStore('partial', lid, combine(kind, sharedLoad('partial', lid), sharedLoad('partial', add(lid, i32(s))))));
    });
    ctx.emit(barrier());
  }
  const out = region.output;
  ctx.when(binary('and', cmp('eq', lid, i32(0)), cmp('lt', row, i32(rowsTotal)), 'i32'), () => {
    const total = sharedLoad('partial', i32(0));
    ctx.setSubstitute(y, kind === 'mean' ? binary('div', total, { k: 'const', t: 'f32', v: L }, 'f32') : total);
    const idx = keepdims ? [...rowIdx, i32(0)] : rowIdx;
    ctx.emit({ k: 'store', binding: region.inputs.length, index: linearize(idx, ys), value: ctx.value(out, idx) });
  });

  const bindings = regionBindings(region);
  return {
    name,
    bindings,
    numParams: 0,
    workgroupCount: [i32(grid.x), i32(grid.y), i32(1)],
    workgroupSize: [W, 1, 1],
    body: ctx.statements,
    shared: [{ name: 'partial', size: W }],
  };
}
