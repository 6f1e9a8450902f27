// Test helper: import one ONNX conformance case, run it on the reference interpreter and compare.
import { existsSync, readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { importModel } from '../../src/frontend/import-model.js';
import { readTensorProtoFile } from '../../src/frontend/tensor-proto.js';
import type { IRModule } from '../../src/ir/graph.js';
import { interpretModule } from '../../src/ir/interpret/interpreter.js';
import type { Tensor } from '../../src/ir/tensor.js';

export const CONFORMANCE_DIR = '/usr/share/libonnx-testdata/data/node';

export async function importCase(name: string): Promise<IRModule> {
  const path = `${CONFORMANCE_DIR}/${name}/model.onnx`;
  return importModel(readFileSync(path), { path });
}

export function caseTensors(name: string, kind: 'input' | 'output'): Tensor[] {
  const out: Tensor[] = [];
  for (let i = 0; ; i++) {
    const f = `${CONFORMANCE_DIR}/${name}/test_data_set_0/${kind}_${i}.pb`;
    if (!existsSync(f)) return out;
    out.push(readTensorProtoFile(f));
  }
}

export function expectClose(actual: Tensor, expected: Tensor, rtol = 1e-3, atol = 1e-5): void {
  expect(actual.dtype).toBe(expected.dtype);
  expect(actual.shape).toEqual(expected.shape);
  if (expected.dtype === 'string') {
    expect(actual.data).toEqual(expected.data);
    return;
  }
  for (let i = 0; i < expected.size; i++) {
    const a = actual.getNumber(i);
    const e = expected.getNumber(i);
    if (Number.isNaN(e)) expect(a).toBeNaN();
    else if (a !== e) expect(Math.abs(a - e)).toBeLessThanOrEqual(atol + rtol * Math.abs(e));
  }
}

/** Imports and runs a case, comparing every output with the expected data. */
export async function runCase(name: string): Promise<void> {
  const mod = await importCase(name);
  const outputs = interpretModule(mod, caseTensors(name, 'input'));
  const expected = caseTensors(name, 'output');
  expect(outputs.length).toBe(expected.length);
  outputs.forEach((t, i) => expectClose(t, expected[i]!));
}
