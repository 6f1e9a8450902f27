// Shared set-up of the lowering tests: a CPU device per test file, modules built from a graph
// body, and runs through the CPU code generator (direct runner) checked against the reference
// interpreter.
import { afterAll, beforeAll, expect } from 'vitest';
import { CpuDevice } from '../../src/hal/cpu/cpu-device.js';
import { ModuleBuilder, type GraphBuilder } from '../../src/ir/builder.js';
import { isBigInt } from '../../src/ir/dtype.js';
import type { Attrs, IRModule, Value } from '../../src/ir/graph.js';
import { interpretModule } from '../../src/ir/interpret/interpreter.js';
import { partitionGraph } from '../../src/ir/partition.js';
import { Tensor } from '../../src/ir/tensor.js';
import { initHashing } from '../../src/util/hash.js';
import { compareTensors } from '../conformance/compare.js';
import { runDirect } from '../codegen/direct-runner.js';

/**
 * Registers hooks that create a single-threaded CPU device before the tests of the enclosing file
 * (or describe block) and destroy it after them; returns the device's getter.
 */
export function useCpuDevice(): () => CpuDevice {
  let dev: CpuDevice | undefined;
  beforeAll(async () => {
    await initHashing();
    dev = await CpuDevice.create({ threads: 1 });
  });
  afterAll(async () => {
    await dev?.destroy();
  });
  return () => {
    if (!dev) throw new Error('the CPU device exists only while the tests run');
    return dev;
  };
}

/** A graph operand: a graph input (bound at run time), or a constant (a weight; inlined when small). */
export interface GraphOperand {
  readonly tensor: Tensor;
  readonly constant?: boolean;
}

export interface BuiltModule {
  readonly mod: IRModule;
  /** The tensors to feed to the graph inputs, in order. */
  readonly inputs: Tensor[];
}

/**
 * A module whose graph takes `operands` (a bare tensor is a graph input) as inputs `x<i>` and
 * constants `c<i>`, and returns the values `body` computes from them.
 */
export function buildModule(operands: readonly (Tensor | GraphOperand)[], body: (g: GraphBuilder, vals: Value[]) => Value[]): BuiltModule {
  const ops = operands.map((o): GraphOperand => (o instanceof Tensor ? { tensor: o } : o));
  const mb = new ModuleBuilder();
  const g = mb.graph();
  const vals = ops.map((o, i) => (o.constant ? g.constant(o.tensor, `c${i}`) : g.input(`x${i}`, { dtype: o.tensor.dtype, shape: o.tensor.shape })));
  const outs = body(g, vals);
  const mod = mb.finish(g.finish(outs), g.inputs.map((v) => v.name), outs.map((v) => v.name), {});
  return { mod, inputs: ops.filter((o) => !o.constant).map((o) => o.tensor) };
}

/** A graph body of one op applied to all the operands. */
export function singleOp(op: string, attrs: Attrs = {}, numOutputs?: number): (g: GraphBuilder, vals: Value[]) => Value[] {
  return (g, vals) => g.op(op, vals, attrs, numOutputs ? { numOutputs } : {});
}

/** Elements that differ between two tensors of one dtype: bit for bit (NaN = NaN, -0 ≠ 0), or within `rtol` when it is > 0. */
function differences(got: Tensor, want: Tensor, rtol: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < want.size; i++) {
    if (isBigInt(want.dtype)) {
      const [a, b] = [got.getBigInt(i), want.getBigInt(i)];
      if (a !== b) out.push(`[${i}] got ${a}, want ${b}`);
      continue;
    }
    const [a, b] = [got.getNumber(i), want.getNumber(i)];
    if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) continue;
    if (rtol > 0 && Math.abs(a - b) <= rtol * Math.abs(b)) continue;
    out.push(`[${i}] got ${a}, want ${b}`);
  }
  return out;
}

export interface AgreementOptions {
  /** Require every value to come from a kernel: the partition may have no host step. */
  readonly kernelsOnly?: boolean;
  /**
   * How results must match the reference: 'conformance' (the conformance suite's tolerances), or
   * identical up to a relative tolerance (`{ rtol: 0 }`: bit for bit). Default 'conformance'.
   */
  readonly match?: 'conformance' | { readonly rtol: number };
}

/** Runs the module on the CPU code generator and on the reference interpreter; expects the results to agree. */
export async function expectAgreesWithReference({ mod, inputs }: BuiltModule, dev: CpuDevice, opts: AgreementOptions = {}): Promise<Tensor[]> {
  if (opts.kernelsOnly) expect(partitionGraph(mod).filter((s) => s.kind === 'host')).toEqual([]);
  const want = interpretModule(mod, inputs);
  const got = await runDirect(mod, inputs, dev);
  expect(got.length).toBe(want.length);
  const match = opts.match ?? 'conformance';
  want.forEach((w, i) => {
    const t = got[i]!;
    if (match === 'conformance') {
      const r = compareTensors(t, w);
      expect(r.ok ? 'ok' : `output ${i}: ${r.reason}`).toBe('ok');
      return;
    }
    expect(t.dtype).toBe(w.dtype);
    expect(t.shape).toEqual(w.shape);
    expect(differences(t, w, match.rtol).slice(0, 5)).toEqual([]);
  });
  return got;
}
