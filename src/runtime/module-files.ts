// Reading a module file from disk with what it needs beside it: a module compiled with its
// weights in a parameter archive names that archive's file, which is looked up next to the
// module (or where the caller says). Node only; a browser application fetches both itself.
import { basename, dirname, join } from 'node:path';
import { IreetsError } from '../util/errors.js';
import { readInputFile } from '../util/read-input-file.js';
import { parameterArchiveOf } from '../vm/module-reader.js';
import type { ModuleParameters } from './session.js';

export interface ModuleFiles {
  module: Uint8Array;
  /** The parameter archive, when the module names one. */
  parameters?: ModuleParameters;
}

/**
 * Reads the module at `path` and, if it names a parameter archive, that archive: from
 * `weights` when given, else the file the module names, in the module's folder.
 */
export async function readModuleFiles(path: string, options: { weights?: string | undefined } = {}): Promise<ModuleFiles> {
  const module = await readInputFile(path, 'module');
  const ref = parameterArchiveOf(module);
  if (!ref) {
    if (options.weights !== undefined) throw new IreetsError('INPUT_INVALID', `--weights ${options.weights} was given, but the module holds its weights itself`, path);
    return { module };
  }
  // A module names a file beside it, never a path: a module file cannot make a loader read elsewhere.
  if (basename(ref.file) !== ref.file || ref.file === '..' || ref.file === '.') throw new IreetsError('MODULE_CORRUPT', `the module names its parameter archive "${ref.file}", which is not a plain file name`, path);
  const archive = options.weights ?? join(dirname(path), ref.file);
  return { module, parameters: { bytes: await readInputFile(archive, 'parameter archive'), name: archive } };
}
