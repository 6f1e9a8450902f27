// Small IR modules built directly with the builder, for printer/verifier/pass tests.
import { ModuleBuilder } from '../../src/ir/builder.js';
import type { IRModule } from '../../src/ir/graph.js';
import '../../src/ir/ops/index.js';
import { Tensor } from '../../src/ir/tensor.js';

/**
 * x: f32[N,3] → shape(x) → cast to f32 → add a constant; constant_of_shape of a constant
 * shape; an `if` on a bool input choosing between two filled tensors (the then branch reads outer %dims).
 */
export function sampleModule(): IRModule {
  const mb = new ModuleBuilder();
  const g = mb.graph();
  const x = g.input('x', { dtype: 'f32', shape: ['N', 3] });
  const flag = g.input('flag', { dtype: 'bool', shape: [] });
  const s = g.op1('shape', [x], { start: 0, end: null }, { names: ['x_shape'] });
  const sf = g.op1('cast', [s], { to: 'f32' }, { names: ['x_shape_f'] });
  const two = g.constant(Tensor.fromNumbers('f32', [2], [0.5, 2]), 'two');
  const sum = g.op1('add', [sf, two], {}, { names: ['sum'] });
  const dims = g.constant(Tensor.fromBigInts('i64', [2], [2n, 3n]), 'dims');
  const filled = g.op1('constant_of_shape', [dims], { value: Tensor.fromNumbers('f32', [1], [7]) }, { names: ['filled'] });
  const then = mb.graph();
  const thenOut = then.op1('constant_of_shape', [dims], { value: Tensor.fromNumbers('f32', [1], [1]) }, { names: ['ones'] });
  const els = mb.graph();
  const elseOut = els.op1('add', [filled, filled], {}, { names: ['else_sum'] });
  const [picked] = g.op('if', [flag], {}, { regions: [then.finish([thenOut]), els.finish([elseOut])], names: ['picked'] });
  return mb.finish(g.finish([sum, picked!]), ['x', 'flag'], ['sum', 'picked'], { source: 'sampleModule' });
}
