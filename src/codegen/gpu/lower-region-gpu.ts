import type { DispatchRegion } from '../../ir/partition.js';
import { staticSize } from '../../ir/types.js';
import { add, cmp, delinearize, i32, mul } from '../expr.js';
import type { Expr, Kernel } from '../kernel-ir.js';
import { BATCH_COUNT } from '../lower-region.js';
import { RegionLowering } from '../lowering/region-context.js';
import { resolveGpuTuning, type GpuTuning } from './gpu-tuning.js';
import type { KernelTuning } from '../kernel-tuning.js';
import { defaultRegisterTile, lowerMatmulGpu, tiledMatmulNode } from './matmul-gpu.js';
import { lowerTreeReduceGpu, treeReduceNode } from './reduce-gpu.js';
import { splitWorkgroups } from './workgroup-grid.js';
import '../lowering/index.js';
import { regionBindings } from '../region-bindings.js';

export { splitWorkgroups, type GpuGrid } from './workgroup-grid.js';

/** GpuTuning overrides for a tuning: the knobs mapped onto GpuTuning's fields (only those set). */
export function gpuOverrides(tuning: KernelTuning & Partial<GpuTuning>): Partial<GpuTuning> {
  const { vectorize: _v, tileRows: _t, unroll: _u, workgroups: _w, workgroupTile, registerTile, ...own } = tuning;
  const out: Record<string, unknown> = {};
  if (workgroupTile !== undefined) out['matmulTile'] = workgroupTile;
  if (registerTile !== undefined) out['matmulRegisterTile'] = registerTile;
  // workgroupSize and reduceWorkgroupSize have the same names in both.
  for (const [k, v] of Object.entries(own)) if (v !== undefined) out[k] = v;
  return out as Partial<GpuTuning>;
}

/** The GPU tuning of one region: `overrides` over the defaults, and a register tile sized to the matmul when none is given. */
export function regionGpuTuning(region: DispatchRegion, overrides: Partial<GpuTuning> = {}): GpuTuning {
  const config = resolveGpuTuning('webgpu', overrides);
  return overrides.matmulRegisterTile === undefined ? { ...config, matmulRegisterTile: defaultRegisterTile(region, config) } : config;
}

/**
 * Lowers a dispatch region to a GPU kernel. Matmul regions take the tiled strategy
 * (matmul-gpu.ts) and innermost-axis reductions the workgroup tree (reduce-gpu.ts) where they
 * apply and the tuning enables them; otherwise each invocation computes one output element:
 * linear id = (workgroup id folded over x and y) × workgroup size + local id; invocations past
 * the end do nothing. The element's scalar program comes from the same lowering rules and
 * RegionLowering context as the CPU strategy. Batched regions run one z-slice per sample (wgid.z
 * is the sample index, as on the CPU).
 *
 * `tuning` takes the GPU knobs of KernelTuning (workgroupSize, workgroupTile, registerTile,
 * reduceWorkgroupSize; CPU knobs are ignored) and, for tests and callers that set limits or turn
 * strategies off, GpuTuning's own fields, which win over the knobs they overlap.
 */
export function lowerRegionGpu(region: DispatchRegion, name: string, tuning: KernelTuning & Partial<GpuTuning> = {}): Kernel {
  const config = regionGpuTuning(region, gpuOverrides(tuning));
  const matmul = tiledMatmulNode(region, config);
  if (matmul) return lowerMatmulGpu(region, matmul, name, config);
  const reduce = treeReduceNode(region, config);
  if (reduce) return lowerTreeReduceGpu(region, reduce, name, config);
  const out = region.output;
  const shape = out.type.shape as readonly number[];
  const total = staticSize(shape);
  const size = config.workgroupSize;
  const grid = splitWorkgroups(Math.ceil(total / size), config.maxWorkgroupsPerDimension, name);

  const ctx = new RegionLowering(region);
  const outBinding = region.inputs.length;
  const wgx: Expr = { k: 'wgid', dim: 0 };
  const group = grid.y > 1 ? add(mul({ k: 'wgid', dim: 1 }, i32(grid.x)), wgx) : wgx;
  const id = ctx.bind(add(mul(group, i32(size)), { k: 'lid', dim: 0 }), 'i32');
  ctx.when(cmp('lt', id, i32(total)), () => {
    const value = ctx.value(out, delinearize(id, shape));
    ctx.emit({ k: 'store', binding: outBinding, index: region.batchedOutput ? add(id, ctx.sampleOffset(out)) : id, value });
  });

  const bindings = regionBindings(region);
  const batched = region.batchedOutput || region.batchedInputs.some(Boolean);
  return {
    name,
    bindings,
    numParams: 0,
    workgroupCount: [i32(grid.x), i32(grid.y), batched ? BATCH_COUNT : i32(1)],
    workgroupSize: [size, 1, 1],
    body: ctx.statements,
  };
}
