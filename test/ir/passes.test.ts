import { beforeAll, describe, expect, it } from 'vitest';
import { ModuleBuilder } from '../../src/ir/builder.js';
import { foldConstants } from '../../src/ir/fold-constants.js';
import { walkNodes, type IRModule } from '../../src/ir/graph.js';
import { inferShapes } from '../../src/ir/infer-shapes.js';
import { interpretModule } from '../../src/ir/interpret/interpreter.js';
import { runPipeline } from '../../src/ir/passes.js';
import { Tensor } from '../../src/ir/tensor.js';
import { verifyModule } from '../../src/ir/verifier.js';
import { IreetsError } from '../../src/util/errors.js';
import { initHashing } from '../../src/util/hash.js';
import { sampleModule } from './module-fixtures.js';

beforeAll(() => initHashing());

function verifyError(mod: IRModule): IreetsError {
  try {
    verifyModule(mod);
  } catch (e) {
    expect(e).toBeInstanceOf(IreetsError);
    expect((e as IreetsError).code).toBe('IR_INVALID');
    return e as IreetsError;
  }
  throw new Error('verifyModule accepted an invalid module');
}

describe('verifyModule', () => {
  it('accepts a well-formed module with regions reading outer values', () => {
    expect(() => verifyModule(sampleModule())).not.toThrow();
  });

  it('rejects a use before definition', () => {
    const mod = sampleModule();
    const nodes = mod.graph.nodes;
    const sum = nodes.findIndex((n) => n.outputs[0]!.name === 'sum');
    [nodes[0], nodes[sum]] = [nodes[sum]!, nodes[0]!];
    expect(verifyError(mod).message).toContain('used before it is defined');
  });

  it('rejects a region reading an outer value defined after its owner', () => {
    const mod = sampleModule();
    const ifNode = mod.graph.nodes.find((n) => n.op === 'if')!;
    mod.graph.nodes = mod.graph.nodes.filter((n) => n !== ifNode);
    mod.graph.nodes.splice(0, 0, ifNode);
    // The then region reads %dims, which now comes after the `if`.
    const e = verifyError(mod);
    expect(e.message).toContain('%dims');
    expect(e.culprit).toContain('constant_of_shape');
  });

  it('rejects unknown ops, missing constants and a wrong result count', () => {
    const a = sampleModule();
    (a.graph.nodes[0] as { op: string }).op = 'no_such_op';
    expect(verifyError(a).message).toContain('no_such_op');
    const b = sampleModule();
    b.constants.clear();
    expect(verifyError(b).message).toContain('constants');
    const c = sampleModule();
    const cast = c.graph.nodes.find((n) => n.op === 'cast')!;
    cast.outputs.push({ id: 9999, name: 'extra', type: { dtype: 'f32', shape: [] } });
    expect(verifyError(c).message).toContain('gives 1 results');
  });
});

describe('inferShapes', () => {
  it('propagates a refined input type to the values computed from it', () => {
    const mb = new ModuleBuilder();
    const g = mb.graph();
    const x = g.input('x', { dtype: 'f32', shape: ['N', 3] });
    const y = g.op1('add', [x, x], {}, { names: ['y'] });
    const s = g.op1('shape', [y], { start: 1, end: null }, { names: ['s'] });
    const mod = mb.finish(g.finish([y, s]), ['x'], ['y', 's'], {});
    expect(y.type.shape).toEqual(['N', 3]);
    x.type = { dtype: 'f32', shape: [5, 3] };
    inferShapes(mod);
    expect(y.type.shape).toEqual([5, 3]);
    expect(s.type.shape).toEqual([1]);
  });

  it('reports an inference failure as SHAPE_MISMATCH naming the node', () => {
    const mb = new ModuleBuilder();
    const g = mb.graph();
    const x = g.input('x', { dtype: 'f32', shape: [2, 3] });
    const y = g.op1('add', [x, x], {}, { origin: 'adder' });
    const mod = mb.finish(g.finish([y]), ['x'], ['y'], {});
    mod.graph.nodes[0]!.inputs[1] = { id: 500, name: 'z', type: { dtype: 'f32', shape: [4, 5] } };
    expect(() => inferShapes(mod)).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH', culprit: 'node "adder" (add)' }));
  });

  it('rejects a node whose result count is not what its op gives (the pipeline verifies arity through it)', () => {
    const mod = sampleModule();
    const cast = mod.graph.nodes.find((n) => n.op === 'cast')!;
    cast.outputs.push({ id: 9999, name: 'extra', type: { dtype: 'f32', shape: [] } });
    expect(() => inferShapes(mod)).toThrow(expect.objectContaining({ code: 'IR_INVALID', message: expect.stringContaining('gives 1 results, the node has 2') }));
    expect(() => runPipeline(sampleModule(), 'fold')).not.toThrow();
    const again = sampleModule();
    again.graph.nodes.find((n) => n.op === 'cast')!.outputs.push({ id: 9999, name: 'extra', type: { dtype: 'f32', shape: [] } });
    expect(() => runPipeline(again, 'fold')).toThrow(expect.objectContaining({ code: 'IR_INVALID' }));
  });
});

