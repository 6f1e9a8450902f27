/**
 * GPU matmul strategy: a workgroup of T × T invocations computes a (T·r) × (T·r) block of the
 * output, each invocation an r × r register tile of accumulators. K is walked in T-wide slabs:
 * the invocations stage A's (T·r) × T and B's T × (T·r) slab in workgroup memory, a barrier, then
 * each accumulates its tile over the slab out of workgroup memory, another barrier.
 * Operands are fetched with the region's lowering context at clamped indices (so fused producers,
 * transposes and broadcasts work) and masked to 0 past the edges. The region's elementwise
 * epilogue (bias, activation...) is applied to the accumulator by substituting it for the matmul
 * node's value.
 */
import type { Node } from '../../ir/graph.js';
import { getOpDef } from '../../ir/ops/registry.js';
import type { DispatchRegion } from '../../ir/partition.js';
import { add, and, broadcastIndex, cmp, delinearize, i32, linearize, min, mul, select, binary } from '../expr.js';
import { barrier, sharedLoad, sharedStore, type Expr, type Kernel } from '../kernel-ir.js';
import { SubstitutingLowering } from './substituting-lowering.js';
import type { GpuTuning } from './gpu-tuning.js';
import { regionBindings } from '../region-bindings.js';

/**
 * The region's matmul node when the tiled strategy applies: one f32 matmul of matrices (rank ≥ 2
 * operands, static shapes), unbatched region, and everything downstream of it elementwise over
 * the matmul's own shape (so the epilogue reads the matmul at the output element's index).
 */
export function tiledMatmulNode(region: DispatchRegion, tuning: GpuTuning): Node | undefined {
  const slabBytes = 8 * tuning.matmulTile * tuning.matmulTile * tuning.matmulRegisterTile;
  if (!tuning.tiledMatmul || slabBytes > tuning.maxWorkgroupStorageBytes || region.batchedOutput || region.batchedInputs.some(Boolean)) return undefined;
  const matmuls = region.nodes.filter((n) => n.op === 'matmul');
  if (matmuls.length !== 1) return undefined;
  const mm = matmuls[0]!;
  const [a, b] = mm.inputs;
  const y = mm.outputs[0];
  if (!a || !b || !y || mm.outputs.length !== 1) return undefined;
  if (a.type.dtype !== 'f32' || b.type.dtype !== 'f32' || y.type.dtype !== 'f32') return undefined;
  const as = a.type.shape;
  const bs = b.type.shape;
  const ys = y.type.shape;
  if (!as || !bs || !ys || as.length < 2 || bs.length < 2) return undefined;
  if (![...as, ...bs, ...ys].every((d) => typeof d === 'number' && d > 0)) return undefined;
  const same = (s: readonly unknown[] | null): boolean => !!s && s.length === ys.length && s.every((d, i) => d === ys[i]);
  // Downstream nodes: elementwise, same shape as the matmul's output.
  const downstream = new Set<number>([y.id]);
  for (const n of region.nodes) {
    if (n === mm || !n.inputs.some((v) => v && downstream.has(v.id))) continue;
    if (getOpDef(n.op)?.kind !== 'elementwise' || n.outputs.length !== 1 || !same(n.outputs[0]!.type.shape)) return undefined;
    downstream.add(n.outputs[0]!.id);
  }
  if (!downstream.has(region.output.id) || !same(region.output.type.shape)) return undefined;
  // Grids past the per-dimension limit fall back to the generic strategy (which folds its grid).
  const side = tuning.matmulTile * tuning.matmulRegisterTile;
  const dims = ys as readonly number[];
  const batches = dims.slice(0, -2).reduce((p, d) => p * d, 1);
  const limit = tuning.maxWorkgroupsPerDimension;
  if (Math.ceil(dims[dims.length - 1]! / side) > limit || Math.ceil(dims[dims.length - 2]! / side) > limit || batches > limit) return undefined;
  return mm;
}

/** Workgroups a default register tile should still give a matmul: enough to fill a big GPU's cores. */
export const OCCUPANCY_WORKGROUPS = 128;

/**
 * The register tile a tiled matmul gets when the tuning names none: the largest of the
 * configured one and its halves that still gives OCCUPANCY_WORKGROUPS workgroups, else 1. Big
 * register tiles save loads, but on a small matmul (a 128-row transformer layer, a classifier)
 * they leave most of a GPU idle: `ireets tune` on an H100 chose exactly these tiles for every
 * such matmul of the fixtures (0.43–0.86 of the time of r = 4).
 */
export function defaultRegisterTile(region: DispatchRegion, tuning: GpuTuning): number {
  const mm = tiledMatmulNode(region, tuning);
  if (!mm) return tuning.matmulRegisterTile;
  const ys = mm.outputs[0]!.type.shape as readonly number[];
  const m = ys[ys.length - 2]!;
  const n = ys[ys.length - 1]!;
  const batches = ys.slice(0, -2).reduce((p, d) => p * d, 1);
  for (let r = tuning.matmulRegisterTile; r > 1; r = Math.floor(r / 2)) {
    const side = tuning.matmulTile * r;
    if (batches * Math.ceil(m / side) * Math.ceil(n / side) >= OCCUPANCY_WORKGROUPS) return r;
  }
  return 1;
}

