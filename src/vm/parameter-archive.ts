// A parameter archive: a module's weights in a file of their own, beside the module (after IREE's
// .irpa). Each entry is a constant's bytes under the constant's content hash, so the archive is
// content-addressed: its id (the hash of its index: every key, offset and length) names exactly
// the weights it holds, and a module names the archive it needs by that id. A build that changes
// no weight writes a new module of a few hundred kilobytes and leaves the archive alone.
//
//   header (32 bytes): magic, format version, index length, checksum of everything after it
//   index: canonical JSON { entries: [{ key, offset, length }] }
//   entries, each aligned like module sections so they can be viewed as typed arrays in place
import { checkChecksum, parseTable, readFileHead, type FileKind } from './file-head.js';
import { IreetsError } from '../util/errors.js';
import { hashBytes } from '../util/hash.js';
import { canonicalJson, HEADER_BYTES, SECTION_ALIGNMENT, type ModuleFileLayout } from './module-writer.js';

export const ARCHIVE_MAGIC = 'IRTSPARA';
export const ARCHIVE_FORMAT_VERSION = 1;

export interface ArchiveEntryRef {
  /** The constant's content hash. */
  key: string;
  offset: number;
  length: number;
}

/**
 * An archive as pieces (its entries' bytes not copied), with its id. Its header is a module's
 * (magic, version, index length, checksum of the rest), so sealModule puts in its checksum.
 */
export interface ArchiveLayout extends ModuleFileLayout {
  id: string;
}

const align = (n: number): number => Math.ceil(n / SECTION_ALIGNMENT) * SECTION_ALIGNMENT;
const PADDING = new Uint8Array(SECTION_ALIGNMENT);

/**
 * Lays out an archive of `entries` (keys unique, in the order given). Deterministic: the same
 * entries give the same bytes and id. Requires initHashing().
 */
export function layoutArchive(entries: readonly { key: string; bytes: Uint8Array }[]): ArchiveLayout {
  const { index, id, dataBytes } = archiveIndexOf(entries.map((e) => ({ key: e.key, length: e.bytes.length })));
  const base = align(HEADER_BYTES + index.length);
  const head = new Uint8Array(base);
  head.set(new TextEncoder().encode(ARCHIVE_MAGIC), 0);
  const view = new DataView(head.buffer);
  view.setUint32(8, ARCHIVE_FORMAT_VERSION, true);
  view.setUint32(12, index.length, true);
  head.set(index, HEADER_BYTES);
  const body: Uint8Array[] = [];
  for (const e of entries) {
    const padded = align(e.bytes.length);
    if (e.bytes.length > 0) body.push(e.bytes);
    if (padded > e.bytes.length) body.push(PADDING.subarray(0, padded - e.bytes.length));
  }
  return { head, body, byteLength: base + dataBytes, id };
}

/**
 * The index and id of an archive of entries with these keys and lengths, in this order: what a
 * compiler compares with the archive on disk before it gathers any weight bytes.
 */
export function archiveIndexOf(entries: readonly { key: string; length: number }[]): { index: Uint8Array; id: string; dataBytes: number } {
  // Offsets are relative to the end of the index, so the index's own size does not move them:
  // the id is a function of keys and lengths alone.
  const refs: ArchiveEntryRef[] = [];
  let cursor = 0;
  for (const e of entries) {
    refs.push({ key: e.key, offset: cursor, length: e.length });
    cursor = align(cursor + e.length);
  }
  const index = new TextEncoder().encode(canonicalJson({ entries: refs }));
  return { index, id: hashBytes(index), dataBytes: cursor };
}

/** An archive read and checked: its id and each entry's bytes (views, no copy). */
export interface ParameterArchive {
  id: string;
  entries: Map<string, Uint8Array>;
}

/**
 * Reads and checks an archive: magic, version, checksum, index, entry bounds. Requires
 * initHashing(). Errors are MODULE_CORRUPT naming `culprit` (the archive's path).
 */
export function readArchive(bytes: Uint8Array, culprit = 'parameter archive'): ParameterArchive {
  const bad = (msg: string): never => {
    throw new IreetsError('MODULE_CORRUPT', `parameter archive: ${msg}`, culprit);
  };
  const head = readFileHead(bytes, ARCHIVE_FILE, bad);
  checkChecksum(bytes, bad);
  const parsed = parseTable(head, ARCHIVE_FILE, bad);
  const refs = typeof parsed === 'object' && parsed !== null ? (parsed as { entries?: unknown }).entries : undefined;
  if (!Array.isArray(refs)) bad('index has no entries table');
  const base = align(HEADER_BYTES + head.table.length);
  const entries = new Map<string, Uint8Array>();
  for (const [i, e] of (refs as ArchiveEntryRef[]).entries()) {
    if (typeof e?.key !== 'string' || !Number.isSafeInteger(e.offset) || !Number.isSafeInteger(e.length) || e.offset < 0 || e.length < 0) bad(`entry #${i} is malformed`);
    if (base + e.offset + e.length > bytes.length) bad(`entry #${i} (${e.key}) lies outside the file`);
    entries.set(e.key, bytes.subarray(base + e.offset, base + e.offset + e.length));
  }
  return { id: hashBytes(head.table), entries };
}

const ARCHIVE_FILE: FileKind = {
  magic: ARCHIVE_MAGIC,
  file: 'parameter archive',
  table: 'index',
  refuseVersion: (v) => (v === ARCHIVE_FORMAT_VERSION ? undefined : `format version ${v}, this runtime reads version ${ARCHIVE_FORMAT_VERSION}; recompile the model`),
};
