// Reference kernel: general einsum (repeated labels = diagonals, ellipsis broadcasting, implicit
// output). One odometer over all labels, output labels first, products accumulated in f64.
import { einsumLabelSizes, parseEinsum, strAttr } from '../../ops/linalg.js';
import type { Tensor } from '../../tensor.js';
import { stridesOf } from '../../tensor.js';
import { staticSize } from '../../types.js';
import { defineKernel } from '../registry.js';
import { tensorFromF64 } from './linalg-util.js';

export function einsum(inputs: readonly Tensor[], equation: string): Tensor {
  const spec = parseEinsum(equation, inputs.map((t) => t.rank));
  const sizes = einsumLabelSizes(spec, inputs.map((t) => t.shape)) as Map<number, number>;
  const summed: number[] = [];
  for (const labels of spec.operands) for (const l of labels) if (!spec.output.includes(l) && !summed.includes(l)) summed.push(l);
  const loop = [...spec.output, ...summed];
  const extents = loop.map((l) => sizes.get(l) ?? 1);
  const outShape = spec.output.map((l) => sizes.get(l) ?? 1);
  const outStrides = stridesOf(outShape);

  // Per operand and loop label: the element stride (summed for repeated labels, 0 when broadcast).
  const strides = inputs.map((t, op) => {
    const s = new Array<number>(loop.length).fill(0);
    const own = stridesOf(t.shape);
    spec.operands[op]!.forEach((l, j) => {
      if (t.shape[j] === 1 && sizes.get(l) !== 1) return;
      s[loop.indexOf(l)]! += own[j]!;
    });
    return s;
  });
  const outStep = loop.map((_, i) => (i < spec.output.length ? outStrides[i]! : 0));

  const out = new Float64Array(staticSize(outShape));
  const datas = inputs.map((t) => t.toFloat64());
  const total = staticSize(extents);
  const idx = new Array<number>(loop.length).fill(0);
  const offs = new Array<number>(inputs.length).fill(0);
  let outOff = 0;
  for (let it = 0; it < total; it++) {
    let prod = 1;
    for (let op = 0; op < datas.length; op++) prod *= datas[op]![offs[op]!]!;
    out[outOff]! += prod;
    for (let d = loop.length - 1; d >= 0; d--) {
      idx[d]!++;
      outOff += outStep[d]!;
      for (let op = 0; op < offs.length; op++) offs[op]! += strides[op]![d]!;
      if (idx[d]! < extents[d]!) break;
      outOff -= outStep[d]! * extents[d]!;
      for (let op = 0; op < offs.length; op++) offs[op]! -= strides[op]![d]! * extents[d]!;
      idx[d] = 0;
    }
  }
  return tensorFromF64(inputs[0]!.dtype, outShape, out);
}

defineKernel('einsum', (inputs, attrs) => {
  if (inputs.some((t) => !t)) throw new Error('einsum operands must all be present');
  return [einsum(inputs as Tensor[], strAttr(attrs, 'equation', ''))];
});
