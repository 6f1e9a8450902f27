// Runs ONNX conformance cases through the CPU code generator (partition → lower → wasm → CPU
// device, via the direct runner) and compares with the expected outputs. Covered: every case that
// passes on the reference backend and whose IR, after the reference pipeline (import, constant
// folding), has only ops with lowering rules and no string tensors. A case whose lowering a
// non-linalg rule declines with a clear MODEL_UNSUPPORTED error (e.g. Slice starts given at run
// time) is skipped with that reason; the same from a linalg rule fails. Set LINALG_ONLY=1 to run
// just the cases that use a linalg op (matmul, conv, pooling).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getLowering } from '../../src/codegen/lowering/registry.js';
import '../../src/codegen/lowering/index.js';
import { importModel } from '../../src/frontend/import-model.js';
import { readTensorProtoFile } from '../../src/frontend/tensor-proto.js';
import { foldConstants } from '../../src/ir/fold-constants.js';
import type { IRModule } from '../../src/ir/graph.js';
import { getOpDef } from '../../src/ir/ops/registry.js';
import { Tensor } from '../../src/ir/tensor.js';
import { isIreetsError } from '../../src/util/errors.js';
import { listCases, type ConformanceCase } from '../conformance/cases.js';
import { profileModel } from '../conformance/classify.js';
import { compareTensors } from '../conformance/compare.js';
import { runDirect } from './direct-runner.js';
import { useCpuDevice } from '../support/lowering-harness.js';

const LINALG_OPS = new Set(['matmul', 'conv', 'conv_transpose', 'max_pool', 'avg_pool', 'lp_pool', 'max_unpool']);
const ONNX_BFLOAT16 = 16;

const status = JSON.parse(readFileSync(new URL('../conformance/status-ref.json', import.meta.url), 'utf8')) as Record<string, { status: string }>;

interface Prepared {
  c: ConformanceCase;
  mod: IRModule;
  modelBytes: Uint8Array;
  linalg: boolean;
}

/** Imports and folds a case; undefined when some op of its graph has no lowering rule. */
async function prepare(c: ConformanceCase): Promise<Prepared | undefined> {
  const modelBytes = readFileSync(c.modelPath);
  let mod: IRModule;
  try {
    mod = await importModel(modelBytes, { path: c.modelPath });
    foldConstants(mod);
  } catch {
    return undefined;
  }
  const ops = mod.graph.nodes.filter((n) => n.op !== 'constant').map((n) => n.op);
  const values = [...mod.graph.inputs, ...mod.graph.nodes.flatMap((n) => n.outputs)];
  if (values.some((v) => v.type.dtype === 'string')) return undefined;
  const lowerable = ops.every((op) => {
    const kind = getOpDef(op)?.kind;
    return kind !== undefined && !['host', 'special', 'control'].includes(kind) && getLowering(op) !== undefined;
  });
  if (!lowerable || ops.length === 0) return undefined;
  return { c, mod, modelBytes, linalg: ops.some((op) => LINALG_OPS.has(op)) };
}

const linalgOnly = process.env['LINALG_ONLY'] === '1';
const passingOnRef = listCases().filter((c) => status[c.name]?.status === 'pass');
const prepared: Prepared[] = [];
for (const c of passingOnRef) {
  const p = await prepare(c);
  if (p && (!linalgOnly || p.linalg)) prepared.push(p);
}

const device = useCpuDevice();

/** ONNX 1.12 stores bfloat16 test data as UINT16 bits; read it as the model declares. */
function asDeclared(t: Tensor, elemType: number | undefined): Tensor {
  return elemType === ONNX_BFLOAT16 && t.dtype === 'u16' ? new Tensor('bf16', t.shape, t.data) : t;
}

/** The IR op a lowering error names (`node "X" (op)`), if any. */
function culpritOp(e: unknown): string | undefined {
  return isIreetsError(e) ? /\(([a-z_0-9]+)\)$/.exec(e.culprit ?? '')?.[1] : undefined;
}

async function check(p: Prepared, skip: (note: string) => never): Promise<void> {
  const profile = profileModel(p.modelBytes);
  for (const set of p.c.dataSets) {
    const inputs = set.inputs.map((f, i) => asDeclared(readTensorProtoFile(f), profile.inputElemTypes?.[i]));
    const expected = set.outputs.map((f, i) => asDeclared(readTensorProtoFile(f), profile.outputElemTypes?.[i]));
    let actual: Tensor[];
    try {
      actual = await runDirect(p.mod, inputs, device());
    } catch (e) {
      const op = culpritOp(e);
      if (isIreetsError(e) && e.code === 'MODEL_UNSUPPORTED' && op && !LINALG_OPS.has(op)) skip(e.message);
      throw e;
    }
    expect(actual.length).toBe(expected.length);
    expected.forEach((e, i) => {
      const r = compareTensors(actual[i]!, e, { random: profile.random === true });
      expect(r.ok ? 'ok' : `${set.name} output ${i}: ${r.reason}`).toBe('ok');
    });
  }
}

describe('conformance cases through the CPU code generator', () => {
  it('finds linalg cases to run', () => {
    expect(prepared.filter((p) => p.linalg).length).toBeGreaterThan(0);
  });
  for (const p of prepared) {
    it(`${p.linalg ? '[linalg] ' : ''}${p.c.name}`, ({ skip }) => check(p, skip));
  }
});
