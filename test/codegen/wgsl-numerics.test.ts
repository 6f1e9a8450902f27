// Emitted WGSL run on the WebGPU device: the emulated storage formats (f64 ↔ f32 in software,
// f16/bf16, i64 low words, sub-word stores without zero-fill) and the helpers that give WGSL
// IEEE/C semantics (NaN-propagating min/max, erf, pow, fmod, saturating float → int).
import { describe, expect, it } from 'vitest';
import { emitWgslExecutable } from '../../src/codegen/wgsl/emit-wgsl.js';
import type { BinaryOp, Expr, Kernel, ScalarType, UnaryOp } from '../../src/codegen/kernel-ir.js';
import { computeType } from '../../src/codegen/kernel-ir.js';
import { byteSize, type DType } from '../../src/ir/dtype.js';
import { bf16BitsToNumber, f16BitsToNumber, numberToBf16Bits, numberToF16Bits } from '../../src/ir/float16.js';
import { erf } from '../../src/util/erf.js';
import { WGSL_EXECUTABLE_FORMAT } from '../../src/util/wgsl-kernel-abi.js';
import type { WebGpuDevice } from '../../src/hal/webgpu/webgpu-device.js';
import { useWebGpuDevice, webGpuUnavailable } from './gpu-direct-runner.js';

const unavailable = await webGpuUnavailable();
const i32 = (v: number): Expr => ({ k: 'const', t: 'i32', v });
const WG = 64;

/** out[id] = f(in0[id], in1[id], …) over n elements, one invocation each. */
function elementwise(ins: readonly DType[], out: DType, n: number, f: (xs: Expr[]) => Expr): Kernel {
  const id: Expr = { k: 'var', name: 'id', t: 'i32' };
  return {
    name: 'main',
    bindings: [...ins.map((d, i) => ({ name: `in${i}`, dtype: d, access: 'read' as const })), { name: 'out', dtype: out, access: 'write' }],
    numParams: 0,
    workgroupCount: [i32(Math.ceil(n / WG)), i32(1), i32(1)],
    workgroupSize: [WG, 1, 1],
    body: [
      { k: 'let', name: 'id', value: { k: 'binary', op: 'add', t: 'i32', a: { k: 'binary', op: 'mul', t: 'i32', a: { k: 'wgid', dim: 0 }, b: i32(WG) }, b: { k: 'lid', dim: 0 } } },
      { k: 'if', cond: { k: 'binary', op: 'lt', t: 'i32', a: id, b: i32(n) }, then: [
        { k: 'store', binding: ins.length, index: id, value: f(ins.map((d, i) => ({ k: 'load', binding: i, index: id, t: computeType(d) }))) },
      ] },
    ],
  };
}

/** Runs `kernel` on byte inputs; the output buffer starts as `fill` bytes (garbage, by default). */
async function run(dev: WebGpuDevice, kernel: Kernel, inputs: readonly Uint8Array[], outBytes: number, fill = 0xa5): Promise<Uint8Array> {
  const exe = emitWgslExecutable([kernel]);
  const loaded = await dev.loadExecutable({ format: WGSL_EXECUTABLE_FORMAT, code: exe.code, meta: exe.meta as unknown as Record<string, unknown> });
  const bufs = inputs.map((b) => dev.allocator.importConstant(b));
  const out = dev.allocator.allocate(outBytes, 'transient');
  const padded = Math.ceil(outBytes / 4) * 4;
  const cb = dev.createCommandBuffer();
  cb.fill(out, 0, padded, fill);
  cb.dispatch(loaded, 0, [Number((kernel.workgroupCount[0] as { v: number }).v), 1, 1],
    [...bufs.map((b, i) => ({ buffer: b, offset: 0, length: inputs[i]!.length })), { buffer: out, offset: 0, length: outBytes }], []);
  const sem = dev.createSemaphore();
  dev.submit([cb], sem, 1);
  await sem.wait(1);
  // The whole last word: bytes past the output must keep the fill.
  const got = await dev.read(out, 0, padded);
  for (const b of [...bufs, out]) dev.allocator.release(b);
  return got;
}

