// The fixed header that module files and parameter archives share (HEADER_BYTES): magic (8 ASCII
// bytes), format version (u32 LE), length of the JSON table after the header (u32 LE), checksum
// of everything after the header (xxhash64, 16 hex digits; sealModule writes it).
import { hashLargeBytes } from '../util/hash-chunked.js';
import { HEADER_BYTES } from './module-writer.js';

export interface FileHead {
  version: number;
  /** The JSON table's bytes (the module's table of contents, the archive's index). */
  table: Uint8Array;
}

/** What the file is called in errors: `not an ireets ${file}`, `${table} runs past …`. */
export interface FileKind {
  magic: string;
  file: string;
  table: string;
  /** An error message for a version this reader does not read, else undefined. */
  refuseVersion(version: number): string | undefined;
}

/** Reads the header and finds the table; `bad` throws. The checksum is not checked here (checkChecksum). */
export function readFileHead(bytes: Uint8Array, kind: FileKind, bad: (msg: string) => never): FileHead {
  if (bytes.length < HEADER_BYTES) bad(`file is ${bytes.length} bytes, shorter than the header`);
  if (new TextDecoder().decode(bytes.subarray(0, 8)) !== kind.magic) bad(`not an ireets ${kind.file} (bad magic)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  const refused = kind.refuseVersion(version);
  if (refused) bad(refused);
  const length = view.getUint32(12, true);
  if (HEADER_BYTES + length > bytes.length) bad(`${kind.table} runs past the end of the file`);
  return { version, table: bytes.subarray(HEADER_BYTES, HEADER_BYTES + length) };
}

/** Checks the stored checksum against everything after the header. Requires initHashing(). */
export function checkChecksum(bytes: Uint8Array, bad: (msg: string) => never): void {
  const stored = new TextDecoder().decode(bytes.subarray(16, HEADER_BYTES));
  if (hashLargeBytes(bytes.subarray(HEADER_BYTES)) !== stored) bad('checksum mismatch: the file is damaged or truncated');
}

/** The table parsed as JSON. */
export function parseTable(head: FileHead, kind: FileKind, bad: (msg: string) => never): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(head.table));
  } catch {
    return bad(`${kind.table} is not valid JSON`);
  }
}
