// Every ONNX conformance case that passes on the reference backend and uses a special op with a
// lowering rule of the special family (einsum, top_k, dft, stft, window, mel_weight_matrix,
// grid_sample, roi_align, det, tfidf_vectorizer), run through the CPU code generator (direct runner: partition → lower →
// wasm → CpuDevice) and compared with the expected outputs within the conformance tolerances.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '../../src/codegen/lowering/index.js';
import { importModel } from '../../src/frontend/import-model.js';
import { readTensorProtoFile } from '../../src/frontend/tensor-proto.js';
import { foldConstants } from '../../src/ir/fold-constants.js';
import type { IRModule } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { initHashing } from '../../src/util/hash.js';
import { listCases, NODE_TESTS_DIR } from '../conformance/cases.js';
import { compareTensors } from '../conformance/compare.js';
import { existsSync } from 'node:fs';
import { runDirect } from './direct-runner.js';
import { useCpuDevice } from '../support/lowering-harness.js';

const status = existsSync(new URL('../conformance/status-ref.json', import.meta.url))
  ? JSON.parse(readFileSync(new URL('../conformance/status-ref.json', import.meta.url), 'utf8')) as Record<string, { status: string }>
  : {};

/** The special/host ops whose rules live in src/codegen/lowering/special*.ts. */
const SPECIAL_RULES: ReadonlySet<string> = new Set([
  'einsum', 'top_k', 'dft', 'stft', 'window', 'mel_weight_matrix', 'grid_sample', 'roi_align', 'max_roi_pool', 'det', 'tfidf_vectorizer',
]);

interface Prepared {
  name: string;
  mod: IRModule;
  dataSets: { inputs: string[]; outputs: string[] }[];
}

/** Imports and folds the ref-passing cases whose graphs use a special op that has a lowering rule. */
async function specialCases(): Promise<Prepared[]> {
  await initHashing();
  const out: Prepared[] = [];
  for (const c of listCases()) {
    if (status[c.name]?.status !== 'pass') continue;
    let mod: IRModule;
    try {
      mod = await importModel(readFileSync(c.modelPath), { path: c.modelPath });
      foldConstants(mod);
    } catch {
      continue;
    }
    const ops = mod.graph.nodes.map((n) => n.op).filter((op) => op !== 'constant');
    if (!ops.some((op) => SPECIAL_RULES.has(op))) continue;
    out.push({ name: c.name, mod, dataSets: c.dataSets.map((s) => ({ inputs: [...s.inputs], outputs: [...s.outputs] })) });
  }
  return out;
}

const cases = existsSync(NODE_TESTS_DIR) ? await specialCases() : [];

const device = useCpuDevice();

describe.skipIf(cases.length === 0)('ONNX conformance cases with special ops through the CPU code generator', () => {
  it('finds the cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(39);
  });
  for (const p of cases) {
    it(p.name, async () => {
      for (const set of p.dataSets) {
        const inputs = set.inputs.map((f) => readTensorProtoFile(f));
        const expected = set.outputs.map((f) => readTensorProtoFile(f));
        const actual = await runDirect(p.mod, inputs, device());
        expect(actual.length).toBe(expected.length);
        expected.forEach((e, i) => {
          // ONNX 1.12 stores bfloat16 test data as uint16 bits.
          const want = actual[i]!.dtype === 'bf16' && e.dtype === 'u16' ? new Tensor('bf16', e.shape, e.data) : e;
          const r = compareTensors(actual[i]!, want);
          expect(r.ok ? 'ok' : `output ${i}: ${r.reason}`).toBe('ok');
        });
      }
    });
  }
});
