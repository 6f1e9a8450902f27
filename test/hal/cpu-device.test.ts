import { afterAll, describe, expect, it } from 'vitest';
import { CpuDevice } from '../../src/hal/cpu/cpu-device.js';
import { F32, I32, WasmModuleBuilder } from '../../src/codegen/wasm/module-builder.js';
import { MAX_PAGES } from '../../src/hal/cpu/linear-memory.js';
import { CPU_EXECUTABLE_FORMAT } from '../../src/util/cpu-kernel-abi.js';

/** out[i] = a[i] + b[i] for i = workgroup x < n (constants[0]); bindings a, b, out. */
function vectorAddWasm(): Uint8Array {
  const w = new WasmModuleBuilder({ minPages: 1, maxPages: MAX_PAGES, shared: true });
  const addr = (binding: number): number[] => [
    0x20, 0, 0x28, 2, binding * 4, // i32.load bindings[binding]
    0x20, 5, 0x41, 2, 0x74, 0x6a, // + i << 2
  ];
  w.addFunction({
    params: [I32, I32, I32, I32, I32],
    results: [],
    locals: [I32],
    exportName: 'vector_add',
    body: [
      0x20, 2, 0x21, 5, // i = x
      0x20, 5, 0x20, 1, 0x28, 2, 0, 0x48, // i < constants[0]
      0x04, 0x40,
      ...addr(2),
      ...addr(0), 0x2a, 2, 0,
      ...addr(1), 0x2a, 2, 0,
      0x92, 0x38, 2, 0,
      0x0b,
    ],
  });
  void F32;
  return w.build();
}

const devices: CpuDevice[] = [];
afterAll(async () => {
  await Promise.all(devices.map((d) => d.destroy()));
});

describe.each([1, 2, 3])('CPU device with %i thread(s)', (threads) => {
  it('runs a wasm kernel over every workgroup, across threads', async () => {
    const dev = await CpuDevice.create({ threads });
    devices.push(dev);
    expect(dev.driver).toBe(threads === 1 ? 'cpu-sync' : 'cpu');
    const exe = await dev.loadExecutable({ format: CPU_EXECUTABLE_FORMAT, code: vectorAddWasm(), meta: { entryPoints: [{ name: 'vector_add' }] } });
    const n = 1000;
    const a = Float32Array.from({ length: n }, (_, i) => i);
    const b = Float32Array.from({ length: n }, (_, i) => 0.5 * i);
    const ba = dev.allocator.importConstant(new Uint8Array(a.buffer));
    const bb = dev.allocator.allocate(n * 4, 'io');
    const bo = dev.allocator.allocate(n * 4, 'transient');
    await dev.write(bb, 0, new Uint8Array(b.buffer));
    const cb = dev.createCommandBuffer();
    cb.fill(bo, 0, n * 4, 0xff);
    cb.barrier();
    // More workgroups than elements: the kernel's bounds check must hold.
    cb.dispatch(exe, 0, [n + 7, 1, 1], [
      { buffer: ba, offset: 0, length: n * 4 },
      { buffer: bb, offset: 0, length: n * 4 },
      { buffer: bo, offset: 0, length: n * 4 },
    ], [n]);
    const sem = dev.createSemaphore(0);
    dev.submit([cb], sem, 1);
    await sem.wait(1);
    const out = new Float32Array((await dev.read(bo, 0, n * 4)).buffer);
    expect(Array.from(out)).toEqual(Array.from(a, (x, i) => x + b[i]!));
  });
});

describe('CPU device memory', () => {
  it('reuses released ranges and grows on demand', async () => {
    const dev = await CpuDevice.create({ threads: 1 });
    devices.push(dev);
    const x = dev.allocator.allocate(1000, 'transient');
    dev.allocator.release(x);
    const y = dev.allocator.allocate(900, 'transient');
    expect((y as unknown as { offset: number }).offset).toBe((x as unknown as { offset: number }).offset);
    const big = dev.allocator.allocate(8 * 1024 * 1024, 'transient');
    await dev.write(big, 8 * 1024 * 1024 - 4, new Uint8Array([1, 2, 3, 4]));
    expect(Array.from(await dev.read(big, 8 * 1024 * 1024 - 4, 4))).toEqual([1, 2, 3, 4]);
  });

  it('refuses an executable that does not compile', async () => {
    const dev = await CpuDevice.create({ threads: 1 });
    devices.push(dev);
    await expect(dev.loadExecutable({ format: CPU_EXECUTABLE_FORMAT, code: new Uint8Array([0, 97, 115, 109, 9]), meta: {} })).rejects.toThrow(/does not compile/);
  });
});
