// Reference kernels: movement ops (see src/ir/ops/movement.ts for their contracts).
import { allocData } from '../../dtype.js';
import { Tensor, stridesOf } from '../../tensor.js';
import { broadcastShapes, staticSize } from '../../types.js';
import { defineKernel } from '../registry.js';
import { equalSplitSizes, transposePerm, unsqueezeShape } from '../../ops/movement.js';
import {
  attrInt, attrInts, normAxis, reshapeShape, sliceRanges, tensorInts,
} from '../../ops/movement-util.js';
import { copyRun, viewCopy } from './movement-strided.js';
import './movement-index.js';
import './movement-misc.js';
import './movement-resize.js';

function need(inputs: readonly (Tensor | null)[], i: number, what: string): Tensor {
  const t = inputs[i];
  if (!t) throw new Error(`missing input ${what}`);
  return t;
}

defineKernel('transpose', (inputs, attrs) => {
  const x = need(inputs, 0, 'data');
  const perm = transposePerm(attrInts(attrs, 'perm'), x.rank);
  const st = stridesOf(x.shape);
  return [viewCopy(x, 0, perm.map((p) => x.shape[p]!), perm.map((p) => st[p]!))];
});

defineKernel('reshape', (inputs, attrs) => {
  const x = need(inputs, 0, 'data');
  const target = tensorInts(need(inputs, 1, 'shape'));
  const shape = reshapeShape(x.shape, target, attrInt(attrs, 'allowzero', 0) !== 0) as number[];
  return [x.reshape(shape)];
});

defineKernel('expand', (inputs) => {
  const x = need(inputs, 0, 'data');
  const target = tensorInts(need(inputs, 1, 'shape'));
  const out = broadcastShapes([x.shape, target]) as number[];
  const st = stridesOf(x.shape);
  const lead = out.length - x.rank;
  const strides = out.map((_, i) => (i < lead || x.shape[i - lead] === 1 ? 0 : st[i - lead]!));
  return [viewCopy(x, 0, out, strides)];
});

defineKernel('squeeze', (inputs) => {
  const x = need(inputs, 0, 'data');
  const axesT = inputs[1];
  if (!axesT) return [x.reshape(x.shape.filter((d) => d !== 1))];
  const drop = new Set(tensorInts(axesT).map((a) => normAxis(a, x.rank, 'squeeze axis')));
  for (const a of drop) if (x.shape[a] !== 1) throw new Error(`cannot squeeze axis ${a} of extent ${x.shape[a]}`);
  return [x.reshape(x.shape.filter((_, i) => !drop.has(i)))];
});

defineKernel('unsqueeze', (inputs) => {
  const x = need(inputs, 0, 'data');
  const axes = tensorInts(need(inputs, 1, 'axes'));
  return [x.reshape(unsqueezeShape(x.shape, axes) as number[])];
});

defineKernel('concat', (inputs, attrs) => {
  const ts = inputs.map((t, i) => need(inputs, i, `#${i}`));
  const first = ts[0]!;
  const axis = normAxis(attrInt(attrs, 'axis', 0), first.rank, 'concat axis');
  const shape = [...first.shape];
  shape[axis] = 0;
  for (const t of ts) {
    if (t.rank !== first.rank || t.shape.some((d, i) => i !== axis && d !== first.shape[i])) {
      throw new Error(`concat inputs [${first.shape.join(',')}] and [${t.shape.join(',')}] do not fit`);
    }
    shape[axis] += t.shape[axis]!;
  }
  const outer = staticSize(shape.slice(0, axis));
  const inner = staticSize(shape.slice(axis + 1));
  const out = allocData(first.dtype, staticSize(shape));
  const rowLen = shape[axis]! * inner;
  let col = 0;
  for (const t of ts) {
    const chunk = t.shape[axis]! * inner;
    for (let o = 0; o < outer; o++) copyRun(out, o * rowLen + col, t.data, o * chunk, chunk);
    col += chunk;
  }
  return [new Tensor(first.dtype, shape, out)];
});

function sliceTensor(
  x: Tensor, starts: number[], ends: number[], axes: number[] | undefined, steps: number[] | undefined,
): Tensor {
  const ranges = sliceRanges(x.shape, starts, ends, axes, steps);
  const st = stridesOf(x.shape);
  let offset = 0;
  for (let i = 0; i < ranges.length; i++) if (ranges[i]!.count > 0) offset += ranges[i]!.start * st[i]!;
  return viewCopy(x, offset, ranges.map((r) => r.count), ranges.map((r, i) => r.step * st[i]!));
}

defineKernel('slice', (inputs) => {
  const x = need(inputs, 0, 'data');
  const starts = tensorInts(need(inputs, 1, 'starts'));
  const ends = tensorInts(need(inputs, 2, 'ends'));
  const axes = inputs[3] ? tensorInts(inputs[3]) : undefined;
  const steps = inputs[4] ? tensorInts(inputs[4]) : undefined;
  return [sliceTensor(x, starts, ends, axes, steps)];
});

defineKernel('split', (inputs, attrs, ctx) => {
  const x = need(inputs, 0, 'data');
  const axis = normAxis(attrInt(attrs, 'axis', 0), x.rank, 'split axis');
  const dim = x.shape[axis]!;
  const sizes = inputs[1] ? tensorInts(inputs[1]) : equalSplitSizes(dim, attrInt(attrs, 'num_outputs', ctx.node.outputs.length));
  if (sizes.reduce((a, b) => a + b, 0) !== dim) throw new Error(`split sizes [${sizes.join(',')}] do not add up to ${dim}`);
  let at = 0;
  return sizes.map((n) => {
    const t = sliceTensor(x, [at], [at + n], [axis], undefined);
    at += n;
    return t;
  });
});
