import { IreetsError } from '../util/errors.js';
import type { VmModule } from './module.js';
import { checkChecksum, parseTable, readFileHead, type FileKind } from './file-head.js';
import { MODULE_FORMAT_VERSION, MODULE_FORMAT_VERSION_EXTERNAL, MODULE_MAGIC, type ModuleToc, type ParameterArchiveRef, type ParameterRef, type SectionRef } from './module-writer.js';
import type { ParameterArchive } from './parameter-archive.js';
import { validateBytecode } from './validate.js';

/**
 * Reads and validates a module file. Everything is checked before anything runs: magic,
 * version, checksum, section bounds, and every function's bytecode. Rodata and executable code
 * are views into `bytes` (no copy). A module whose weights live in a parameter archive needs
 * that archive, read (readArchive) and matching the id the module names. Requires initHashing().
 */
export function readModule(bytes: Uint8Array, culprit = 'module', parameters?: ParameterArchive): VmModule {
  const bad = (msg: string): never => {
    throw new IreetsError('MODULE_CORRUPT', msg, culprit);
  };
  const head = readFileHead(bytes, MODULE_FILE, bad);
  const version = head.version;
  checkChecksum(bytes, bad);
  const toc = parseTable(head, MODULE_FILE, bad) as ModuleToc;
  const section = (ref: SectionRef | undefined, what: string): Uint8Array => {
    if (!ref || !Number.isInteger(ref.offset) || !Number.isInteger(ref.length) || ref.offset < 0 || ref.length < 0
      || ref.offset + ref.length > bytes.length) {
      return bad(`${what} section lies outside the file`);
    }
    return bytes.subarray(ref.offset, ref.offset + ref.length);
  };
  if (typeof toc !== 'object' || toc === null) bad('table of contents is not an object');
  if (!Array.isArray(toc.functions) || !Array.isArray(toc.imports) || !Array.isArray(toc.exports)
    || !Array.isArray(toc.executables) || !Array.isArray(toc.rodata) || !Array.isArray(toc.strings)) {
    bad('table of contents is missing tables');
  }
  // The header is outside the checksum: a version that does not say what the table holds is damage.
  if ((version === MODULE_FORMAT_VERSION_EXTERNAL) !== (toc.parameters !== undefined)) bad(`format version ${version} does not match the table of contents`);
  const archive = toc.parameters === undefined ? undefined : checkArchive(toc.parameters, parameters, culprit, bad);
  const rodata = (ref: SectionRef | ParameterRef | undefined, i: number): Uint8Array => {
    if (ref && typeof (ref as ParameterRef).parameter === 'string') {
      const key = (ref as ParameterRef).parameter;
      if (!archive) return bad(`rodata #${i} is in a parameter archive, but the module names none`);
      return archive.entries.get(key) ?? bad(`rodata #${i} (${key}) is missing from the parameter archive`);
    }
    return section(ref as SectionRef | undefined, `rodata #${i}`);
  };
  const mod: VmModule = {
    functions: toc.functions,
    imports: toc.imports,
    exports: toc.exports,
    strings: toc.strings,
    metadata: toc.metadata ?? {},
    bytecode: section(toc.bytecode, 'bytecode'),
    executables: toc.executables.map((e, i) => ({ hash: e.hash, format: e.format, meta: e.meta, code: section(e.section, `executable #${i}`) })),
    rodata: toc.rodata.map((r, i) => rodata(r, i)),
  };
  for (const ex of mod.exports) {
    if (!mod.functions[ex.functionIndex]) bad(`export ${ex.name} names missing function #${ex.functionIndex}`);
  }
  try {
    validateBytecode(mod);
  } catch (e) {
    bad((e as Error).message);
  }
  return mod;
}

/**
 * The parameter archive a module file names, from its table of contents (not yet validated: a
 * loader finds the archive with this, then readModule checks both). Undefined when the module
 * holds its weights itself or its head cannot be read.
 */
export function parameterArchiveOf(bytes: Uint8Array): ParameterArchiveRef | undefined {
  const fail = (): never => {
    throw new Error('not readable');
  };
  try {
    const toc = parseTable(readFileHead(bytes, MODULE_FILE, fail), MODULE_FILE, fail) as Partial<ModuleToc> | null;
    const p = toc?.parameters;
    return p && typeof p.file === 'string' && typeof p.archive === 'string' ? { file: p.file, archive: p.archive } : undefined;
  } catch {
    return undefined;
  }
}

const MODULE_FILE: FileKind = {
  magic: MODULE_MAGIC,
  file: 'module',
  table: 'table of contents',
  refuseVersion: (v) =>
    v === MODULE_FORMAT_VERSION || v === MODULE_FORMAT_VERSION_EXTERNAL
      ? undefined
      : `module format version ${v}, this runtime reads versions ${MODULE_FORMAT_VERSION} and ${MODULE_FORMAT_VERSION_EXTERNAL}; recompile the model`,
};

function checkArchive(ref: ParameterArchiveRef, given: ParameterArchive | undefined, culprit: string, bad: (msg: string) => never): ParameterArchive {
  if (typeof ref.file !== 'string' || typeof ref.archive !== 'string') bad('table of contents names a malformed parameter archive');
  if (!given) {
    throw new IreetsError('INPUT_INVALID', `the module's weights are in the parameter archive ${ref.file}: load it with the module (ireets run finds it next to the module file; --weights FILE names another)`, culprit);
  }
  if (given.id !== ref.archive) {
    throw new IreetsError('INPUT_INVALID', `the parameter archive holds other weights (archive ${given.id}, the module needs ${ref.archive}): it was written by another build of the model; use the archive written with this module, or rebuild`, culprit);
  }
  return given;
}
