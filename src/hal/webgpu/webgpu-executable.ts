/// <reference types="@webgpu/types" />
import { IreetsError } from '../../util/errors.js';
import type { HalExecutable } from '../types.js';
import { GPU_SHADER_STAGE_COMPUTE } from './webgpu-buffer.js';
import type { WgslEntryMeta, WgslExecutableMeta } from '../../util/wgsl-kernel-abi.js';

/** One entry point, ready to dispatch. */
export interface LoadedEntry {
  readonly meta: WgslEntryMeta;
  readonly pipeline: GPUComputePipeline;
  /** Layout of group 0: one read_write storage buffer per binding. */
  readonly storageLayout: GPUBindGroupLayout;
  /** Layout of group 1 (the params uniform, dynamic offset), when the entry reads params. */
  readonly paramsLayout: GPUBindGroupLayout | undefined;
  /** Bytes of the params uniform (numParams rounded up to vec4s). */
  readonly paramsBytes: number;
}

export class WebGpuExecutable implements HalExecutable {
  constructor(
    /** Unique per device: keys the bind-group cache. */
    readonly id: number,
    readonly entryPoints: readonly string[],
    readonly entries: readonly LoadedEntry[],
  ) {}
}

function parseMeta(meta: Record<string, unknown>): WgslExecutableMeta {
  const entries = meta['entryPoints'];
  const ok = Array.isArray(entries) && entries.every((e: unknown) => {
    const m = e as Partial<WgslEntryMeta> | null;
    return !!m && typeof m.name === 'string' && Array.isArray(m.bindings) && typeof (m.numParams ?? 0) === 'number';
  });
  if (!ok) throw new IreetsError('MODULE_CORRUPT', 'WGSL executable meta lacks a valid entryPoints list');
  return meta as unknown as WgslExecutableMeta;
}

/** Compiles WGSL and creates a pipeline per entry point with explicit layouts. */
export async function loadWgslExecutable(device: GPUDevice, id: number, code: string, rawMeta: Record<string, unknown>): Promise<WebGpuExecutable> {
  const meta = parseMeta(rawMeta);
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code });
  const info = await module.getCompilationInfo();
  const scopeError = await device.popErrorScope();
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length > 0 || scopeError) {
    const text = errors.length > 0 ? errors.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ') : scopeError!.message;
    throw new IreetsError('MODULE_CORRUPT', `WGSL executable does not compile: ${text}`);
  }
  const entries: LoadedEntry[] = [];
  for (const e of meta.entryPoints) {
    const storageLayout = device.createBindGroupLayout({
      entries: e.bindings.map((_, i) => ({ binding: i, visibility: GPU_SHADER_STAGE_COMPUTE, buffer: { type: 'storage' as const } })),
    });
    const paramsBytes = Math.ceil((e.numParams ?? 0) / 4) * 16;
    const paramsLayout = paramsBytes > 0
      ? device.createBindGroupLayout({ entries: [{ binding: 0, visibility: GPU_SHADER_STAGE_COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: paramsBytes } }] })
      : undefined;
    const layout = device.createPipelineLayout({ bindGroupLayouts: paramsLayout ? [storageLayout, paramsLayout] : [storageLayout] });
    let pipeline: GPUComputePipeline;
    try {
      pipeline = await device.createComputePipelineAsync({ layout, compute: { module, entryPoint: e.name } });
    } catch (err) {
      throw new IreetsError('MODULE_CORRUPT', `WGSL entry point ${e.name} cannot be made a pipeline: ${(err as Error).message}`, undefined, { cause: err });
    }
    entries.push({ meta: e, pipeline, storageLayout, paramsLayout, paramsBytes });
  }
  return new WebGpuExecutable(id, meta.entryPoints.map((e) => e.name), entries);
}
