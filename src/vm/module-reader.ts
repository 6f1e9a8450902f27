import { IreetsError } from '../util/errors.js';
import { hashBytes } from '../util/hash.js';
import type { VmModule } from './module.js';
import { HEADER_BYTES, MODULE_FORMAT_VERSION, MODULE_MAGIC, type ModuleToc, type SectionRef } from './module-writer.js';
import { validateBytecode } from './validate.js';

/**
 * Reads and validates a module file. Everything is checked before anything runs: magic,
 * version, checksum, section bounds, and every function's bytecode. Rodata and executable code
 * are views into `bytes` (no copy). Requires initHashing().
 */
export function readModule(bytes: Uint8Array, culprit = 'module'): VmModule {
  const bad = (msg: string): never => {
    throw new IreetsError('MODULE_CORRUPT', msg, culprit);
  };
  if (bytes.length < HEADER_BYTES) bad(`file is ${bytes.length} bytes, shorter than the header`);
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (magic !== MODULE_MAGIC) bad('not an ireets module (bad magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== MODULE_FORMAT_VERSION) {
    bad(`module format version ${version}, this runtime reads version ${MODULE_FORMAT_VERSION}; recompile the model`);
  }
  const tocLength = view.getUint32(12, true);
  if (HEADER_BYTES + tocLength > bytes.length) bad('table of contents runs past the end of the file');
  const stored = new TextDecoder().decode(bytes.subarray(16, 32));
  if (hashBytes(bytes.subarray(HEADER_BYTES)) !== stored) bad('checksum mismatch: the file is damaged or truncated');

  let toc: ModuleToc;
  try {
    toc = JSON.parse(new TextDecoder().decode(bytes.subarray(HEADER_BYTES, HEADER_BYTES + tocLength))) as ModuleToc;
  } catch {
    return bad('table of contents is not valid JSON');
  }
  const section = (ref: SectionRef | undefined, what: string): Uint8Array => {
    if (!ref || !Number.isInteger(ref.offset) || !Number.isInteger(ref.length) || ref.offset < 0 || ref.length < 0
      || ref.offset + ref.length > bytes.length) {
      return bad(`${what} section lies outside the file`);
    }
    return bytes.subarray(ref.offset, ref.offset + ref.length);
  };
  if (!Array.isArray(toc.functions) || !Array.isArray(toc.imports) || !Array.isArray(toc.exports)
    || !Array.isArray(toc.executables) || !Array.isArray(toc.rodata) || !Array.isArray(toc.strings)) {
    bad('table of contents is missing tables');
  }
  const mod: VmModule = {
    functions: toc.functions,
    imports: toc.imports,
    exports: toc.exports,
    strings: toc.strings,
    metadata: toc.metadata ?? {},
    bytecode: section(toc.bytecode, 'bytecode'),
    executables: toc.executables.map((e, i) => ({ hash: e.hash, format: e.format, meta: e.meta, code: section(e.section, `executable #${i}`) })),
    rodata: toc.rodata.map((r, i) => section(r, `rodata #${i}`)),
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
