/// <reference types="@webgpu/types" />
import { IreetsError } from '../../util/errors.js';
import type { BufferBinding } from '../types.js';
import type { BindGroupCache } from './bind-group-cache.js';
import { GPU_BUFFER_USAGE, type WebGpuBuffer } from './webgpu-buffer.js';
import type { GpuCommand } from './webgpu-command-buffer.js';
import type { LoadedEntry, WebGpuExecutable } from './webgpu-executable.js';
import { UTILITY_WORKGROUP } from './utility-shaders.js';
import { alignTo4 } from '../../util/wgsl-kernel-abi.js';

/** What the encoder needs from the device. */
export interface EncoderContext {
  readonly device: GPUDevice;
  readonly limits: GPUSupportedLimits;
  readonly bindGroups: BindGroupCache;
  readonly utility: { readonly fill: WebGpuExecutable; readonly copy: WebGpuExecutable; readonly copyWithin: WebGpuExecutable };
}

type Planned =
  | { k: 'dispatch'; entry: LoadedEntry; groups: readonly [number, number, number]; bindGroup: GPUBindGroup; params: Int32Array | undefined; paramsOffset: number }
  | { k: 'copy'; src: GPUBuffer; srcOffset: number; dst: GPUBuffer; dstOffset: number; size: number }
  | { k: 'clear'; buffer: GPUBuffer; offset: number; size: number };

const rangesOverlap = (a: { offset: number; size: number }, b: { offset: number; size: number }): boolean =>
  a.offset < b.offset + b.size && b.offset < a.offset + a.size;

/**
 * Encodes recorded HAL commands into one GPU command buffer: consecutive dispatches share a
 * compute pass (copies and clears end it), params of all dispatches go to one uniform buffer
 * bound with dynamic offsets. Returns the buffers to destroy once the GPU is done with them.
 */
export function encodeCommands(ctx: EncoderContext, commands: readonly GpuCommand[]): { commandBuffer: GPUCommandBuffer; transients: GPUBuffer[] } {
  const plan: Planned[] = [];
  const transients: GPUBuffer[] = [];
  for (const cmd of commands) {
    if (cmd.kind === 'dispatch') planDispatch(ctx, cmd, plan, transients);
    else if (cmd.kind === 'copy') planCopy(ctx, cmd, plan);
    else planFill(ctx, cmd, plan);
  }

  // Params of every dispatch, each at an offset the uniform binding accepts.
  const align = Math.max(16, ctx.limits.minUniformBufferOffsetAlignment);
  let paramsBytes = 0;
  for (const p of plan) {
    if (p.k !== 'dispatch' || !p.params) continue;
    p.paramsOffset = paramsBytes;
    paramsBytes += Math.ceil(p.entry.paramsBytes / align) * align;
  }
  const paramGroups = new Map<LoadedEntry, GPUBindGroup>();
  if (paramsBytes > 0) {
    const ub = ctx.device.createBuffer({ size: paramsBytes, usage: GPU_BUFFER_USAGE.UNIFORM, mappedAtCreation: true });
    const words = new Int32Array(ub.getMappedRange());
    for (const p of plan) if (p.k === 'dispatch' && p.params) words.set(p.params, p.paramsOffset / 4);
    ub.unmap();
    transients.push(ub);
    for (const p of plan) {
      if (p.k !== 'dispatch' || !p.params || paramGroups.has(p.entry)) continue;
      paramGroups.set(p.entry, ctx.device.createBindGroup({
        layout: p.entry.paramsLayout!,
        entries: [{ binding: 0, resource: { buffer: ub, offset: 0, size: p.entry.paramsBytes } }],
      }));
    }
  }

  const encoder = ctx.device.createCommandEncoder();
  let pass: GPUComputePassEncoder | undefined;
  for (const p of plan) {
    if (p.k === 'dispatch') {
      pass ??= encoder.beginComputePass();
      pass.setPipeline(p.entry.pipeline);
      pass.setBindGroup(0, p.bindGroup);
      if (p.params) pass.setBindGroup(1, paramGroups.get(p.entry)!, [p.paramsOffset]);
      pass.dispatchWorkgroups(p.groups[0], p.groups[1], p.groups[2]);
      continue;
    }
    pass?.end();
    pass = undefined;
    if (p.k === 'copy') encoder.copyBufferToBuffer(p.src, p.srcOffset, p.dst, p.dstOffset, p.size);
    else encoder.clearBuffer(p.buffer, p.offset, p.size);
  }
  pass?.end();
  return { commandBuffer: encoder.finish(), transients };
}

