// The wasm emitter's f32x4 statements (vlet, vstore, vunpack) and vector expressions, run on the
// CPU device: contiguous, broadcast, strided and partial loads; strided and partial stores;
// shuffles; min/max with the scalar ops' selection; IEEE minimum/maximum; pow2_int; vmake.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuDevice } from '../../../src/hal/cpu/cpu-device.js';
import { emitWasmExecutable } from '../../../src/codegen/wasm/emit-kernel.js';
import type { Expr, Stmt, VecExpr } from '../../../src/codegen/kernel-ir.js';
import { CPU_EXECUTABLE_FORMAT } from '../../../src/util/cpu-kernel-abi.js';

let dev: CpuDevice;
beforeAll(async () => {
  dev = await CpuDevice.create({ threads: 1 });
});
afterAll(async () => {
  await dev.destroy();
});

const i = (v: number): Expr => ({ k: 'const', t: 'i32', v });
const f = (v: number): Expr => ({ k: 'const', t: 'f32', v });
const load = (index: number, stride = 1, lanes?: number): VecExpr => ({ k: 'vload', binding: 0, index: i(index), stride, ...(lanes ? { lanes } : {}) });
const store = (at: number, value: VecExpr, stride = 1, lanes?: number): Stmt => ({ k: 'vstore', binding: 1, index: i(at), value, stride, ...(lanes ? { lanes } : {}) });

/** Runs `body` once with binding 0 = `input` (f32) and returns binding 1 (`outLength` f32, NaN-filled first). */
async function run(body: Stmt[], input: readonly number[], outLength: number): Promise<Float32Array> {
  const { code, entryPoints } = emitWasmExecutable([{
    name: 'k', numParams: 0, workgroupSize: [1, 1, 1], workgroupCount: [i(1), i(1), i(1)], body,
    bindings: [{ name: 'x', dtype: 'f32', access: 'read' }, { name: 'y', dtype: 'f32', access: 'write' }],
  }]);
  const exe = await dev.loadExecutable({ format: CPU_EXECUTABLE_FORMAT, code, meta: { entryPoints: entryPoints.map((name) => ({ name })) } });
  const a = dev.allocator.allocate(input.length * 4, 'io');
  const b = dev.allocator.allocate(outLength * 4, 'io');
  await dev.write(a, 0, new Uint8Array(Float32Array.from(input).buffer));
  await dev.write(b, 0, new Uint8Array(new Float32Array(outLength).fill(NaN).buffer));
  const cb = dev.createCommandBuffer();
  cb.dispatch(exe, 0, [1, 1, 1], [{ buffer: a, offset: 0, length: input.length * 4 }, { buffer: b, offset: 0, length: outLength * 4 }], []);
  const sem = dev.createSemaphore();
  dev.submit([cb], sem, 1);
  await sem.wait(1);
  const out = new Float32Array((await dev.read(b, 0, outLength * 4)).buffer);
  dev.allocator.release(a);
  dev.allocator.release(b);
  return out;
}

const xs = Array.from({ length: 16 }, (_, k) => k + 1);

describe('wasm f32x4 statements', () => {
  it('loads contiguous, broadcast, strided (2 and 3) and partial vectors', async () => {
    const out = await run([
      store(0, load(2)), store(4, load(5, 0)), store(8, load(1, 2)), store(12, load(0, 3)), store(16, load(4, 1, 3)),
    ], xs, 20);
    expect(Array.from(out)).toEqual([3, 4, 5, 6, 6, 6, 6, 6, 2, 4, 6, 8, 1, 4, 7, 10, 5, 6, 7, 0]);
  });

  it('stores strided and partial vectors, and unpacks lanes into scalars', async () => {
    const out = await run([
      store(0, load(0), 3), store(1, load(8), 1, 2),
      { k: 'vunpack', names: ['a', 'b', 'c', 'd'], value: load(12) },
      { k: 'store', binding: 1, index: i(11), value: { k: 'binary', op: 'add', a: { k: 'var', name: 'a', t: 'f32' }, b: { k: 'var', name: 'd', t: 'f32' }, t: 'f32' } },
    ], xs, 12);
    expect(Array.from(out)).toEqual([1, 9, 10, 2, NaN, NaN, 3, NaN, NaN, 4, NaN, 29].map((v) => (Number.isNaN(v) ? expect.toSatisfy(Number.isNaN) : v)));
  });

  it('shuffles, selects, and computes lane-wise arithmetic', async () => {
    const v = (name: string): VecExpr => ({ k: 'vvar', name });
    const out = await run([
      { k: 'vlet', name: 'a', value: load(0) },
      { k: 'vlet', name: 'b', value: load(4) },
      store(0, { k: 'vshuffle', a: v('a'), b: v('b'), lanes: [7, 0, 5, 2] }),
      store(4, { k: 'vselect_lt', a: v('a'), b: { k: 'vsplat', a: f(2.5) }, x: v('b'), y: { k: 'vsplat', a: f(-1) } }),
      store(8, { k: 'vbinary', op: 'sub', a: { k: 'vbinary', op: 'mul', a: v('a'), b: v('b') }, b: { k: 'vunary', op: 'sqrt', a: v('a') } }),
      store(12, { k: 'vmake', lanes: [f(9), { k: 'load', binding: 0, index: i(15), t: 'f32' }, f(-2), f(0.5)] }),
    ], xs, 16);
    expect(Array.from(out.slice(0, 8))).toEqual([8, 1, 6, 3, 5, 6, -1, -1]);
    expect(Array.from(out.slice(8, 12))).toEqual([1 * 5 - 1, 2 * 6 - Math.fround(Math.SQRT2), 3 * 7 - Math.fround(Math.sqrt(3)), 4 * 8 - 2].map(Math.fround));
    expect(Array.from(out.slice(12))).toEqual([9, 16, -2, 0.5]);
  });

  it('keeps the scalar selection semantics of min/max and IEEE NaN propagation of minimum/maximum', async () => {
    const a = [NaN, 1, -0, 2];
    const b = [1, NaN, 0, -3];
    const ops = ['min', 'max', 'minimum', 'maximum'] as const;
    const out = await run(ops.map((op, k) => store(k * 4, { k: 'vbinary', op, a: load(0), b: load(4) })), [...a, ...b], 16);
    const lanes = (k: number): number[] => Array.from(out.slice(k * 4, k * 4 + 4));
    // min(a,b) = a < b ? a : b, max(a,b) = a > b ? a : b, as the scalar emitter's selects.
    expect(lanes(0)).toEqual([1, NaN, 0, -3]);
    expect(lanes(1)).toEqual([1, NaN, 0, 2]);
    expect(lanes(2).slice(0, 2).every(Number.isNaN) && Object.is(lanes(2)[2], -0) && lanes(2)[3] === -3).toBe(true);
    expect(lanes(3).slice(0, 2).every(Number.isNaN) && Object.is(lanes(3)[2], 0) && lanes(3)[3] === 2).toBe(true);
  });

  it('builds powers of two from whole numbers', async () => {
    const out = await run([store(0, { k: 'vunary', op: 'pow2_int', a: load(0) })], [-126, -1, 0, 127], 4);
    expect(Array.from(out)).toEqual([2 ** -126, 0.5, 1, 2 ** 127]);
  });
});
