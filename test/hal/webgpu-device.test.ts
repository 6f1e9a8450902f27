// The WebGPU driver on its own: buffers, reads and writes at any alignment, copies, fills,
// dispatch ordering inside one command buffer, params, bindings of one arena buffer, and errors.
import { describe, expect, it } from 'vitest';
import { WebGpuDevice } from '../../src/hal/webgpu/webgpu-device.js';
import type { HalBuffer, HalExecutable } from '../../src/hal/types.js';
import { WGSL_EXECUTABLE_FORMAT, type WgslExecutableMeta } from '../../src/util/wgsl-kernel-abi.js';
import { useWebGpuDevice, webGpuUnavailable } from '../codegen/gpu-direct-runner.js';

const unavailable = await webGpuUnavailable();

const f32Bytes = (xs: number[]): Uint8Array => new Uint8Array(new Float32Array(xs).buffer);
const asF32 = (b: Uint8Array): number[] => [...new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4)];
const seq = (n: number, from = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (from + i) & 0xff);

/** out[i] = in[i] * scale + params[0] over `n` elements (one invocation each). */
const AXPB = `@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(1) @binding(0) var<uniform> p: array<vec4<i32>, 1>;
@compute @workgroup_size(64)
fn axpb(@builtin(global_invocation_id) g: vec3<u32>) {
  let i = i32(g.x);
  if (i < p[0].y) { y[i] = x[i] * 2.0f + f32(p[0].x); }
}`;
const AXPB_META: WgslExecutableMeta = {
  entryPoints: [{
    name: 'axpb', workgroupSize: [64, 1, 1], workgroupCount: [null, 1, 1], numParams: 2,
    bindings: [{ name: 'x', dtype: 'f32', access: 'read', minBindingSize: 4 }, { name: 'y', dtype: 'f32', access: 'write', minBindingSize: 4 }],
  }],
  narrowed: [],
};

async function run(dev: WebGpuDevice, record: (cb: ReturnType<WebGpuDevice['createCommandBuffer']>) => void): Promise<void> {
  const cb = dev.createCommandBuffer();
  record(cb);
  const sem = dev.createSemaphore();
  dev.submit([cb], sem, 1);
  await sem.wait(1);
}

