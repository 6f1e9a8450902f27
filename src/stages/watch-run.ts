// `ireets watch --run`: after each rebuild, run the new module on the same inputs and say how
// each output moved since the last run (largest and mean absolute change, and the argmax of a
// row of scores), e.g.
//   output: f32[1,1000] max |Δ| 3.1e-2, mean |Δ| 4.0e-3, argmax 281 → 281
import { createDevice } from '../runtime/devices.js';
import { readModuleFiles, type ModuleFiles } from '../runtime/module-files.js';
import { readParameters, Session } from '../runtime/session.js';
import type { RuntimeTensor } from '../runtime/tensor.js';
import { parseInputs, preview, resolveInput } from '../runtime/input-spec.js';
import { IreetsError } from '../util/errors.js';

export interface RunSpec {
  /** `cpu` or `cpu-sync` (default cpu). */
  device?: string;
  threads?: number;
  /** `NAME=@file.npy` or `NAME=random`, as `ireets run` takes them. */
  inputs: readonly string[];
}

/** A runner for WatchOptions.afterBuild: loads the module file, runs it, compares with the last run. */
export function moduleRunner(spec: RunSpec): (modulePath: string, signal: AbortSignal) => Promise<string[]> {
  const given = parseInputs(spec.inputs);
  let last: Map<string, RuntimeTensor> | undefined;
  // The last run's files: an archive a rebuild left alone is neither read nor checked again.
  let previous: ModuleFiles | undefined;
  return async (modulePath, signal) => {
    const read = await readModuleFiles(modulePath, { reuse: previous });
    const files: ModuleFiles = read.parameters ? { ...read, parameters: readParameters(read.parameters) } : read;
    previous = files;
    // A fresh device per run: a session's constants stay resident on its device until the device goes.
    const device = await createDevice(spec.device ?? 'cpu', { threads: spec.threads });
    let outputs: RuntimeTensor[];
    let session: Session;
    try {
      session = await Session.load(files.module, device, modulePath, files.parameters);
      for (const name of given.keys()) {
        if (!session.inputs.some((s) => s.name === name)) throw new IreetsError('INPUT_INVALID', `the model has no input named ${name} (inputs: ${session.inputs.map((s) => s.name).join(', ')})`);
      }
      const inputs: RuntimeTensor[] = [];
      for (const sig of session.inputs) inputs.push(await resolveInput(sig, given.get(sig.name)));
      if (signal.aborted) throw signal.reason;
      outputs = await session.run(inputs);
    } finally {
      await device.destroy();
    }
    const now = new Map(session.outputs.map((s, i) => [s.name, outputs[i]!]));
    const lines = [...now].map(([name, t]) => `  ${name}: ${t.dtype}[${t.shape.join(',')}] ${describeMove(last?.get(name), t)}`);
    last = now;
    return lines;
  };
}

/** How `now` differs from `before` (or a preview of it on the first run). */
export function describeMove(before: RuntimeTensor | undefined, now: RuntimeTensor): string {
  if (!before) return preview(now);
  if (before.dtype !== now.dtype || before.shape.join() !== now.shape.join()) return `was ${before.dtype}[${before.shape.join(',')}]: ${preview(now)}`;
  let max = 0;
  let sum = 0;
  let nans = 0;
  for (let i = 0; i < now.data.length; i++) {
    const d = Math.abs(Number(now.data[i]!) - Number(before.data[i]!));
    if (Number.isNaN(d)) nans++;
    else {
      max = Math.max(max, d);
      sum += d;
    }
  }
  if (max === 0 && nans === 0) return 'unchanged';
  const parts = [`max |Δ| ${fmt(max)}`, `mean |Δ| ${fmt(sum / Math.max(1, now.data.length - nans))}`];
  if (nans > 0) parts.push(`${nans} NaN`);
  const row = now.shape[now.shape.length - 1] ?? 0;
  if (row > 1 && now.data.length === row) parts.push(`argmax ${argmax(before)} → ${argmax(now)}`);
  return parts.join(', ');
}

const fmt = (x: number): string => (x === 0 ? '0' : x >= 0.01 && x < 1000 ? x.toPrecision(3) : x.toExponential(1));

function argmax(t: RuntimeTensor): number {
  let best = 0;
  for (let i = 1; i < t.data.length; i++) if (Number(t.data[i]!) > Number(t.data[best]!)) best = i;
  return best;
}

