// Test utility: runs ONNX conformance cases through the CPU code generator (runDirect) and
// classifies the outcome, for the lowering tests. A case runs when, after import and constant
// folding, every op of its main graph has a lowering rule and is not host/special/control.
//
// Conformance models pass shape-like operands (Slice's starts, Pad's pads, Resize's scales…) as
// graph inputs, which the code generator cannot size buffers from. A second mode, "frozen",
// turns exactly those graph inputs into initializers (their test values), as a model with
// static shapes would have them, so the rules behind them get exercised too.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTensorProtoFile } from '../../src/frontend/tensor-proto.js';
import type { IRModule } from '../../src/ir/graph.js';
import { getOpDef } from '../../src/ir/ops/registry.js';
import { getLowering } from '../../src/codegen/lowering/registry.js';
import '../../src/codegen/lower-region.js';
import type { CpuDevice } from '../../src/hal/cpu/cpu-device.js';
import { Tensor } from '../../src/ir/tensor.js';
import { initHashing } from '../../src/util/hash.js';
import { listCases, type ConformanceCase } from '../conformance/cases.js';
import { compareTensors } from '../conformance/compare.js';
import { runDirect } from './direct-runner.js';
import { firstLine, prepareCase } from '../support/conformance-case.js';

export type DirectOutcome =
  | { kind: 'pass'; frozen: boolean; ops: string[] }
  | { kind: 'fail' | 'error'; frozen: boolean; ops: string[]; message: string }
  /** Not runnable by the code generator: ops without rules, host ops, or an import problem. */
  | { kind: 'skip'; ops: string[]; reason: string };

/** IR ops (constants excluded) of a module's main graph. */
export function irOps(mod: IRModule): string[] {
  return [...new Set(mod.graph.nodes.filter((n) => n.op !== 'constant').map((n) => n.op))].sort();
}

/** Why the code generator cannot take these ops, or undefined when it can. */
export function unsupportedReason(ops: readonly string[]): string | undefined {
  const host = ops.filter((op) => ['host', 'special', 'control'].includes(getOpDef(op)?.kind ?? ''));
  if (host.length > 0) return `host/special/control ops: ${host.join(', ')}`;
  const missing = ops.filter((op) => !getLowering(op));
  if (missing.length > 0) return `no lowering rule: ${missing.join(', ')}`;
  return undefined;
}

async function runOnce(c: ConformanceCase, mod: IRModule, frozen: Set<number>, dev: CpuDevice): Promise<string | undefined> {
  for (const set of c.dataSets) {
    // Frozen inputs carry data set 0's values: later data sets with other values do not apply.
    if (frozen.size > 0 && set !== c.dataSets[0]) break;
    const inputs: Tensor[] = set.inputs.filter((_, i) => !frozen.has(i)).map((f) => readTensorProtoFile(f));
    const expected = set.outputs.map((f) => readTensorProtoFile(f));
    const actual = await runDirect(mod, inputs, dev);
    for (let i = 0; i < expected.length; i++) {
      const act = actual[i]!;
      let exp = expected[i]!;
      // ONNX 1.12 stores bfloat16 test data as uint16 bits.
      if (act.dtype === 'bf16' && exp.dtype === 'u16') exp = new Tensor('bf16', exp.shape, exp.data);
      const r = compareTensors(act, exp);
      if (!r.ok) return `${set.name}/output_${i}: ${r.reason}`;
    }
  }
  return undefined;
}

/** Runs one conformance case through runDirect; tries the frozen mode when the plain one cannot compile. */
export async function runCaseDirect(c: ConformanceCase, dev: CpuDevice): Promise<DirectOutcome> {
  await initHashing();
  let plain: { mod: IRModule; frozen: Set<number> };
  try {
    plain = prepareCase(c, false);
  } catch (e) {
    return { kind: 'skip', ops: [], reason: `import: ${firstLine(e)}` };
  }
  const attempt = async (p: { mod: IRModule; frozen: Set<number> }, frozen: boolean): Promise<DirectOutcome> => {
    const ops = irOps(p.mod);
    const reason = unsupportedReason(ops);
    if (reason) return { kind: 'skip', ops, reason };
    try {
      const failure = await runOnce(c, p.mod, p.frozen, dev);
      return failure ? { kind: 'fail', frozen, ops, message: failure } : { kind: 'pass', frozen, ops };
    } catch (e) {
      return { kind: 'error', frozen, ops, message: firstLine(e) };
    }
  };
  const first = await attempt(plain, false);
  if (first.kind === 'pass' || first.kind === 'fail') return first;
  let frozen: { mod: IRModule; frozen: Set<number> };
  try {
    frozen = prepareCase(c, true);
  } catch {
    return first;
  }
  if (frozen.frozen.size === 0) return first;
  const second = await attempt(frozen, true);
  return second.kind === 'skip' && first.kind !== 'skip' ? first : second;
}

/** Conformance cases by name (those under /usr/share/libonnx-testdata/data/node). */
export function conformanceCases(names: readonly string[]): ConformanceCase[] {
  const wanted = new Set(names);
  return listCases(undefined).filter((c) => wanted.has(c.name));
}

/** Cases the reference backend passes, per the committed status file. */
export function refPassingCases(): string[] {
  const status = JSON.parse(readFileSync(join(import.meta.dirname, '../conformance/status-ref.json'), 'utf8')) as Record<string, { status: string }>;
  return Object.keys(status).filter((k) => status[k]!.status === 'pass').sort();
}
