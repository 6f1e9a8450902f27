import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuDevice } from '../../src/hal/cpu/cpu-device.js';
import { emitWasmExecutable } from '../../src/codegen/wasm/emit-kernel.js';
import type { DType } from '../../src/ir/dtype.js';
import type { Expr, Kernel, ScalarType, Stmt } from '../../src/codegen/kernel-ir.js';
import { CPU_EXECUTABLE_FORMAT } from '../../src/util/cpu-kernel-abi.js';
import { f16BitsToNumber, numberToF16Bits, numberToBf16Bits } from '../../src/ir/float16.js';

let dev: CpuDevice;
beforeAll(async () => {
  dev = await CpuDevice.create({ threads: 1 });
});
afterAll(async () => {
  await dev.destroy();
});

const idx: Expr = { k: 'var', name: 'i', t: 'i32' };

/** One-input, one-output elementwise kernel over n elements, 64 per workgroup. */
function mapKernel(inT: DType, outT: DType, f: (x: Expr) => Expr, t: ScalarType): Kernel {
  const body: Stmt[] = [{
    k: 'for', v: 'i',
    start: { k: 'binary', op: 'mul', a: { k: 'wgid', dim: 0 }, b: { k: 'const', t: 'i32', v: 64 }, t: 'i32' },
    end: { k: 'binary', op: 'min', t: 'i32', a: { k: 'param', index: 0 }, b: { k: 'binary', op: 'mul', t: 'i32', a: { k: 'binary', op: 'add', a: { k: 'wgid', dim: 0 }, b: { k: 'const', t: 'i32', v: 1 }, t: 'i32' }, b: { k: 'const', t: 'i32', v: 64 } } },
    step: 1,
    body: [{ k: 'store', binding: 1, index: idx, value: f({ k: 'load', binding: 0, index: idx, t }) }],
  }];
  return {
    name: 'map', bindings: [{ name: 'x', dtype: inT, access: 'read' }, { name: 'y', dtype: outT, access: 'write' }],
    numParams: 1, workgroupCount: [{ k: 'param', index: 0 }, { k: 'const', t: 'i32', v: 1 }, { k: 'const', t: 'i32', v: 1 }],
    workgroupSize: [64, 1, 1], body,
  };
}

async function run(kernel: Kernel, input: Uint8Array, n: number, outBytes: number, workgroups = Math.ceil(n / 64)): Promise<Uint8Array> {
  const { code, entryPoints } = emitWasmExecutable([kernel]);
  const exe = await dev.loadExecutable({ format: CPU_EXECUTABLE_FORMAT, code, meta: { entryPoints: entryPoints.map((name) => ({ name })) } });
  const a = dev.allocator.allocate(input.length, 'io');
  const b = dev.allocator.allocate(outBytes, 'io');
  await dev.write(a, 0, input);
  const cb = dev.createCommandBuffer();
  cb.dispatch(exe, 0, [workgroups, 1, 1], [{ buffer: a, offset: 0, length: input.length }, { buffer: b, offset: 0, length: outBytes }], [n]);
  const sem = dev.createSemaphore();
  dev.submit([cb], sem, 1);
  await sem.wait(1);
  const out = await dev.read(b, 0, outBytes);
  dev.allocator.release(a);
  dev.allocator.release(b);
  return out;
}

