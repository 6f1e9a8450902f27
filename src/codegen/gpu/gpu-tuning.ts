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
}

/** Defaults per target: 64 invocations fill a wave on every vendor and keep tails small. */
export const GPU_TUNING_DEFAULTS: Readonly<Record<GpuTarget, GpuTuning>> = {
  webgpu: { workgroupSize: 64, maxInvocationsPerWorkgroup: 256, maxWorkgroupsPerDimension: 65535 },
  vulkan: { workgroupSize: 64, maxInvocationsPerWorkgroup: 256, maxWorkgroupsPerDimension: 65535 },
};

/** The tuning for `target` with `overrides` applied, the workgroup size clamped to the limits. */
export function resolveGpuTuning(target: GpuTarget = 'webgpu', overrides: Partial<GpuTuning> = {}): GpuTuning {
  const t = { ...GPU_TUNING_DEFAULTS[target], ...overrides };
  const size = Math.max(1, Math.min(Math.floor(t.workgroupSize), t.maxInvocationsPerWorkgroup));
  return { ...t, workgroupSize: size };
}
