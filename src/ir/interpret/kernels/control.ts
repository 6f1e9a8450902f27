// Reference kernels: control flow (if, loop, scan), running regions through ctx.runRegion.
import { allocData, type DType } from '../../dtype.js';
import { Tensor, stridesOf } from '../../tensor.js';
import { staticSize } from '../../types.js';
import { defineKernel } from '../registry.js';

defineKernel('if', ([cond], _attrs, ctx) => {
  const taken = cond!.getNumber(0) !== 0 ? 0 : 1;
  return ctx.runRegion(ctx.node.regions[taken]!, []);
});

defineKernel('loop', (inputs, _attrs, ctx) => {
  const body = ctx.node.regions[0]!;
  const maxTrips = inputs[0] ? inputs[0].getBigInt(0) : null;
  // Without a cond input the body's cond result is ignored (ONNX Loop: a plain for loop).
  const useCond = inputs[1] !== null;
  let cond = useCond ? inputs[1]!.getNumber(0) !== 0 : true;
  let carried = inputs.slice(2);
  const n = carried.length;
  const scans: Tensor[][] = body.outputs.slice(1 + n).map(() => []);
  for (let i = 0n; (maxTrips === null || i < maxTrips) && cond; i++) {
    const outs = ctx.runRegion(body, [Tensor.fromBigInts('i64', [], [i]), Tensor.fromNumbers('bool', [], [cond ? 1 : 0]), ...carried]);
    if (useCond) cond = outs[0]!.getNumber(0) !== 0;
    carried = outs.slice(1, 1 + n);
    outs.slice(1 + n).forEach((t, k) => scans[k]!.push(t));
  }
  const stacked = scans.map((items, k) => {
    const v = body.outputs[1 + n + k]!;
    return stack(items, v.type.dtype, emptyElementShape(v.type.shape));
  });
  return [...(carried as Tensor[]), ...stacked];
});

defineKernel('scan', (inputs, attrs, ctx) => {
  const m = Number(attrs['num_scan_inputs']);
  const n = inputs.length - m;
  if (attrs['batched'] !== true) return runScan(inputs as Tensor[], n, attrs, ctx.runRegion.bind(null, ctx.node.regions[0]!));
  // Scan-8: run each batch item on its own, then stack the items' results.
  const batch = inputs[n]!.shape[0]!;
  const perItem: Tensor[][] = [];
  for (let b = 0; b < batch; b++) {
    const item = (inputs as Tensor[]).map((t) => sliceAxis(t, 0, b));
    perItem.push(runScan(item, n, attrs, ctx.runRegion.bind(null, ctx.node.regions[0]!)));
  }
  const count = ctx.node.outputs.length;
  return Array.from({ length: count }, (_, k) => stack(perItem.map((r) => r[k]!), ctx.node.outputs[k]!.type.dtype, [0]));
});

type RunBody = (inputs: readonly (Tensor | null)[]) => Tensor[];

function runScan(inputs: readonly Tensor[], n: number, attrs: Record<string, unknown>, run: RunBody): Tensor[] {
  const scanInputs = inputs.slice(n);
  const inAxes = (attrs['scan_input_axes'] ?? []) as readonly number[];
  const inDirs = (attrs['scan_input_directions'] ?? []) as readonly number[];
  const outAxes = (attrs['scan_output_axes'] ?? []) as readonly number[];
  const outDirs = (attrs['scan_output_directions'] ?? []) as readonly number[];
  const axes = scanInputs.map((t, j) => normAxis(inAxes[j] ?? 0, t.rank));
  const steps = scanInputs[0]!.shape[axes[0]!]!;
  scanInputs.forEach((t, j) => {
    if (t.shape[axes[j]!] !== steps) throw new Error(`scan: input ${j} has ${t.shape[axes[j]!]} steps, expected ${steps}`);
  });
  let states = inputs.slice(0, n);
  const elements: Tensor[][] = [];
  for (let s = 0; s < steps; s++) {
    const slices = scanInputs.map((t, j) => sliceAxis(t, axes[j]!, inDirs[j] === 1 ? steps - 1 - s : s));
    const outs = run([...states, ...slices]);
    states = outs.slice(0, n);
    outs.slice(n).forEach((t, k) => (elements[k] ??= []).push(t));
  }
  const k = elements.length;
  const scanOutputs = Array.from({ length: k }, (_, i) => {
    const items = outDirs[i] === 1 ? [...elements[i]!].reverse() : elements[i]!;
    const stacked = stack(items, items[0]!.dtype, [0]);
    return moveAxis0(stacked, normAxis(outAxes[i] ?? 0, stacked.rank));
  });
  return [...states, ...scanOutputs];
}

