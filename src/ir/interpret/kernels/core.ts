// Reference kernels: core ops (shape, size, cast, constant_of_shape).
import { allocData } from '../../dtype.js';
import { shapeRange } from '../../ops/core.js';
import { Tensor } from '../../tensor.js';
import { staticSize } from '../../types.js';
import { defineKernel } from '../registry.js';
import { castTensor } from './cast.js';

defineKernel('shape', ([x], attrs) => {
  const [s, e] = shapeRange(x!.rank, Number(attrs['start'] ?? 0), (attrs['end'] ?? null) as number | null);
  return [Tensor.fromBigInts('i64', [e - s], x!.shape.slice(s, e).map(BigInt))];
});

defineKernel('size', ([x]) => [Tensor.fromBigInts('i64', [], [BigInt(x!.size)])]);

defineKernel('cast', ([x], attrs) => [castTensor(x!, attrs['to'] as Tensor['dtype'])]);

defineKernel('constant_of_shape', ([shape], attrs) => {
  const value = attrs['value'] as Tensor;
  const dims = Array.from({ length: shape!.size }, (_, i) => Number(shape!.getBigInt(i)));
  if (dims.some((d) => d < 0 || !Number.isSafeInteger(d))) throw new Error(`constant_of_shape: invalid shape [${dims.join(',')}]`);
  const data = allocData(value.dtype, staticSize(dims));
  const v = (value.data as ArrayLike<unknown>)[0];
  // Zero is what allocData already holds.
  if (v !== 0 && v !== 0n && v !== '') (data as unknown as { fill(x: unknown): void }).fill(v);
  return [new Tensor(value.dtype, dims, data)];
});