function planDispatch(ctx: EncoderContext, cmd: Extract<GpuCommand, { kind: 'dispatch' }>, plan: Planned[], transients: GPUBuffer[]): void {
  const entry = cmd.exe.entries[cmd.entry];
  if (!entry) throw new IreetsError('INTERNAL', `dispatch of entry point #${cmd.entry}, which the executable lacks`);
  const [x, y, z] = cmd.workgroups;
  if (x * y * z === 0) return;
  const maxDim = ctx.limits.maxComputeWorkgroupsPerDimension;
  if (x > maxDim || y > maxDim || z > maxDim) {
    throw new IreetsError('INTERNAL', `dispatch of ${entry.meta.name} with workgroups [${x}, ${y}, ${z}] exceeds the adapter's ${maxDim} per dimension`);
  }
  const metaBindings = entry.meta.bindings;
  if (cmd.bindings.length !== metaBindings.length) {
    throw new IreetsError('INTERNAL', `dispatch of ${entry.meta.name} passes ${cmd.bindings.length} bindings; it declares ${metaBindings.length}`);
  }
  const ranges = cmd.bindings.map((b, i) => resolveBinding(ctx, b, metaBindings[i]!.minBindingSize, entry.meta.name, i));
  // WebGPU rejects overlapping writable bindings of one buffer (every binding is read_write):
  // a read-only binding overlapping an earlier one reads a copy instead.
  let copied = false;
  for (let j = 1; j < ranges.length; j++) {
    for (let i = 0; i < j; i++) {
      const a = ranges[i]!;
      const b = ranges[j]!;
      if (a.buffer !== b.buffer || !rangesOverlap(a, b)) continue;
      const readOnly = metaBindings[j]!.access === 'read' ? j : metaBindings[i]!.access === 'read' ? i : -1;
      if (readOnly < 0) throw new IreetsError('INTERNAL', `dispatch of ${entry.meta.name}: written bindings ${i} and ${j} overlap`);
      const r = ranges[readOnly]!;
      const scratch = ctx.device.createBuffer({ size: r.size, usage: GPU_BUFFER_USAGE.STORAGE | GPU_BUFFER_USAGE.COPY_DST });
      transients.push(scratch);
      plan.push({ k: 'copy', src: r.buffer.gpu, srcOffset: r.offset, dst: scratch, dstOffset: 0, size: r.size });
      ranges[readOnly] = { buffer: { id: -1, gpu: scratch } as WebGpuBuffer, offset: 0, size: r.size };
      copied = true;
    }
  }
  const create = (): GPUBindGroup => ctx.device.createBindGroup({
    layout: entry.storageLayout,
    entries: ranges.map((r, i) => ({ binding: i, resource: { buffer: r.buffer.gpu, offset: r.offset, size: r.size } })),
  });
  const key = `${cmd.exe.id}/${cmd.entry}|${ranges.map((r) => `${r.buffer.id}@${r.offset}+${r.size}`).join(',')}`;
  const bindGroup = copied ? create() : ctx.bindGroups.get(key, ranges.map((r) => r.buffer.id), create);
  const params = entry.paramsBytes > 0 ? paramsOf(cmd.constants, entry.paramsBytes) : undefined;
  plan.push({ k: 'dispatch', entry, groups: [x, y, z], bindGroup, params, paramsOffset: 0 });
}

function paramsOf(constants: readonly number[], bytes: number): Int32Array {
  const a = new Int32Array(bytes / 4);
  constants.slice(0, a.length).forEach((v, i) => { a[i] = v; });
  return a;
}

function resolveBinding(ctx: EncoderContext, b: BufferBinding, minSize: number, name: string, i: number): { buffer: WebGpuBuffer; offset: number; size: number } {
  const buffer = b.buffer as WebGpuBuffer;
  const align = ctx.limits.minStorageBufferOffsetAlignment;
  if (b.offset % align !== 0) {
    throw new IreetsError('INTERNAL', `dispatch of ${name}: binding ${i} starts at byte ${b.offset}, not a multiple of the adapter's storage offset alignment ${align} (the host must align arena offsets to 256)`);
  }
  const size = alignTo4(Math.max(b.length, minSize));
  if (b.offset + size > buffer.gpu.size) {
    throw new IreetsError('INTERNAL', `dispatch of ${name}: binding ${i} (${b.offset}+${size} bytes) runs past its ${buffer.gpu.size}-byte buffer`);
  }
  return { buffer, offset: b.offset, size };
}