describe('foldConstants', () => {
  it('folds shape arithmetic on static shapes and keeps results equal', () => {
    const mb = new ModuleBuilder();
    const g = mb.graph();
    const x = g.input('x', { dtype: 'f32', shape: [2, 3] });
    const s = g.op1('shape', [x], { start: 0, end: null });
    const f = g.op1('cast', [s], { to: 'f32' });
    const two = g.constant(Tensor.fromNumbers('f32', [2], [10, 20]));
    const sum = g.op1('add', [f, two], {}, { names: ['sum'] });
    const filled = g.op1('constant_of_shape', [s], { value: Tensor.fromNumbers('i32', [1], [4]) }, { names: ['filled'] });
    const mod = mb.finish(g.finish([sum, filled]), ['x'], ['sum', 'filled'], {});
    const input = Tensor.fromNumbers('f32', [2, 3], [1, 2, 3, 4, 5, 6]);
    const before = interpretModule(mod, [input]);
    expect(foldConstants(mod)).toBe(4);
    expect(mod.graph.nodes.map((n) => n.op)).toEqual(['constant', 'constant']);
    // The folded-away `two` and shape constants left the pool.
    expect(mod.constants.size).toBe(2);
    const after = interpretModule(mod, [input]);
    expect(after[0]!.toNumbers()).toEqual(before[0]!.toNumbers());
    expect(after[0]!.toNumbers()).toEqual([12, 23]);
    expect(after[1]!.shape).toEqual([2, 3]);
    expect(mod.graph.outputs.map((v) => v.name)).toEqual(['sum', 'filled']);
    verifyModule(mod);
  });

  it('folds inside regions using outer constants but never folds control flow', () => {
    const mod = sampleModule();
    foldConstants(mod);
    const ops = [...walkNodes(mod.graph)].map((n) => n.op);
    expect(ops).toContain('if');
    expect(ops).not.toContain('constant_of_shape');
    const out = interpretModule(mod, [Tensor.fromNumbers('f32', [1, 3], [0, 0, 0]), Tensor.fromNumbers('bool', [], [0])]);
    expect(out[1]!.toNumbers()).toEqual([14, 14, 14, 14, 14, 14]);
  });

  it('leaves results above the size limit alone', () => {
    const mb = new ModuleBuilder();
    const g = mb.graph();
    const dims = g.constant(Tensor.fromBigInts('i64', [2], [1000n, 1000n]));
    const big = g.op1('constant_of_shape', [dims], { value: Tensor.fromNumbers('f32', [1], [1]) });
    const mod = mb.finish(g.finish([big]), [], ['big'], {});
    expect(foldConstants(mod)).toBe(0);
  });
});

describe('runPipeline', () => {
  it('runs verify, inference and folding in order', () => {
    const mod = runPipeline(sampleModule(), 'fold');
    expect([...walkNodes(mod.graph)].filter((n) => n.op === 'constant_of_shape')).toHaveLength(0);
  });
});

describe('runPipeline without the verify between inference and folding', () => {
  it('folds to the same module, and still refuses an invalid one', async () => {
    const { printModule } = await import('../../src/ir/printer.js');
    const a = runPipeline(sampleModule(), 'fold');
    const b = runPipeline(sampleModule(), 'fold', { verifyInferred: false });
    expect(printModule(b)).toBe(printModule(a));
    const bad = sampleModule();
    const nodes = bad.graph.nodes;
    const sum = nodes.findIndex((n) => n.outputs[0]!.name === 'sum');
    [nodes[0], nodes[sum]] = [nodes[sum]!, nodes[0]!];
    expect(() => runPipeline(bad, 'fold', { verifyInferred: false })).toThrow(/used before it is defined/);
  });
});