export function lowerMatmulGpu(region: DispatchRegion, mm: Node, name: string, tuning: GpuTuning): Kernel {
  const T = tuning.matmulTile;
  const R = tuning.matmulRegisterTile;
  const TR = T * R;
  const a = mm.inputs[0]!;
  const b = mm.inputs[1]!;
  const y = mm.outputs[0]!;
  const as = a.type.shape as readonly number[];
  const bs = b.type.shape as readonly number[];
  const ys = y.type.shape as readonly number[];
  const M = ys[ys.length - 2]!;
  const N = ys[ys.length - 1]!;
  const K = as[as.length - 1]!;
  const batchShape = ys.slice(0, -2);
  const batches = batchShape.reduce((p, d) => p * d, 1);
  const gx = Math.ceil(N / TR);
  const gy = Math.ceil(M / TR);
  if (gx > tuning.maxWorkgroupsPerDimension || gy > tuning.maxWorkgroupsPerDimension || batches > tuning.maxWorkgroupsPerDimension) {
    throw new Error(`matmul ${ys.join('×')} needs more workgroups per dimension than the GPU allows`);
  }

  const ctx = new SubstitutingLowering(region);
  const lx: Expr = { k: 'lid', dim: 0 };
  const ly: Expr = { k: 'lid', dim: 1 };
  const zero: Expr = { k: 'const', t: 'f32', v: 0 };
  const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
  // Invocation (lx, ly) owns output rows rowBase + ly + i·T and columns colBase + lx + j·T
  // (strided, so neighbouring invocations touch neighbouring elements).
  const rowBase = ctx.bind(mul({ k: 'wgid', dim: 1 }, i32(TR)), 'i32');
  const colBase = ctx.bind(mul({ k: 'wgid', dim: 0 }, i32(TR)), 'i32');
  const rows = range(R).map((i) => ctx.bind(add(rowBase, add(ly, i32(i * T))), 'i32'));
  const cols = range(R).map((j) => ctx.bind(add(colBase, add(lx, i32(j * T))), 'i32'));
  const batch = batchShape.length > 0 ? delinearize({ k: 'wgid', dim: 2 }, batchShape).map((e) => ctx.bind(e, 'i32')) : [];
  const aBatch = broadcastIndex(batch, as.slice(0, -2));
  const bBatch = broadcastIndex(batch, bs.slice(0, -2));

  const accs = range(R * R).map(() => ctx.fresh('acc'));
  for (const acc of accs) ctx.emit({ k: 'var', name: acc, value: zero });
  const f32Var = (name: string): Expr => ({ k: 'var', name, t: 'f32' });
  ctx.loop(i32(0), i32(Math.ceil(K / T)), (slab) => {
    const k0 = ctx.bind(mul(slab, i32(T)), 'i32');
    // A's slab is TR × T (row-major), B's T × TR; each invocation stages R elements of each,
    // fetched at clamped indices and zeroed past the edges.
    const ka = ctx.bind(add(k0, lx), 'i32');
    const kaIn = ctx.bind(cmp('lt', ka, i32(K)), 'i32');
    const kaAt = min(ka, i32(K - 1));
    for (const i of range(R)) {
      const v = ctx.value(a, [...aBatch, min(rows[i]!, i32(M - 1)), kaAt]);
      const slot = add(mul(add(ly, i32(i * T)), i32(T)), lx);
      ctx.emit(sharedStore('tileA', slot, select(and(cmp('lt', rows[i]!, i32(M)), kaIn), v, zero, 'f32')));
    }
    const kb = ctx.bind(add(k0, ly), 'i32');
    const kbIn = ctx.bind(cmp('lt', kb, i32(K)), 'i32');
    const kbAt = min(kb, i32(K - 1));
    for (const j of range(R)) {
      const v = ctx.value(b, [...bBatch, kbAt, min(cols[j]!, i32(N - 1))]);
      const slot = add(mul(ly, i32(TR)), add(lx, i32(j * T)));
      ctx.emit(sharedStore('tileB', slot, select(and(kbIn, cmp('lt', cols[j]!, i32(N))), v, zero, 'f32')));
    }
    ctx.emit(barrier());
    ctx.loop(i32(0), i32(T), (kk) => {
      const av = range(R).map((i) => ctx.bind(sharedLoad('tileA', add(mul(add(ly, i32(i * T)), i32(T)), kk)), 'f32'));
      const bv = range(R).map((j) => ctx.bind(sharedLoad('tileB', add(mul(kk, i32(TR)), add(lx, i32(j * T)))), 'f32'));
      for (const i of range(R)) {
        for (const j of range(R)) {
          const acc = accs[i * R + j]!;
          ctx.emit({ k: 'assign', name: acc, value: binary('add', f32Var(acc), binary('mul', av[i]!, bv[j]!, 'f32'), 'f32') });
        }
      }
    });
    ctx.emit(barrier());
  });

  // Epilogue per owned element: the region's output with the accumulator standing in for the matmul.
  const out = region.output;
  for (const i of range(R)) {
    for (const j of range(R)) {
      ctx.when(and(cmp('lt', rows[i]!, i32(M)), cmp('lt', cols[j]!, i32(N))), () => {
        ctx.setSubstitute(y, f32Var(accs[i * R + j]!));
        const idx = [...batch, rows[i]!, cols[j]!];
        ctx.emit({ k: 'store', binding: region.inputs.length, index: linearize(idx, ys), value: ctx.value(out, idx) });
      });
    }
  }

  const bindings = regionBindings(region);
  return {
    name,
    bindings,
    numParams: 0,
    workgroupCount: [i32(gx), i32(gy), i32(batches)],
    workgroupSize: [T, T, 1],
    body: ctx.statements,
    shared: [{ name: 'tileA', size: TR * T }, { name: 'tileB', size: T * TR }],
  };
}
