// Tuning spec files, as `compile`, `watch`, `bench` and `tune` read them: JSON, checked on read
// so a bad file is refused with its own path as the culprit.
import { readFile } from 'node:fs/promises';
import { IreetsError } from '../util/errors.js';
import { checkTuningSpec, type TuningSpec } from './queries/tuning.js';

/** Reads and checks a tuning spec file (INPUT_INVALID naming the file when it is not one). */
export async function readTuningSpec(path: string): Promise<TuningSpec> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new IreetsError('INPUT_INVALID', `cannot read the tuning spec: ${(e as Error).message}`, path, { cause: e });
  }
  let spec: unknown;
  try {
    spec = JSON.parse(text);
  } catch (e) {
    throw new IreetsError('INPUT_INVALID', `the tuning spec is not JSON: ${(e as Error).message}`, path, { cause: e });
  }
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) throw new IreetsError('INPUT_INVALID', 'the tuning spec must be a JSON object', path);
  checkTuningSpec(spec as TuningSpec, path);
  return spec as TuningSpec;
}