describe('wasm kernel emitter', () => {
  it('converts every f16 bit pattern to f32 exactly', async () => {
    const n = 65536;
    const bits = Uint16Array.from({ length: n }, (_, i) => i);
    const out = new Float32Array((await run(mapKernel('f16', 'f32', (x) => x, 'f32'), new Uint8Array(bits.buffer), n, n * 4)).buffer);
    for (let i = 0; i < n; i++) {
      const want = f16BitsToNumber(i);
      if (Number.isNaN(want)) expect(out[i]).toBeNaN();
      else expect(out[i]).toBe(Math.fround(want));
    }
  });

  it('rounds f32 to f16 and bf16 like the reference conversions', async () => {
    const values = Float32Array.from([0, -0, 1, -1, 65504, 65520, 1e6, -1e6, 6e-8, 3e-8, 1e-10, 0.1, 1 / 3, Infinity, -Infinity, NaN, 2049, 2051, 5.96e-8, 6.1e-5]);
    const n = values.length;
    const f16 = new Uint16Array((await run(mapKernel('f32', 'f16', (x) => x, 'f32'), new Uint8Array(values.buffer), n, n * 2)).buffer);
    const bf16 = new Uint16Array((await run(mapKernel('f32', 'bf16', (x) => x, 'f32'), new Uint8Array(values.buffer), n, n * 2)).buffer);
    values.forEach((v, i) => {
      if (Number.isNaN(v)) {
        expect(f16BitsToNumber(f16[i]!)).toBeNaN();
      } else {
        expect(f16[i]).toBe(numberToF16Bits(v));
        expect(bf16[i]).toBe(numberToBf16Bits(v));
      }
    });
  });

  it('computes transcendental, integer and mixed-type expressions', async () => {
    const x = Float32Array.from({ length: 200 }, (_, i) => (i - 100) / 17);
    const sig = (e: Expr): Expr => ({ k: 'unary', op: 'sigmoid', a: e, t: 'f32' });
    const out = new Float32Array((await run(mapKernel('f32', 'f32', sig, 'f32'), new Uint8Array(x.buffer), x.length, x.length * 4)).buffer);
    x.forEach((v, i) => expect(out[i]).toBeCloseTo(1 / (1 + Math.exp(-v)), 6));

    const ints = BigInt64Array.from({ length: 100 }, (_, i) => BigInt(i - 50) * 3_000_000_000n);
    const mod7 = (e: Expr): Expr => ({ k: 'binary', op: 'mod_floor', a: e, b: { k: 'const', t: 'i64', v: 7n }, t: 'i64' });
    const got = new BigInt64Array((await run(mapKernel('i64', 'i64', mod7, 'i64'), new Uint8Array(ints.buffer), 100, 800)).buffer);
    ints.forEach((v, i) => expect(got[i]).toBe(((v % 7n) + 7n) % 7n));

    const toI8 = (e: Expr): Expr => ({ k: 'cast', a: e, from: 'f32', t: 'i32' });
    const bytes = new Int8Array((await run(mapKernel('f32', 'i8', toI8, 'f32'), new Uint8Array(x.buffer), x.length, x.length)).buffer);
    x.forEach((v, i) => expect(bytes[i]).toBe(Math.trunc(v) + 0));
  });
});

describe('SIMD128 loops', () => {
  it('runs contiguous f32 loops four lanes at a time, with a scalar tail and broadcast operands', async () => {
    // y[i] = max(x[i] * x[0] + 0.5, 0) over 1003 elements (1003 = 4·250 + 3).
    const n = 1003;
    const i = (v: number): Expr => ({ k: 'const', t: 'i32', v });
    const body: Stmt[] = [{
      k: 'for', v: 'i', start: i(0), end: { k: 'param', index: 0 }, step: 1, vectorize: true,
      body: [
        { k: 'let', name: 't0', value: { k: 'binary', op: 'mul', t: 'f32', a: { k: 'load', binding: 0, index: idx, t: 'f32' }, b: { k: 'load', binding: 0, index: i(0), t: 'f32' } } },
        { k: 'store', binding: 1, index: idx, value: { k: 'binary', op: 'max', t: 'f32', a: { k: 'binary', op: 'add', t: 'f32', a: { k: 'var', name: 't0', t: 'f32' }, b: { k: 'const', t: 'f32', v: 0.5 } }, b: { k: 'const', t: 'f32', v: 0 } } },
      ],
    }];
    const kernel: Kernel = {
      name: 'simd', bindings: [{ name: 'x', dtype: 'f32', access: 'read' }, { name: 'y', dtype: 'f32', access: 'write' }],
      numParams: 1, workgroupCount: [i(1), i(1), i(1)], workgroupSize: [1, 1, 1], body,
    };
    const { code } = emitWasmExecutable([kernel]);
    expect(code.includes(0xfd)).toBe(true);
    const x = Float32Array.from({ length: n }, (_, k) => Math.sin(k) * 2);
    const out = new Float32Array((await run(kernel, new Uint8Array(x.buffer), n, n * 4, 1)).buffer);
    x.forEach((v, k) => expect(out[k]).toBe(Math.max(Math.fround(Math.fround(v * x[0]!) + 0.5), 0)));
  });
});
