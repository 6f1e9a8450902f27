import { readFile } from 'node:fs/promises';
import { IreetsError } from './errors.js';

/** Reads a file the user named, turning I/O failures into one clear error (Node only). */
export async function readInputFile(path: string, what: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    throw new IreetsError('INPUT_INVALID', `cannot read the ${what}: ${(e as Error).message}`, path, { cause: e });
  }
}
