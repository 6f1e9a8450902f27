import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readTensorProtoFile } from '../../src/frontend/tensor-proto.js';
import { Tensor } from '../../src/ir/tensor.js';
import { isIreetsError } from '../../src/util/errors.js';
import type { Backend } from './backend.js';
import type { CaseResult, CaseStatus } from './case-result.js';
import type { ConformanceCase } from './cases.js';
import { profileModel, type CaseProfile } from './classify.js';
import { compareTensors } from './compare.js';

const MAX_MESSAGE = 300;

/** Runs one case on `backend`, every data set, and never throws: failures become the result. */
export async function runCase(c: ConformanceCase, backend: Backend | Error): Promise<CaseResult> {
  const started = performance.now();
  let modelBytes: Uint8Array;
  try {
    modelBytes = readFileSync(c.modelPath);
  } catch (e) {
    return { name: c.name, status: 'error', message: describeError(e), opTypes: [] };
  }
  let profile: CaseProfile = { opTypes: [] };
  try {
    profile = profileModel(modelBytes);
  } catch {
    // An undecodable model is the backend's to report; the profile only feeds the summary.
  }
  const status = await runDataSets(c, modelBytes, backend, profile);
  return { ...withProfile(c.name, status, profile), ms: performance.now() - started };
}

export function withProfile(name: string, status: CaseStatus, profile: CaseProfile): CaseResult {
  const result: CaseResult = { name, ...status, opTypes: [...profile.opTypes] };
  if (profile.outOfScope) {
    result.category = 'out-of-scope';
    result.outOfScopeReason = profile.outOfScope;
  } else if (profile.random) {
    result.category = 'random';
  }
  return result;
}

async function runDataSets(c: ConformanceCase, modelBytes: Uint8Array, backend: Backend | Error, profile: CaseProfile): Promise<CaseStatus> {
  try {
    if (backend instanceof Error) throw backend;
    if (c.dataSets.length === 0) return { status: 'error', message: 'HARNESS: case has no test_data_set_* directory' };
    const model = await backend.prepare(modelBytes, c.modelPath);
    for (const set of c.dataSets) {
      const inputs = set.inputs.map((f, i) => asDeclared(readTensorProtoFile(f), profile.inputElemTypes?.[i]));
      const expected = set.outputs.map((f, i) => asDeclared(readTensorProtoFile(f), profile.outputElemTypes?.[i]));
      const actual = await model.run(inputs);
      const failure = compareOutputs(actual, expected, set.name, set.outputs, profile.random === true);
      if (failure) return failure;
    }
    return { status: 'pass' };
  } catch (e) {
    return { status: 'error', message: describeError(e) };
  }
}

const ONNX_BFLOAT16 = 16;

/**
 * ONNX 1.12's test data stores bfloat16 tensors as UINT16 holding the bf16 bits (numpy has no
 * bfloat16); reinterpret them as the model declares.
 */
function asDeclared(t: Tensor, onnxElemType: number | undefined): Tensor {
  if (onnxElemType === ONNX_BFLOAT16 && t.dtype === 'u16') return new Tensor('bf16', t.shape, t.data);
  return t;
}

function compareOutputs(
  actual: readonly Tensor[], expected: readonly Tensor[], setName: string, files: readonly string[], random: boolean,
): CaseStatus | undefined {
  if (actual.length !== expected.length) {
    return { status: 'fail', message: `${setName}: ${actual.length} outputs, expected ${expected.length}` };
  }
  for (let i = 0; i < expected.length; i++) {
    const r = compareTensors(actual[i]!, expected[i]!, { random });
    if (r.ok) continue;
    const failure: CaseStatus = { status: 'fail', message: clip(`${setName}/${basename(files[i]!)}: ${r.reason}`) };
    // Non-finite errors (NaN or Inf where a number was expected) stay in the message only: JSON has no Infinity.
    if (r.maxAbsError !== undefined && Number.isFinite(r.maxAbsError)) failure.maxAbsError = round(r.maxAbsError);
    if (r.maxRelError !== undefined && Number.isFinite(r.maxRelError)) failure.maxRelError = round(r.maxRelError);
    return failure;
  }
  return undefined;
}

/** `CODE: first line` for IreetsErrors, `Name: first line` for anything else thrown. */
export function describeError(e: unknown): string {
  if (e instanceof Error && e.message.startsWith('BACKEND_LOAD: ')) return clip(firstLine(e.message));
  if (isIreetsError(e)) return clip(`${e.code}: ${firstLine(e.message)}`);
  if (e instanceof Error) return clip(`${e.name}: ${firstLine(e.message)}`);
  return clip(`thrown: ${firstLine(String(e))}`);
}

function firstLine(s: string): string {
  return s.split('\n', 1)[0]!;
}

function clip(s: string): string {
  return s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE - 1)}…` : s;
}

/** Four significant digits: enough to see progress, stable enough for a committed file. */
function round(x: number): number {
  return Number(x.toPrecision(4));
}
