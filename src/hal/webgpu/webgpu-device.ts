/// <reference types="@webgpu/types" />
/**
 * The WebGPU driver: runs WGSL executables on a GPU through WebGPU, on Dawn in Node (npm
 * `webgpu`) or `navigator.gpu` in a browser (pass the GPU object as `gpu`).
 *
 * Buffers are GPUBuffers (storage | copy_src | copy_dst, sizes rounded up to 4). Command buffers
 * are recorded on the JS side and encoded at submit into one GPU command buffer, dispatches
 * batched into compute passes. Completion signals a timeline semaphore from
 * queue.onSubmittedWorkDone; validation errors of a submission fail its semaphore value.
 */
import { IreetsError } from '../../util/errors.js';
import type { BufferUsage, ExecutableSource, HalAllocator, HalBuffer, HalCommandBuffer, HalDevice, HalExecutable, HalSemaphore } from '../types.js';
import { BindGroupCache } from './bind-group-cache.js';
import { GPU_BUFFER_USAGE, GPU_MAP_MODE_READ, WebGpuBuffer } from './webgpu-buffer.js';
import { WebGpuCommandBuffer } from './webgpu-command-buffer.js';
import { encodeCommands, type EncoderContext } from './webgpu-encoder.js';
import { loadWgslExecutable, type WebGpuExecutable } from './webgpu-executable.js';
import { GpuTimelineSemaphore } from './webgpu-semaphore.js';
import { UTILITY_SHADERS } from './utility-shaders.js';
import { alignTo4, WGSL_EXECUTABLE_FORMAT } from '../../util/wgsl-kernel-abi.js';

export interface WebGpuDeviceOptions {
  /** The GPU object (`navigator.gpu` in a browser). Default: navigator.gpu, else Dawn via npm `webgpu`. */
  gpu?: GPU;
  /** Which of the distinct adapters the GPU offers (default, high-performance, low-power, fallback). */
  adapterIndex?: number;
  /** Flags for Dawn's `create()` in Node, e.g. `backend=vulkan`. */
  dawnFlags?: string[];
}

/** Limits worth raising to the adapter's maximum: kernels with many bindings, big tensors. */
const RAISED_LIMITS = [
  'maxStorageBuffersPerShaderStage', 'maxStorageBufferBindingSize', 'maxBufferSize',
  'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupStorageSize',
  'maxBindingsPerBindGroup',
] as const;

async function defaultGpu(flags: readonly string[]): Promise<GPU> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  const specifier = 'webgpu';
  try {
    const dawn = (await import(/* @vite-ignore */ specifier)) as { create(flags: string[]): GPU };
    return dawn.create([...flags]);
  } catch (e) {
    throw new IreetsError('INPUT_INVALID', `no WebGPU here: no navigator.gpu and the npm package webgpu does not load (${(e as Error).message})`);
  }
}

function describeAdapter(a: GPUAdapter): string {
  const info = a.info as Partial<GPUAdapterInfo> | undefined;
  const name = info?.description || info?.device || 'WebGPU adapter';
  const more = [info?.vendor, info?.architecture].filter((s) => !!s).join(', ');
  return more ? `${name} (${more})` : name;
}