function normAxis(a: number, rank: number): number {
  return a < 0 ? a + rank : a;
}

/** The shape of a loop's scan element when it ran zero times: its static dims, else a 0-length vector. */
function emptyElementShape(shape: readonly (number | string)[] | null): number[] {
  return shape !== null && shape.every((d) => typeof d === 'number') ? (shape as number[]) : [0];
}

/** Stacks equally shaped tensors along a new axis 0; `emptyShape` is the element shape when there are none. */
export function stack(items: readonly Tensor[], dtype: DType, emptyShape: readonly number[]): Tensor {
  if (items.length === 0) return Tensor.zeros(dtype, [0, ...emptyShape]);
  const shape = items[0]!.shape;
  const size = items[0]!.size;
  const data = allocData(items[0]!.dtype, size * items.length);
  items.forEach((t, i) => {
    if (t.shape.length !== shape.length || t.shape.some((d, j) => d !== shape[j])) {
      throw new Error(`cannot stack [${t.shape.join(',')}] with [${shape.join(',')}]`);
    }
    if (Array.isArray(data)) for (let j = 0; j < size; j++) data[i * size + j] = (t.data as string[])[j]!;
    else (data as Exclude<typeof data, string[]>).set(t.data as never, i * size);
  });
  return new Tensor(items[0]!.dtype, [items.length, ...shape], data);
}

/** The sub-tensor at `index` along `axis` (that axis removed). */
export function sliceAxis(t: Tensor, axis: number, index: number): Tensor {
  const outer = staticSize(t.shape.slice(0, axis));
  const extent = t.shape[axis]!;
  const inner = staticSize(t.shape.slice(axis + 1));
  const shape = [...t.shape.slice(0, axis), ...t.shape.slice(axis + 1)];
  const data = allocData(t.dtype, outer * inner);
  for (let o = 0; o < outer; o++) {
    const from = (o * extent + index) * inner;
    if (Array.isArray(data)) for (let j = 0; j < inner; j++) data[o * inner + j] = (t.data as string[])[from + j]!;
    else (data as Exclude<typeof data, string[]>).set((t.data as Exclude<typeof data, string[]>).subarray(from, from + inner) as never, o * inner);
  }
  return new Tensor(t.dtype, shape, data);
}

/** Moves axis 0 to position `axis` (a transpose that keeps the other axes' order). */
function moveAxis0(t: Tensor, axis: number): Tensor {
  if (axis === 0) return t;
  const src = t.shape;
  const shape = [...src.slice(1, axis + 1), src[0]!, ...src.slice(axis + 1)];
  const srcStrides = stridesOf(src);
  const out = Tensor.zeros(t.dtype, shape);
  const outStrides = stridesOf(shape);
  const perm = [...Array.from({ length: axis }, (_, i) => i + 1), 0, ...Array.from({ length: src.length - axis - 1 }, (_, i) => axis + 1 + i)];
  const od = out.data as unknown as unknown[];
  const sd = t.data as unknown as unknown[];
  for (let i = 0; i < out.size; i++) {
    let rem = i;
    let from = 0;
    for (let d = 0; d < shape.length; d++) {
      const c = Math.floor(rem / outStrides[d]!);
      rem -= c * outStrides[d]!;
      from += c * srcStrides[perm[d]!]!;
    }
    od[i] = sd[from];
  }
  return out;
}
