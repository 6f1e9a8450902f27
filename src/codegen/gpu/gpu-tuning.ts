/**
 * Tuning of the GPU strategy: how many invocations a workgroup has, within the limits of the
 * adapter the code is compiled for. Per-target defaults; a tuning spec overrides them.
 */
export type GpuTarget = 'webgpu' | 'vulkan';

export interface GpuTuning {
  /** Invocations per workgroup (1-D). */
  readonly workgroupSize: number;
  /** The adapter's maxComputeInvocationsPerWorkgroup (WebGPU's guaranteed minimum is 256). */
  readonly maxInvocationsPerWorkgroup: number;
  /** The adapter's maxComputeWorkgroupsPerDimension (WebGPU's guaranteed minimum is 65535). */
  readonly maxWorkgroupsPerDimension: number;
  /** The adapter's maxComputeWorkgroupStorageSize in bytes (WebGPU's guaranteed minimum is 16384). */
  readonly maxWorkgroupStorageBytes: number;
  /**
   * Invocations per side of a matmul workgroup (tile² invocations), and width of the K slabs it
   * stages through workgroup memory. The workgroup's output tile is (tile·r)² with r below.
   */
  readonly matmulTile: number;
  /** Output elements per invocation along each of rows and columns (a register tile of r × r accumulators). */
  readonly matmulRegisterTile: number;
  /** Strategies beyond one-element-per-invocation (tiled matmul); off falls back to the generic one. */
  readonly tiledMatmul: boolean;
  /** Invocations of a tree-reduction workgroup (rounded down to a power of two). */
  readonly reduceWorkgroupSize: number;
  /** Whether innermost-axis reductions use the workgroup-tree strategy. */
  readonly treeReduce: boolean;
}

/** Defaults per target: 64 invocations fill a wave on every vendor and keep tails small. */
export const GPU_TUNING_DEFAULTS: Readonly<Record<GpuTarget, GpuTuning>> = {
  webgpu: { workgroupSize: 64, maxInvocationsPerWorkgroup: 256, maxWorkgroupsPerDimension: 65535, maxWorkgroupStorageBytes: 16384, matmulTile: 16, matmulRegisterTile: 4, tiledMatmul: true, reduceWorkgroupSize: 64, treeReduce: true },
  vulkan: { workgroupSize: 64, maxInvocationsPerWorkgroup: 256, maxWorkgroupsPerDimension: 65535, maxWorkgroupStorageBytes: 16384, matmulTile: 16, matmulRegisterTile: 4, tiledMatmul: true, reduceWorkgroupSize: 64, treeReduce: true },
};

/** The tuning for `target` with `overrides` applied, the workgroup size clamped to the limits. */
export function resolveGpuTuning(target: GpuTarget = 'webgpu', overrides: Partial<GpuTuning> = {}): GpuTuning {
  const t = { ...GPU_TUNING_DEFAULTS[target], ...overrides };
  const size = Math.max(1, Math.min(Math.floor(t.workgroupSize), t.maxInvocationsPerWorkgroup));
  // The matmul tile's tile² invocations must fit one workgroup.
  const tile = Math.max(1, Math.min(Math.floor(t.matmulTile), Math.floor(Math.sqrt(t.maxInvocationsPerWorkgroup))));
  // Its two staged slabs (2 · tile · tile·r floats) must fit the workgroup storage.
  const regFit = Math.floor(t.maxWorkgroupStorageBytes / (8 * tile * tile));
  const reg = Math.max(1, Math.min(8, regFit, Math.floor(t.matmulRegisterTile)));
  return { ...t, workgroupSize: size, matmulTile: tile, matmulRegisterTile: reg };
}
