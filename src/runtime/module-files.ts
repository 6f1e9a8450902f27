// Reading a module file from disk with what it needs beside it: a module compiled with its
// weights in a parameter archive names that archive's file, which is looked up next to the
// module (or where the caller says). Node only; a browser application fetches both itself.
import { basename, dirname, join } from 'node:path';
import { IreetsError } from '../util/errors.js';
import { currentStamp, nowNs, sameStamp, stillAsRead, type FileStamp } from '../util/file-stamp.js';
import { readInputFile } from '../util/read-input-file.js';
import { parameterArchiveOf } from '../vm/module-reader.js';
import type { ModuleParameters } from './session.js';

export interface ModuleFiles {
  module: Uint8Array;
  /** The parameter archive, when the module names one. */
  parameters?: ModuleParameters;
}

/**
 * The stamp an archive's bytes were read under, by those bytes: a later read of the same file
 * that finds the read still standing (`reuse`) takes the bytes, and the archive read from them,
 * as they are.
 */
const readUnder = new WeakMap<Uint8Array, { stamp: FileStamp; readStartNs: bigint }>();

/**
 * Reads the module at `path` and, if it names a parameter archive, that archive: from
 * `weights` when given, else the file the module names, in the module's folder. `reuse`: files
 * read before (e.g. by the last run of `ireets watch --run`); their archive is taken again, not
 * read and checked again, when its file is as it was then (same inode, size and times; the
 * compiler replaces an archive by renaming a new file over it).
 */
export async function readModuleFiles(path: string, options: { weights?: string | undefined; reuse?: ModuleFiles | undefined } = {}): Promise<ModuleFiles> {
  const module = await readInputFile(path, 'module');
  const ref = parameterArchiveOf(module);
  if (!ref) {
    if (options.weights !== undefined) throw new IreetsError('INPUT_INVALID', `--weights ${options.weights} was given, but the module holds its weights itself`, path);
    return { module };
  }
  // A module names a file beside it, never a path: a module file cannot make a loader read elsewhere.
  if (basename(ref.file) !== ref.file || ref.file === '..' || ref.file === '.') throw new IreetsError('MODULE_CORRUPT', `the module names its parameter archive "${ref.file}", which is not a plain file name`, path);
  const archive = options.weights ?? join(dirname(path), ref.file);
  const kept = options.reuse?.parameters;
  const keptRead = kept && kept.name === archive ? readUnder.get(kept.bytes) : undefined;
  if (kept && keptRead && (await stillAsRead(archive, keptRead.stamp, keptRead.readStartNs))) return { module, parameters: kept };
  const readStartNs = nowNs();
  const before = await currentStamp(archive);
  const bytes = await readInputFile(archive, 'parameter archive');
  const after = await currentStamp(archive);
  if (before && after && sameStamp(before, after)) readUnder.set(bytes, { stamp: before, readStartNs });
  return { module, parameters: { bytes, name: archive } };
}