describe.skipIf(!!unavailable)('WebGPU device', () => {
  const device = useWebGpuDevice();
  const load = (): Promise<HalExecutable> => device().loadExecutable({ format: WGSL_EXECUTABLE_FORMAT, code: new TextEncoder().encode(AXPB), meta: AXPB_META as unknown as Record<string, unknown> });

  it('describes its adapter and loads only WGSL', async () => {
    const dev = device();
    expect(dev.driver).toBe('webgpu');
    expect(dev.formats).toEqual(['wgsl']);
    expect(dev.description.length).toBeGreaterThan(0);
    await expect(dev.loadExecutable({ format: 'wasm-simd128', code: new Uint8Array(), meta: {} })).rejects.toThrow(/cannot load executables of format/);
    await expect(dev.loadExecutable({ format: 'wgsl', code: new TextEncoder().encode('fn broken( {'), meta: AXPB_META as unknown as Record<string, unknown> })).rejects.toThrow(/does not compile/);
  });

  it('writes, reads and imports constants at any byte alignment', async () => {
    const dev = device();
    const b = dev.allocator.allocate(13, 'transient');
    expect(b.byteLength).toBe(13);
    await dev.write(b, 0, seq(13));
    await dev.write(b, 5, Uint8Array.of(200, 201, 202));
    expect([...await dev.read(b, 0, 13)]).toEqual([1, 2, 3, 4, 5, 200, 201, 202, 9, 10, 11, 12, 13]);
    expect([...await dev.read(b, 3, 4)]).toEqual([4, 5, 200, 201]);
    const c = dev.allocator.importConstant(seq(7, 40));
    expect([...await dev.read(c, 0, 7)]).toEqual([40, 41, 42, 43, 44, 45, 46]);
    dev.allocator.release(b);
    dev.allocator.release(c);
  });

  it('copies aligned and unaligned ranges, between and within buffers', async () => {
    const dev = device();
    const a = dev.allocator.allocate(32, 'transient');
    const b = dev.allocator.allocate(32, 'transient');
    await dev.write(a, 0, seq(32));
    await dev.write(b, 0, new Uint8Array(32).fill(0xee));
    await run(dev, (cb) => {
      cb.copy(a, 4, b, 8, 8); // aligned: copyBufferToBuffer
      cb.copy(a, 1, b, 19, 5); // unaligned: the byte-copy shader
      cb.copy(a, 0, a, 26, 3); // within one buffer, unaligned
    });
    const got = await dev.read(b, 0, 32);
    expect([...got.slice(8, 16)]).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
    expect([...got.slice(16, 26)]).toEqual([0xee, 0xee, 0xee, 2, 3, 4, 5, 6, 0xee, 0xee]);
    expect([...await dev.read(a, 24, 8)]).toEqual([25, 26, 1, 2, 3, 30, 31, 32]);
    await expect(run(dev, (cb) => cb.copy(a, 0, a, 2, 8))).rejects.toThrow(/overlapping/);
    dev.allocator.release(a);
    dev.allocator.release(b);
  });

  it('fills with zero (clearBuffer) and other bytes at any alignment', async () => {
    const dev = device();
    const b = dev.allocator.allocate(24, 'transient');
    await dev.write(b, 0, seq(24));
    await run(dev, (cb) => {
      cb.fill(b, 0, 4, 0);
      cb.fill(b, 5, 6, 0x7f);
      cb.fill(b, 13, 2, 0);
    });
    expect([...await dev.read(b, 0, 24)]).toEqual([0, 0, 0, 0, 5, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 12, 13, 0, 0, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
    dev.allocator.release(b);
  });

  it('orders dispatches, copies and fills recorded in one command buffer', async () => {
    const dev = device();
    const exe = await load();
    const n = 100;
    const bytes = n * 4;
    const a = dev.allocator.allocate(bytes, 'transient');
    const b = dev.allocator.allocate(bytes, 'transient');
    const c = dev.allocator.allocate(bytes, 'transient');
    await dev.write(a, 0, f32Bytes(Array.from({ length: n }, (_, i) => i)));
    await run(dev, (cb) => {
      const groups: [number, number, number] = [Math.ceil(n / 64), 1, 1];
      cb.dispatch(exe, 0, groups, [{ buffer: a, offset: 0, length: bytes }, { buffer: b, offset: 0, length: bytes }], [1, n]); // b = 2a + 1
      cb.barrier();
      cb.dispatch(exe, 0, groups, [{ buffer: b, offset: 0, length: bytes }, { buffer: c, offset: 0, length: bytes }], [3, n]); // c = 2b + 3
      cb.barrier();
      cb.copy(c, 0, a, 0, bytes); // a = c
      cb.fill(c, 0, bytes, 0);
      cb.dispatch(exe, 0, groups, [{ buffer: a, offset: 0, length: bytes }, { buffer: b, offset: 0, length: bytes }], [0, n]); // b = 2a
    });
    const want = Array.from({ length: n }, (_, i) => 2 * (2 * (2 * i + 1) + 3));
    expect(asF32(await dev.read(b, 0, bytes))).toEqual(want);
    expect(asF32(await dev.read(c, 0, bytes))).toEqual(new Array(n).fill(0));
    for (const x of [a, b, c]) dev.allocator.release(x);
  });

  it('binds ranges of one arena buffer, reading through a copy where read-only ranges overlap', async () => {
    const dev = device();
    const exe = await load();
    const arena = dev.allocator.allocate(1024, 'transient');
    await dev.write(arena, 0, f32Bytes([1, 2, 3, 4]));
    const at = (offset: number, length = 16): { buffer: HalBuffer; offset: number; length: number } => ({ buffer: arena, offset, length });
    await run(dev, (cb) => cb.dispatch(exe, 0, [1, 1, 1], [at(0), at(256)], [0, 4]));
    expect(asF32(await dev.read(arena, 256, 16))).toEqual([2, 4, 6, 8]);
    // The input range covers the output's: WebGPU forbids that aliasing, so the input is copied first.
    await run(dev, (cb) => cb.dispatch(exe, 0, [1, 1, 1], [at(0, 512), at(256)], [0, 4]));
    expect(asF32(await dev.read(arena, 256, 16))).toEqual([2, 4, 6, 8]);
    await expect(run(dev, (cb) => cb.dispatch(exe, 0, [1, 1, 1], [at(0), at(100)], [0, 4]))).rejects.toThrow(/alignment/);
    await expect(run(dev, (cb) => cb.dispatch(exe, 0, [70000, 1, 1], [at(0), at(256)], [0, 4]))).rejects.toThrow(/per dimension/);
    dev.allocator.release(arena);
  });

  it('skips empty dispatches and signals semaphores in submission order', async () => {
    const dev = device();
    const exe = await load();
    const a = dev.allocator.allocate(16, 'transient');
    const sem = dev.createSemaphore(0);
    const order: number[] = [];
    for (let v = 1; v <= 3; v++) {
      const cb = dev.createCommandBuffer();
      cb.dispatch(exe, 0, [0, 1, 1], [{ buffer: a, offset: 0, length: 16 }, { buffer: a, offset: 0, length: 16 }], [0, 0]);
      dev.submit([cb], sem, v);
      void sem.wait(v).then(() => order.push(v));
    }
    await sem.wait(3);
    await new Promise((r) => setTimeout(r, 0));
    expect(order).toEqual([1, 2, 3]);
    expect(sem.value).toBe(3);
    dev.allocator.release(a);
  });
});

describe.skipIf(!unavailable)('WebGPU device (skipped)', () => {
  it.skip(`no WebGPU device: ${unavailable ?? ''}`, () => {});
});
