import { ChunkedHasher } from '../util/hash-chunked.js';
import type { VmModule } from './module.js';

export const MODULE_MAGIC = 'IRTSVMFB';
export const MODULE_FORMAT_VERSION = 1;
/** The version of a module whose weights are in a parameter archive (older runtimes refuse it). */
export const MODULE_FORMAT_VERSION_EXTERNAL = 2;
/** Sections start on 64-byte boundaries so weights can be viewed as typed arrays in place. */
export const SECTION_ALIGNMENT = 64;
export const HEADER_BYTES = 32;

/** Where a binary section lies in the file. */
export interface SectionRef {
  offset: number;
  length: number;
}

/** The JSON table of contents that follows the fixed header. */
export interface ModuleToc {
  functions: VmModule['functions'];
  imports: VmModule['imports'];
  exports: VmModule['exports'];
  strings: string[];
  metadata: Record<string, string>;
  bytecode: SectionRef;
  executables: { hash: string; format: string; meta: Record<string, unknown>; section: SectionRef }[];
  /** Each rodata segment: a section of this file, or an entry of the parameter archive. */
  rodata: (SectionRef | ParameterRef)[];
  /** Present when some rodata lives in a parameter archive beside the module. */
  parameters?: ParameterArchiveRef;
}

/** A rodata segment kept in the module's parameter archive, by the constant's content hash. */
export interface ParameterRef {
  parameter: string;
}

/** The archive a module's external rodata lives in. */
export interface ParameterArchiveRef {
  /** File name, resolved next to the module file. */
  file: string;
  /** The archive's id (parameter-archive.ts): the module loads only the archive written with it. */
  archive: string;
}

/** Which rodata segments a module keeps outside, and where. */
export interface ExternalParameters extends ParameterArchiveRef {
  /** Per rodata segment: its archive key, or undefined to keep it in the module file. */
  keys: readonly (string | undefined)[];
}

const align = (n: number): number => Math.ceil(n / SECTION_ALIGNMENT) * SECTION_ALIGNMENT;

/**
 * A module file as pieces, before they are joined: written as they are (writev), its weights go
 * from where they are to the file without a copy. Concatenated, head then body, they are
 * `writeModule`'s bytes once `sealModule` has put the checksum in the head.
 */
export interface ModuleFileLayout {
  /** Header, TOC and padding up to the first section. */
  head: Uint8Array;
  /** Each section (views of the module's own arrays) followed by its padding. */
  body: Uint8Array[];
  byteLength: number;
}

/** Zeros that pad sections to SECTION_ALIGNMENT (only ever read). */
const PADDING = new Uint8Array(SECTION_ALIGNMENT);

/**
 * Serialises a module: fixed header (magic, version, TOC length, checksum of everything after
 * the header), JSON TOC, then aligned binary sections. Deterministic: same module, same bytes.
 * Requires initHashing().
 */
export function writeModule(mod: VmModule, external?: ExternalParameters): Uint8Array {
  return sealedBytes(layoutModule(mod, external));
}

/** A layout (a module's or a parameter archive's) sealed and joined into one array. */
export function sealedBytes(file: ModuleFileLayout): Uint8Array {
  sealModule(file);
  const out = new Uint8Array(file.byteLength);
  out.set(file.head, 0);
  let cursor = file.head.length;
  for (const p of file.body) {
    out.set(p, cursor);
    cursor += p.length;
  }
  return out;
}

/**
 * The module file's pieces, its checksum not yet computed (see sealModule). With `external`, the
 * rodata segments it names are left out (their bytes are not read) and referred to by archive key.
 */
