// Model inputs as the CLI names them (`NAME=@file.npy`, `NAME=random`) and short previews of
// outputs: shared by `ireets run`, `ireets bench` and `ireets watch --run`.
import { readFile } from 'node:fs/promises';
import { IreetsError } from '../util/errors.js';
import { readNpy } from '../util/npy.js';
import type { TensorSignature } from '../vm/module.js';
import { elementBytes, typedArrayFromBytes, type RuntimeTensor } from './tensor.js';

export function preview(t: RuntimeTensor): string {
  const n = Math.min(6, t.data.length);
  const vals: string[] = [];
  for (let i = 0; i < n; i++) {
    const v = t.data[i]!;
    vals.push(typeof v === 'bigint' ? v.toString() : Number.isInteger(v) ? String(v) : v.toPrecision(5));
  }
  return `[${vals.join(', ')}${t.data.length > n ? ', …' : ''}]`;
}

export function parseInputs(specs: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const s of specs) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new IreetsError('INPUT_INVALID', `--input ${s}: expected NAME=@file.npy or NAME=random`);
    m.set(s.slice(0, eq), s.slice(eq + 1));
  }
  return m;
}

export async function resolveInput(sig: TensorSignature, spec: string | undefined): Promise<RuntimeTensor> {
  if (spec === undefined) throw new IreetsError('INPUT_INVALID', `missing --input ${sig.name}=@file.npy (or ${sig.name}=random); it is ${sig.dtype}[${sig.shape.join(',')}]`);
  if (spec === 'random') return randomInput(sig);
  if (!spec.startsWith('@')) throw new IreetsError('INPUT_INVALID', `--input ${sig.name}=${spec}: expected @file.npy or random`);
  const path = spec.slice(1);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new IreetsError('INPUT_INVALID', `cannot read input ${sig.name}: ${(e as Error).message}`, path, { cause: e });
  }
  const npy = readNpy(bytes, path);
  return { dtype: npy.dtype, shape: npy.shape, data: typedArrayFromBytes(npy.dtype, npy.bytes) };
}

/** The same deterministic values `ireets run NAME=random` gives, so runs compare. */
export function randomInput(sig: TensorSignature): RuntimeTensor {
  if (sig.shape.some((d) => typeof d !== 'number')) throw new IreetsError('INPUT_INVALID', `input ${sig.name} has symbolic dims [${sig.shape.join(',')}]; give it as a .npy file`);
  const shape = sig.shape as number[];
  const n = shape.reduce((a, b) => a * b, 1);
  const out = typedArrayFromBytes(sig.dtype, new Uint8Array(n * elementBytes(sig.dtype)));
  let seed = 12345;
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const u = seed / 2 ** 32;
    if (out instanceof BigInt64Array || out instanceof BigUint64Array) out[i] = BigInt(Math.floor(u * 10));
    else if (sig.dtype === 'bool') out[i] = u < 0.5 ? 0 : 1;
    else if (sig.dtype.startsWith('f')) out[i] = u * 2 - 1;
    else out[i] = Math.floor(u * 10);
  }
  return { dtype: sig.dtype, shape, data: out };
}
