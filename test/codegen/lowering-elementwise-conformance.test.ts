// Runs the ONNX conformance cases that exercise the elementwise and reduction lowering rules
// through the CPU code generator (partition → lower → wasm → CpuDevice, via runDirect), and
// compares with the expected outputs within the conformance tolerances.
//
// Selected: cases that pass on the reference backend (status-ref.json) whose IR, after constant
// folding, contains at least one elementwise/reduction op and only ops that have lowering rules
// (no host/control/special ops). Set LOWERING_CASES=<regex> to run a subset.
import { readFileSync, existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { importModel } from '../../src/frontend/import-model.js';
import { readTensorProtoFile } from '../../src/frontend/tensor-proto.js';
import { foldConstants } from '../../src/ir/fold-constants.js';
import type { IRModule, Value } from '../../src/ir/graph.js';
import { getOpDef } from '../../src/ir/ops/registry.js';
import { Tensor } from '../../src/ir/tensor.js';
import { isStaticShape } from '../../src/ir/types.js';
import { getLowering } from '../../src/codegen/lowering/registry.js';
import '../../src/codegen/lowering/index.js';
import { listCases, NODE_TESTS_DIR, type ConformanceCase } from '../conformance/cases.js';
import { compareTensors } from '../conformance/compare.js';
import { runDirect } from './direct-runner.js';
import { useCpuDevice } from '../support/lowering-harness.js';

/** The ops whose lowering rules these tests are about. */
const FAMILY_OPS: ReadonlySet<string> = new Set([
  'abs', 'acos', 'acosh', 'add', 'and', 'asin', 'asinh', 'atan', 'atanh', 'bit_shift', 'bitwise_and',
  'bitwise_not', 'bitwise_or', 'bitwise_xor', 'cast', 'ceil', 'cos', 'cosh', 'div', 'equal', 'erf', 'exp',
  'floor', 'greater', 'greater_equal', 'is_inf', 'is_nan', 'less', 'less_equal', 'log', 'max', 'min', 'mod',
  'mul', 'neg', 'not', 'or', 'pow', 'reciprocal', 'round', 'select', 'sigmoid', 'sign', 'sin', 'sinh', 'sqrt',
  'sub', 'tan', 'tanh', 'xor', 'constant_of_shape',
  'reduce_sum', 'reduce_prod', 'reduce_mean', 'reduce_max', 'reduce_min', 'arg_max', 'arg_min', 'cum_sum',
]);

interface Selected {
  readonly c: ConformanceCase;
  readonly mod: IRModule;
}

/** Why a module can't go through the direct runner yet, or undefined when it can. */
function blocker(mod: IRModule): string | undefined {
  const values: Value[] = [...mod.graph.inputs, ...mod.graph.nodes.flatMap((n) => n.outputs)];
  if (values.some((v) => !isStaticShape(v.type.shape))) return 'dynamic shapes';
  // Strings have no storage in CPU kernels.
  if (values.some((v) => v.type.dtype === 'string')) return 'string tensors';
  for (const n of mod.graph.nodes) {
    if (n.op === 'constant') continue;
    const kind = getOpDef(n.op)?.kind;
    if (kind === 'host' || kind === 'control' || kind === 'special') return `${kind} op ${n.op}`;
    if (!getLowering(n.op)) return `no lowering for ${n.op}`;
  }
  return undefined;
}

async function selectCases(): Promise<{ selected: Selected[]; skipped: Map<string, string> }> {
  const selected: Selected[] = [];
  const skipped = new Map<string, string>();
  if (!existsSync(NODE_TESTS_DIR)) return { selected, skipped };
  const status = JSON.parse(readFileSync(new URL('../conformance/status-ref.json', import.meta.url), 'utf8')) as Record<string, { status: string }>;
  const filter = process.env['LOWERING_CASES'] ? new RegExp(process.env['LOWERING_CASES']) : undefined;
  for (const c of listCases(NODE_TESTS_DIR, filter)) {
    if (status[c.name]?.status !== 'pass') continue;
    const mod = await importModel(readFileSync(c.modelPath), { path: c.modelPath });
    foldConstants(mod);
    if (!mod.graph.nodes.some((n) => FAMILY_OPS.has(n.op))) continue;
    const why = blocker(mod);
    if (why) skipped.set(c.name, why);
    else selected.push({ c, mod });
  }
  return { selected, skipped };
}

/** ONNX 1.12 stores bf16 test data as u16 bits: reinterpret as the graph declares. */
function asDeclared(t: Tensor, v: Value | undefined): Tensor {
  return v?.type.dtype === 'bf16' && t.dtype === 'u16' ? new Tensor('bf16', t.shape, t.data) : t;
}

const { selected, skipped } = await selectCases();

const device = useCpuDevice();
afterAll(() => {
  const reasons = new Map<string, number>();
  for (const why of skipped.values()) reasons.set(why, (reasons.get(why) ?? 0) + 1);
  console.log(`lowering conformance: ${selected.length} cases run, ${skipped.size} skipped`, Object.fromEntries(reasons));
});

describe('elementwise and reduction lowering on ONNX conformance cases (CPU, direct runner)', () => {
  it.skipIf(selected.length > 0)('has conformance cases to run', () => {
    expect(existsSync(NODE_TESTS_DIR)).toBe(false);
  });
  it.each(selected.map((s) => [s.c.name, s] as const))('%s', async (_name, { c, mod }) => {
    for (const set of c.dataSets) {
      const inputs = set.inputs.map((f, i) => asDeclared(readTensorProtoFile(f), mod.graph.inputs[i]));
      const expected = set.outputs.map((f, i) => asDeclared(readTensorProtoFile(f), mod.graph.outputs[i]));
      const actual = await runDirect(mod, inputs, device());
      expect(actual.length).toBe(expected.length);
      for (let i = 0; i < expected.length; i++) {
        const r = compareTensors(actual[i]!, expected[i]!);
        expect(r.ok ? 'ok' : `${set.name}/output_${i}: ${r.reason}`).toBe('ok');
      }
    }
  });
});