export function layoutModule(mod: VmModule, external?: ExternalParameters): ModuleFileLayout {
  const keyOf = (i: number): string | undefined => external?.keys[i];
  const inFile = mod.rodata.filter((_, i) => keyOf(i) === undefined);
  const blobs: Uint8Array[] = [mod.bytecode, ...mod.executables.map((e) => e.code), ...inFile];
  // The TOC's own length decides where sections start, and section offsets are in the TOC:
  // lay out relative to the end of the TOC, then fix the TOC size by iterating to a fixpoint.
  let tocBytes = new Uint8Array(0);
  let base = 0;
  for (let attempt = 0; attempt < 4; attempt++) {
    let cursor = 0;
    const refs = blobs.map((b) => {
      const ref = { offset: base + cursor, length: b.length };
      cursor = align(cursor + b.length);
      return ref;
    });
    let nextInFile = 1 + mod.executables.length;
    const toc: ModuleToc = {
      functions: mod.functions,
      imports: mod.imports,
      exports: mod.exports,
      strings: mod.strings,
      metadata: sortKeys(mod.metadata),
      bytecode: refs[0]!,
      executables: mod.executables.map((e, i) => ({ hash: e.hash, format: e.format, meta: e.meta, section: refs[1 + i]! })),
      rodata: mod.rodata.map((_, i) => {
        const key = keyOf(i);
        return key === undefined ? refs[nextInFile++]! : { parameter: key };
      }),
    };
    if (external) toc.parameters = { file: external.file, archive: external.archive };
    tocBytes = new TextEncoder().encode(canonicalJson(toc));
    const newBase = align(HEADER_BYTES + tocBytes.length);
    if (newBase === base) break;
    base = newBase;
  }
  const head = new Uint8Array(base);
  head.set(new TextEncoder().encode(MODULE_MAGIC), 0);
  const view = new DataView(head.buffer);
  view.setUint32(8, external ? MODULE_FORMAT_VERSION_EXTERNAL : MODULE_FORMAT_VERSION, true);
  view.setUint32(12, tocBytes.length, true);
  head.set(tocBytes, HEADER_BYTES);
  const body: Uint8Array[] = [];
  let byteLength = base;
  for (const b of blobs) {
    const padded = align(b.length);
    if (b.length > 0) body.push(b);
    if (padded > b.length) body.push(PADDING.subarray(0, padded - b.length));
    byteLength += padded;
  }
  return { head, body, byteLength };
}

/** Puts the checksum of everything after the header into the head. Requires initHashing(). */
export function sealModule(file: ModuleFileLayout): void {
  const checksum = new ChunkedHasher().update(file.head.subarray(HEADER_BYTES));
  for (const p of file.body) checksum.update(p);
  file.head.set(new TextEncoder().encode(checksum.digest()), 16);
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * JSON with object keys sorted at every level, so equal modules serialise identically: the bytes
 * JSON.stringify gives for objects rebuilt from their sorted entries, written directly (the
 * rebuilt copies cost a few milliseconds per table of contents, on the path of every relink).
 */
export function canonicalJson(v: unknown): string {
  return canonicalValue(v) ?? 'undefined';
}

function canonicalValue(v: unknown): string | undefined {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'bigint': // JSON.stringify refuses it, as here
      return JSON.stringify(v);
    case 'object': {
      const toJson = (v as { toJSON?: unknown }).toJSON;
      if (typeof toJson === 'function') return canonicalValue(toJson.call(v));
      if (Array.isArray(v)) return `[${v.map((x) => canonicalValue(x) ?? 'null').join(',')}]`;
      const parts: string[] = [];
      for (const k of sortedKeys(v)) {
        const val = canonicalValue((v as Record<string, unknown>)[k]);
        if (val !== undefined) parts.push(`${JSON.stringify(k)}:${val}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      return undefined; // undefined, functions, symbols: left out of objects, null in arrays
  }
}

/**
 * Keys in the order of an object rebuilt from its sorted entries: array-index keys first,
 * ascending as numbers (JavaScript enumerates them so), then the others by code unit.
 */
function sortedKeys(o: object): string[] {
  const keys = Object.keys(o);
  let indices = 0;
  while (indices < keys.length && isArrayIndex(keys[indices]!)) indices++;
  return indices === 0 ? keys.sort() : [...keys.slice(0, indices), ...keys.slice(indices).sort()];
}

const isArrayIndex = (k: string): boolean => /^(0|[1-9]\d*)$/.test(k) && Number(k) < 2 ** 32 - 1;
