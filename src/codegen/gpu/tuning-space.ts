// The GPU tuning space of a region: which strategy lowerRegionGpu picks for it and which of its
// knobs' values are worth a trial, within the adapter's limits (invocations per workgroup,
// workgroup storage) and the region's size (a tile that only adds idle invocations is no
// candidate). Values are listed default first, then the most promising.
import type { DispatchRegion } from '../../ir/partition.js';
import { staticSize } from '../../ir/types.js';
import type { KnobName, TuningKnob, TuningSpace } from '../kernel-tuning.js';
import { resolveGpuTuning, type GpuTuning } from './gpu-tuning.js';
import { regionGpuTuning } from './lower-region-gpu.js';
import { tiledMatmulNode } from './matmul-gpu.js';
import { treeReduceNode } from './reduce-gpu.js';

/** The adapter limits a space respects (WebGPU's guaranteed minimums by default). */
export type GpuLimits = Partial<Pick<GpuTuning, 'maxInvocationsPerWorkgroup' | 'maxWorkgroupStorageBytes' | 'maxWorkgroupsPerDimension'>>;

const WORKGROUP_SIZES = [128, 32, 256, 64];
const MATMUL_TILES = [8, 16];
const REGISTER_TILES = [2, 8, 1, 4];
const REDUCE_SIZES = [128, 32, 256, 64];

function knob(name: KnobName, def: number, candidates: readonly number[], keep: (v: number) => boolean): TuningKnob[] {
  const values = [def, ...candidates.filter((v, i) => v !== def && candidates.indexOf(v) === i && keep(v))];
  return values.length > 1 ? [{ name, values }] : [];
}

/** The region's GPU tuning space; knobs with no value besides the default are left out. */
export function gpuTuningSpace(region: DispatchRegion, limits: GpuLimits = {}): TuningSpace {
  const config = regionGpuTuning(region, limits);
  const maxInvocations = config.maxInvocationsPerWorkgroup;

  const mm = tiledMatmulNode(region, config);
  if (mm) {
    const ys = mm.outputs[0]!.type.shape as readonly number[];
    const extent = Math.max(ys[ys.length - 1]!, ys[ys.length - 2]!);
    const T = config.matmulTile;
    const R = config.matmulRegisterTile;
    // A tile whose half already covers the matmul only adds idle invocations.
    const useful = (t: number, r: number): boolean => (t * r) / 2 < extent;
    const applies = (t: number, r: number): boolean => {
      const c = resolveGpuTuning('webgpu', { ...limits, matmulTile: t, matmulRegisterTile: r });
      return c.matmulTile === t && c.matmulRegisterTile === r && tiledMatmulNode(region, c) === mm;
    };
    const tiles = knob('workgroupTile', T, MATMUL_TILES, (t) => t * t <= maxInvocations && useful(t, R) && applies(t, R));
    // Register tiles must fit the workgroup storage with the biggest tile kept (the space is a product).
    const tMax = Math.max(...(tiles[0]?.values ?? [T]).map(Number));
    const regs = knob('registerTile', R, REGISTER_TILES, (r) => useful(T, r) && applies(tMax, r) && applies(T, r));
    return { strategy: 'tiled-matmul', knobs: [...tiles, ...regs] };
  }

  const reduce = treeReduceNode(region, config);
  if (reduce) {
    // Sizes past the row length (or the adapter) would leave the region to the per-element strategy.
    const keep = (w: number): boolean => w <= maxInvocations && treeReduceNode(region, resolveGpuTuning('webgpu', { ...limits, reduceWorkgroupSize: w })) === reduce;
    return { strategy: 'tree-reduce', knobs: knob('reduceWorkgroupSize', config.reduceWorkgroupSize, REDUCE_SIZES, keep) };
  }

  // One element per invocation: a workgroup whose half covers the output only adds idle invocations.
  const total = staticSize(region.output.type.shape as readonly number[]);
  const keep = (w: number): boolean => w <= maxInvocations && w / 2 < total;
  return { strategy: 'per-element', knobs: knob('workgroupSize', config.workgroupSize, WORKGROUP_SIZES, keep) };
}