function wholeBufferGroup(ctx: EncoderContext, exe: WebGpuExecutable, buffers: readonly WebGpuBuffer[]): GPUBindGroup {
  const entry = exe.entries[0]!;
  const key = `util${exe.id}|${buffers.map((b) => b.id).join(',')}`;
  return ctx.bindGroups.get(key, buffers.map((b) => b.id), () => ctx.device.createBindGroup({
    layout: entry.storageLayout,
    entries: buffers.map((b, i) => ({ binding: i, resource: { buffer: b.gpu, offset: 0, size: b.gpu.size } })),
  }));
}

/** Dispatches of a utility shader over `words` destination words, in chunks the grid allows. */
function planUtility(ctx: EncoderContext, exe: WebGpuExecutable, buffers: readonly WebGpuBuffer[], firstWord: number, words: number, params: (first: number, count: number) => number[], plan: Planned[]): void {
  const entry = exe.entries[0]!;
  const bindGroup = wholeBufferGroup(ctx, exe, buffers);
  const chunk = ctx.limits.maxComputeWorkgroupsPerDimension * UTILITY_WORKGROUP;
  for (let w = 0; w < words; w += chunk) {
    const count = Math.min(chunk, words - w);
    plan.push({ k: 'dispatch', entry, groups: [Math.ceil(count / UTILITY_WORKGROUP), 1, 1], bindGroup, params: paramsOf(params(firstWord + w, count), entry.paramsBytes), paramsOffset: 0 });
  }
}

function checkRange(buffer: WebGpuBuffer, offset: number, length: number, what: string): void {
  if (offset < 0 || length < 0 || offset + length > buffer.gpu.size) {
    throw new IreetsError('INTERNAL', `${what} of ${length} bytes at ${offset} runs past its ${buffer.gpu.size}-byte buffer`);
  }
}

function planCopy(ctx: EncoderContext, cmd: Extract<GpuCommand, { kind: 'copy' }>, plan: Planned[]): void {
  if (cmd.length === 0) return;
  checkRange(cmd.src, cmd.srcOffset, cmd.length, 'copy source');
  checkRange(cmd.dst, cmd.dstOffset, cmd.length, 'copy destination');
  if (cmd.src === cmd.dst && rangesOverlap({ offset: cmd.srcOffset, size: cmd.length }, { offset: cmd.dstOffset, size: cmd.length })) {
    throw new IreetsError('INTERNAL', `copy within one buffer between overlapping ranges (${cmd.srcOffset} → ${cmd.dstOffset}, ${cmd.length} bytes)`);
  }
  if (cmd.srcOffset % 4 === 0 && cmd.dstOffset % 4 === 0 && cmd.length % 4 === 0) {
    plan.push({ k: 'copy', src: cmd.src.gpu, srcOffset: cmd.srcOffset, dst: cmd.dst.gpu, dstOffset: cmd.dstOffset, size: cmd.length });
    return;
  }
  const first = Math.floor(cmd.dstOffset / 4);
  const words = Math.ceil((cmd.dstOffset + cmd.length) / 4) - first;
  const same = cmd.src === cmd.dst;
  planUtility(ctx, same ? ctx.utility.copyWithin : ctx.utility.copy, same ? [cmd.dst] : [cmd.dst, cmd.src], first, words,
    (w, n) => [w, n, cmd.srcOffset, cmd.dstOffset, cmd.length, 0, 0, 0], plan);
}

function planFill(ctx: EncoderContext, cmd: Extract<GpuCommand, { kind: 'fill' }>, plan: Planned[]): void {
  if (cmd.length === 0) return;
  checkRange(cmd.buffer, cmd.offset, cmd.length, 'fill');
  if (cmd.byte === 0 && cmd.offset % 4 === 0 && cmd.length % 4 === 0) {
    plan.push({ k: 'clear', buffer: cmd.buffer.gpu, offset: cmd.offset, size: cmd.length });
    return;
  }
  const first = Math.floor(cmd.offset / 4);
  const words = Math.ceil((cmd.offset + cmd.length) / 4) - first;
  const pattern = (cmd.byte * 0x01010101) | 0;
  planUtility(ctx, ctx.utility.fill, [cmd.buffer], first, words, (w, n) => [w, n, cmd.offset, cmd.offset + cmd.length, pattern, 0, 0, 0], plan);
}