const bytes = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const cast = (from: ScalarType, t: ScalarType) => ([x]: Expr[]): Expr => ({ k: 'cast', a: x!, from, t });
const un = (op: UnaryOp, t: ScalarType) => ([x]: Expr[]): Expr => ({ k: 'unary', op, a: x!, t });
const bin = (op: BinaryOp, t: ScalarType) => ([a, b]: Expr[]): Expr => ({ k: 'binary', op, a: a!, b: b!, t });

/** Deterministic pseudo-random 32-bit words. */
function words(n: number, seed = 1): Uint32Array {
  const out = new Uint32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    out[i] = s;
  }
  return out;
}

const sameFloat = (a: number, b: number): boolean => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
const mismatches = <T>(got: ArrayLike<T>, want: ArrayLike<T>, same: (a: T, b: T) => boolean, input?: (i: number) => unknown): string[] => {
  const out: string[] = [];
  for (let i = 0; i < want.length && out.length < 5; i++) {
    if (!same(got[i]!, want[i]!)) out.push(`[${i}]${input ? ` (${String(input(i))})` : ''}: got ${String(got[i])}, want ${String(want[i])}`);
  }
  return out;
};

describe.skipIf(!!unavailable)('WGSL numerics on the WebGPU device', () => {
  const device = useWebGpuDevice();

  it('converts f64 storage to f32 (round to nearest even) and back exactly', async () => {
    const special = [0, -0, 1, -1, 0.1, 1 / 3, 2 ** -126, 2 ** -130, 2 ** -149, 2 ** -150 * 1.5, 2 ** -151, 3.4028234663852886e38, 3.4028235677973366e38, 1e39, -1e300, 1e-300, Infinity, -Infinity, NaN,
      1 + 2 ** -24, 1 + 3 * 2 ** -24, 1 + 2 ** -24 + 2 ** -52];
    const rand = new Float64Array(words(8000, 7).buffer);
    const xs = Float64Array.from([...special, ...Array.from(rand).filter((x) => Math.abs(Math.log2(Math.abs(x))) < 140 || !Number.isFinite(x))]);
    const down = new Float32Array((await run(device(), elementwise(['f64'], 'f32', xs.length, ([x]) => x!), [bytes(xs)], xs.length * 4)).buffer);
    expect(mismatches(down, Float32Array.from(xs, (x) => Math.fround(x)), sameFloat, (i) => xs[i])).toEqual([]);
    const fs = Float32Array.from(xs, (x) => Math.fround(x)).filter((x) => x === 0 || Math.abs(x) >= 2 ** -126 || !Number.isFinite(x));
    const up = new Float64Array((await run(device(), elementwise(['f32'], 'f64', fs.length, ([x]) => x!), [bytes(fs)], fs.length * 8)).buffer);
    expect(mismatches(up, Float64Array.from(fs), sameFloat)).toEqual([]);
  });

  it('stores and loads f16 and bf16 with round to nearest even', async () => {
    const xs = Float32Array.from([0, -0, 1, -2.5, 65504, 65519, 65520, 1e6, -1e6, 2 ** -14, 2 ** -24, 2 ** -25, 3 * 2 ** -26, 1e-10, 0.1, 1 / 3, Infinity, -Infinity, NaN,
      ...new Float32Array(words(4000, 3).buffer).map((w) => w).filter((x) => Number.isFinite(x) && Math.abs(x) < 1e6 && Math.abs(x) > 1e-9)]);
    const h = new Uint16Array((await run(device(), elementwise(['f32'], 'f16', xs.length, ([x]) => x!), [bytes(xs)], xs.length * 2)).buffer);
    expect(mismatches(Array.from(h, f16BitsToNumber), Array.from(xs, (x) => f16BitsToNumber(numberToF16Bits(x))), sameFloat, (i) => xs[i])).toEqual([]);
    const b = new Uint16Array((await run(device(), elementwise(['f32'], 'bf16', xs.length, ([x]) => x!), [bytes(xs)], xs.length * 2)).buffer);
    expect(mismatches(Array.from(b, bf16BitsToNumber), Array.from(xs, (x) => bf16BitsToNumber(numberToBf16Bits(x))), sameFloat, (i) => xs[i])).toEqual([]);
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const loaded = new Float32Array((await run(device(), elementwise(['f16'], 'f32', all.length, ([x]) => x!), [bytes(all)], all.length * 4)).buffer);
    expect(mismatches(loaded, Float32Array.from(all, f16BitsToNumber), sameFloat, (i) => all[i])).toEqual([]);
  });

  it('keeps i64 storage: low words load, stores sign-extend', async () => {
    const xs = Int32Array.from([0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 123456789, -987654321]);
    const wide = new BigInt64Array((await run(device(), elementwise(['i32'], 'i64', xs.length, ([x]) => ({ k: 'cast', a: x!, from: 'i32', t: 'i64' })), [bytes(xs)], xs.length * 8)).buffer);
    expect([...wide]).toEqual([...xs].map(BigInt));
    const back = new Int32Array((await run(device(), elementwise(['i64'], 'i32', xs.length, cast('i64', 'i32')), [bytes(wide)], xs.length * 4)).buffer);
    expect([...back]).toEqual([...xs]);
    const u = new BigUint64Array((await run(device(), elementwise(['u32'], 'u64', 3, cast('u32', 'u64')), [bytes(Uint32Array.of(0, 7, 2 ** 32 - 1))], 24)).buffer);
    expect([...u]).toEqual([0n, 7n, 2n ** 32n - 1n]);
  });

  it('stores sub-word elements from neighbouring invocations without races or zero-fill', async () => {
    const n = 1001;
    const src = Int32Array.from(words(n, 11), (w) => w | 0);
    for (const [dtype, view] of [['u8', Uint8Array], ['i8', Int8Array], ['u16', Uint16Array], ['i16', Int16Array], ['bool', Uint8Array]] as const) {
      const value = dtype === 'bool' ? ([x]: Expr[]): Expr => ({ k: 'binary', op: 'and', t: 'i32', a: x!, b: i32(1) }) : ([x]: Expr[]): Expr => x!;
      const got = await run(device(), elementwise(['i32'], dtype, n, value), [bytes(src)], n * byteSize(dtype), 0x5a);
      const want = new view(n);
      src.forEach((v, i) => { want[i] = dtype === 'bool' ? v & 1 : v; });
      expect(mismatches(new view(got.buffer as ArrayBuffer, 0, n), want, (a, b) => a === b)).toEqual([]);
      // The bytes past the last element keep the fill.
      expect([...got.slice(n * byteSize(dtype))]).toEqual(new Array(got.length - n * byteSize(dtype)).fill(0x5a));
    }
  });

  it('converts floats to integers truncating, saturating, NaN to 0', async () => {
    const xs = Float32Array.from([0, -0.9, 2.7, -2.7, 3e9, -3e9, 5e9, 1e20, -1e20, Infinity, -Infinity, NaN]);
    const run1 = async (to: 'i32' | 'u32'): Promise<number[]> => {
      const out = await run(device(), elementwise(['f32'], to, xs.length, cast('f32', to)), [bytes(xs)], xs.length * 4);
      return [...(to === 'i32' ? new Int32Array(out.buffer) : new Uint32Array(out.buffer))];
    };
    const sat = (x: number, lo: number, hi: number): number => (Number.isNaN(x) ? 0 : Math.min(hi, Math.max(lo, Math.trunc(x))) + 0);
    expect(await run1('i32')).toEqual([...xs].map((x) => sat(x, -(2 ** 31), 2 ** 31 - 1)));
    expect(await run1('u32')).toEqual([...xs].map((x) => sat(x, 0, 2 ** 32 - 1)));
    // To i64 (narrowed): the low word of the 64-bit integer.
    const low = new BigInt64Array((await run(device(), elementwise(['f32'], 'i64', 6, cast('f32', 'i64')), [bytes(Float32Array.of(1.5, -7.9, 3e9, -3e9, 2 ** 31, NaN))], 48)).buffer);
    expect([...low]).toEqual([1n, -7n, BigInt((3e9 | 0)), BigInt(-3e9 | 0), -(2n ** 31n), 0n]);
  });

  it('computes min/max with NaN propagation, predicates on the bits, and C-style fmod', async () => {
    const a = Float32Array.from([1, NaN, 3, -0, Infinity, -5.5, 7.25, -7.25]);
    const b = Float32Array.from([2, 1, NaN, 0, 1, 2, 2, 2]);
    const f = async (op: BinaryOp): Promise<Float32Array> => new Float32Array((await run(device(), elementwise(['f32', 'f32'], 'f32', a.length, bin(op, 'f32')), [bytes(a), bytes(b)], a.length * 4)).buffer);
    const ref = (g: (x: number, y: number) => number): Float32Array => Float32Array.from(a, (x, i) => g(x, b[i]!));
    expect(mismatches(await f('min'), ref(Math.min), (x, y) => x === y || (Number.isNaN(x) && Number.isNaN(y)))).toEqual([]);
    expect(mismatches(await f('max'), ref(Math.max), (x, y) => x === y || (Number.isNaN(x) && Number.isNaN(y)))).toEqual([]);
    expect(mismatches(await f('fmod'), ref((x, y) => x % y), sameFloat)).toEqual([]);
    expect(mismatches(await f('mod_floor'), ref((x, y) => { const r = x % y; return r !== 0 && (r < 0) !== (y < 0) ? r + y : r; }), (x, y) => x === y || (Number.isNaN(x) && Number.isNaN(y)))).toEqual([]);
    const pred = async (op: UnaryOp): Promise<number[]> => [...new Int32Array((await run(device(), elementwise(['f32'], 'i32', a.length, un(op, 'f32')), [bytes(a)], a.length * 4)).buffer)];
    expect(await pred('is_nan')).toEqual([...a].map((x) => Number(Number.isNaN(x))));
    expect(await pred('is_inf_pos')).toEqual([...a].map((x) => Number(x === Infinity)));
  });

  it('divides correctly rounded (quantization rounds halves to even on the quotient)', async () => {
    const s = Math.fround(5 / 255);
    const rand = new Float32Array(words(6000, 5).buffer).filter((x) => Number.isFinite(x));
    const a = Float32Array.from([-2.5, 0.5, 1, 1, 0, -0, 1, Infinity, 1, 3e38, 1e-38, 1e-30, 7, NaN, ...rand.slice(0, rand.length / 2)]);
    const b = Float32Array.from([s, s, 3, 0, 0, 5, Infinity, 2, 1e-10, 0.1, 1e10, 1e10, -7, 1, ...rand.slice(rand.length / 2, (rand.length / 2) * 2)]);
    const q = new Float32Array((await run(device(), elementwise(['f32', 'f32'], 'f32', a.length, bin('div', 'f32')), [bytes(a), bytes(b)], a.length * 4)).buffer);
    // Quotients below f32's normal range take the driver's division: compare the others exactly.
    const want = Float32Array.from(a, (x, i) => Math.fround(x / b[i]!));
    const normal = (x: number): boolean => !Number.isFinite(x) || x === 0 || Math.abs(x) >= 2 ** -126;
    expect(mismatches(q, want, (g, w) => sameFloat(g, w) || !normal(w), (i) => `${a[i]} / ${b[i]}`)).toEqual([]);
  });

  it('computes erf, tanh, sigmoid and pow (C semantics) within f32 accuracy', async () => {
    const xs = Float32Array.from([-20, -5, -2, -1, -0.5, -0.3, -1e-4, 0, 1e-6, 0.25, 0.5, 0.7, 1, 2, 3.5, 10, 50]);
    const unary = async (op: UnaryOp): Promise<Float32Array> => new Float32Array((await run(device(), elementwise(['f32'], 'f32', xs.length, un(op, 'f32')), [bytes(xs)], xs.length * 4)).buffer);
    const close = (rtol: number, atol: number) => (g: number, w: number): boolean => sameFloat(g, w) || Math.abs(g - w) <= atol + rtol * Math.abs(w);
    expect(mismatches(await unary('erf'), Array.from(xs, erf), close(1e-5, 1e-7), (i) => xs[i])).toEqual([]);
    expect(mismatches(await unary('tanh'), Array.from(xs, Math.tanh), close(1e-5, 1e-7), (i) => xs[i])).toEqual([]);
    expect(mismatches(await unary('sigmoid'), Array.from(xs, (x) => 1 / (1 + Math.exp(-x))), close(1e-5, 1e-30), (i) => xs[i])).toEqual([]);
    const base = Float32Array.from([2, -2, -2, -2, -8, 0, -0, 0, -0, 0, 1.5, 10, -1, 3, NaN, 1]);
    const exp = Float32Array.from([10, 3, 2, 0.5, 1 / 3, 0, -1, -2, 3, 2, -2.5, 20, 7, NaN, 0, NaN]);
    const pow = new Float32Array((await run(device(), elementwise(['f32', 'f32'], 'f32', base.length, bin('pow', 'f32')), [bytes(base), bytes(exp)], base.length * 4)).buffer);
    expect(mismatches(pow, Array.from(base, (x, i) => Math.fround(Math.pow(x, exp[i]!))), close(1e-5, 0), (i) => `${base[i]} ** ${exp[i]}`)).toEqual([]);
  });

  it('computes integer division, shifts and powers like the CPU emitter', async () => {
    const a = Int32Array.from([7, -7, 7, -7, 1, 3, -2, 5]);
    const b = Int32Array.from([2, 2, -2, -2, 31, 40, 3, 0]);
    const f = async (op: BinaryOp, t: ScalarType = 'i32'): Promise<number[]> => {
      const d: DType = t === 'i64' ? 'i64' : 'i32';
      const src = t === 'i64' ? [bytes(BigInt64Array.from(a, BigInt)), bytes(BigInt64Array.from(b, BigInt))] : [bytes(a), bytes(b)];
      const out = await run(device(), elementwise([d, d], d, a.length, bin(op, t)), src, a.length * byteSize(d));
      return t === 'i64' ? [...new BigInt64Array(out.buffer)].map(Number) : [...new Int32Array(out.buffer)];
    };
    expect((await f('div')).slice(0, 7)).toEqual([3, -3, -3, 3, 0, 0, 0]);
    expect((await f('rem')).slice(0, 7)).toEqual([1, -1, 1, -1, 1, 3, -2]);
    expect((await f('mod_floor')).slice(0, 7)).toEqual([1, 1, -1, -1, 1, 3, 1]);
    expect((await f('pow')).slice(0, 7)).toEqual([49, 49, 0, 0, 1, Number(BigInt.asIntN(32, 3n ** 40n)), -8]);
    // 64-bit shifts of narrowed values: amounts of 32 or more shift the low word out.
    expect((await f('shl', 'i64')).slice(0, 6)).toEqual([28, -28, 0, 0, -(2 ** 31), 0]);
    expect((await f('shr', 'i64')).slice(0, 6)).toEqual([1, -2, 0, -1, 0, 0]);
  });
});

describe.skipIf(!unavailable)('WGSL numerics (skipped)', () => {
  it.skip(`no WebGPU device: ${unavailable ?? ''}`, () => {});
});