/** The distinct adapters the GPU offers, default first. */
export async function listWebGpuAdapters(gpu: GPU): Promise<GPUAdapter[]> {
  const requests: GPURequestAdapterOptions[] = [{}, { powerPreference: 'high-performance' }, { powerPreference: 'low-power' }, { forceFallbackAdapter: true }];
  const out: GPUAdapter[] = [];
  const seen = new Set<string>();
  for (const r of requests) {
    const a = await gpu.requestAdapter(r).catch(() => null);
    if (!a) continue;
    const key = `${describeAdapter(a)}|${(a.info as Partial<GPUAdapterInfo> | undefined)?.isFallbackAdapter ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(a);
  }
  return out;
}

export async function createWebGpuDevice(options: WebGpuDeviceOptions = {}): Promise<WebGpuDevice> {
  return WebGpuDevice.create(options);
}

export class WebGpuDevice implements HalDevice {
  readonly driver = 'webgpu';
  readonly formats = [WGSL_EXECUTABLE_FORMAT];
  readonly allocator: HalAllocator;
  private nextId = 1;
  private readonly bindGroups = new BindGroupCache();
  private encoderContext!: EncoderContext;
  /** Completion of the last submission: semaphores are signalled in submission order. */
  private lastSubmission: Promise<void> = Promise.resolve();
  private lostReason: string | undefined;
  private destroyed = false;

  private constructor(
    // Dawn's instance and adapter must outlive the device: a collected GPU object tears down
    // the native instance under the device's threads (crashes in Node).
    readonly gpu: GPU,
    readonly adapter: GPUAdapter,
    readonly device: GPUDevice,
    readonly description: string,
  ) {
    this.allocator = {
      allocate: (n: number, usage: BufferUsage) => this.createBuffer(n, usage, undefined),
      importConstant: (bytes: Uint8Array) => this.createBuffer(bytes.length, 'constant', bytes),
      release: (b: HalBuffer) => this.release(b as WebGpuBuffer),
    };
    void device.lost.then((info) => {
      if (!this.destroyed) this.lostReason = info.message || String(info.reason);
    });
  }

  static async create(options: WebGpuDeviceOptions = {}): Promise<WebGpuDevice> {
    const gpu = options.gpu ?? (await defaultGpu(options.dawnFlags ?? []));
    const adapters = await listWebGpuAdapters(gpu);
    const index = options.adapterIndex ?? 0;
    const adapter = adapters[index];
    if (!adapter) throw new IreetsError('INPUT_INVALID', adapters.length === 0 ? 'no WebGPU adapter is available' : `no WebGPU adapter #${index} (${adapters.length} available)`);
    const requiredLimits: Record<string, number> = {};
    for (const k of RAISED_LIMITS) {
      const v = (adapter.limits as unknown as Record<string, number | undefined>)[k];
      if (typeof v === 'number') requiredLimits[k] = v;
    }
    const device = await adapter.requestDevice({ requiredLimits });
    const dev = new WebGpuDevice(gpu, adapter, device, describeAdapter(adapter));
    const utility = {
      fill: await dev.loadWgsl(UTILITY_SHADERS.fill.source, UTILITY_SHADERS.fill.meta),
      copy: await dev.loadWgsl(UTILITY_SHADERS.copy.source, UTILITY_SHADERS.copy.meta),
      copyWithin: await dev.loadWgsl(UTILITY_SHADERS.copyWithin.source, UTILITY_SHADERS.copyWithin.meta),
    };
    dev.encoderContext = { device, limits: device.limits, bindGroups: dev.bindGroups, utility };
    return dev;
  }

  get limits(): GPUSupportedLimits {
    return this.device.limits;
  }

  private checkAlive(): void {
    if (this.destroyed) throw new IreetsError('INTERNAL', 'the WebGPU device was destroyed');
    if (this.lostReason !== undefined) throw new IreetsError('INTERNAL', `the WebGPU device was lost: ${this.lostReason}`);
  }

  private createBuffer(byteLength: number, usage: BufferUsage, contents: Uint8Array | undefined): WebGpuBuffer {
    this.checkAlive();
    const size = Math.max(4, alignTo4(byteLength));
    if (size > this.device.limits.maxBufferSize) {
      throw new IreetsError('INPUT_INVALID', `a ${byteLength}-byte buffer exceeds the adapter's maxBufferSize (${this.device.limits.maxBufferSize})`);
    }
    const gpu = this.device.createBuffer({
      size,
      usage: GPU_BUFFER_USAGE.STORAGE | GPU_BUFFER_USAGE.COPY_SRC | GPU_BUFFER_USAGE.COPY_DST,
      mappedAtCreation: contents !== undefined,
    });
    if (contents) {
      new Uint8Array(gpu.getMappedRange()).set(contents);
      gpu.unmap();
    }
    return new WebGpuBuffer(this.nextId++, gpu, byteLength, usage);
  }

  private release(b: WebGpuBuffer): void {
    this.bindGroups.dropBuffer(b.id);
    // Work already submitted keeps the buffer alive until it completes (WebGPU defers the free).
    b.gpu.destroy();
  }

  private async loadWgsl(code: string, meta: object): Promise<WebGpuExecutable> {
    return loadWgslExecutable(this.device, this.nextId++, code, meta as Record<string, unknown>);
  }

  async loadExecutable(source: ExecutableSource): Promise<HalExecutable> {
    this.checkAlive();
    if (source.format !== WGSL_EXECUTABLE_FORMAT) {
      throw new IreetsError('MODULE_CORRUPT', `WebGPU device cannot load executables of format ${source.format}`);
    }
    let code: string;
    try {
      code = new TextDecoder('utf-8', { fatal: true }).decode(source.code);
    } catch {
      throw new IreetsError('MODULE_CORRUPT', 'WGSL executable is not valid UTF-8');
    }
    return this.loadWgsl(code, source.meta);
  }

  createCommandBuffer(): HalCommandBuffer {
    return new WebGpuCommandBuffer();
  }

  createSemaphore(initial = 0): HalSemaphore {
    return new GpuTimelineSemaphore(initial);
  }

  submit(commandBuffers: readonly HalCommandBuffer[], semaphore: HalSemaphore, signalValue: number): void {
    this.checkAlive();
    const commands = commandBuffers.flatMap((cb) => (cb as WebGpuCommandBuffer).commands);
    const sem = semaphore as GpuTimelineSemaphore;
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
    let transients: GPUBuffer[] = [];
    let thrown: unknown;
    try {
      const encoded = encodeCommands(this.encoderContext, commands);
      transients = encoded.transients;
      this.device.queue.submit([encoded.commandBuffer]);
    } catch (e) {
      thrown = e;
    }
    // Scopes are popped even when encoding threw, so later submissions see their own errors.
    const errors = Promise.all([this.device.popErrorScope(), this.device.popErrorScope()]);
    const done = this.device.queue.onSubmittedWorkDone();
    const previous = this.lastSubmission;
    this.lastSubmission = (async () => {
      let failure: Error | undefined;
      try {
        const [validation, oom] = await errors;
        await done;
        const err = validation ?? oom;
        if (err) failure = new IreetsError('INTERNAL', `WebGPU rejected a submission: ${err.message}`);
      } catch (e) {
        failure = new IreetsError('INTERNAL', `WebGPU submission failed: ${(e as Error).message}`);
      }
      await previous;
      for (const t of transients) t.destroy();
      if (thrown) failure = thrown as Error;
      if (failure) sem.fail(signalValue, failure);
      else sem.signal(signalValue);
    })();
    if (thrown) throw thrown;
  }

  async write(buffer: HalBuffer, offset: number, data: Uint8Array): Promise<void> {
    this.checkAlive();
    const b = buffer as WebGpuBuffer;
    if (offset < 0 || offset + data.length > b.gpu.size) throw new IreetsError('INTERNAL', `write of ${data.length} bytes at ${offset} runs past its ${b.gpu.size}-byte buffer`);
    if (data.length === 0) return;
    if (offset % 4 === 0 && data.length % 4 === 0) {
      this.device.queue.writeBuffer(b.gpu, offset, data as Uint8Array<ArrayBuffer>);
      return;
    }
    // queue.writeBuffer takes whole words: merge the edge words' other bytes in first.
    const start = offset & ~3;
    const end = alignTo4(offset + data.length);
    const words = new Uint8Array(end - start);
    words.set(await this.read(b, start, 4), 0);
    words.set(await this.read(b, end - 4, 4), end - start - 4);
    words.set(data, offset - start);
    this.device.queue.writeBuffer(b.gpu, start, words);
  }

  async read(buffer: HalBuffer, offset: number, length: number): Promise<Uint8Array> {
    this.checkAlive();
    const b = buffer as WebGpuBuffer;
    if (offset < 0 || offset + length > b.gpu.size) throw new IreetsError('INTERNAL', `read of ${length} bytes at ${offset} runs past its ${b.gpu.size}-byte buffer`);
    if (length === 0) return new Uint8Array(0);
    const start = offset & ~3;
    const end = alignTo4(offset + length);
    const staging = this.device.createBuffer({ size: end - start, usage: GPU_BUFFER_USAGE.MAP_READ | GPU_BUFFER_USAGE.COPY_DST });
    try {
      const encoder = this.device.createCommandEncoder();
      encoder.copyBufferToBuffer(b.gpu, start, staging, 0, end - start);
      this.device.queue.submit([encoder.finish()]);
      await staging.mapAsync(GPU_MAP_MODE_READ);
      return new Uint8Array(staging.getMappedRange()).slice(offset - start, offset - start + length);
    } finally {
      staging.destroy();
    }
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    await this.lastSubmission.catch(() => undefined);
    this.destroyed = true;
    this.bindGroups.clear();
    this.device.destroy();
  }
}
