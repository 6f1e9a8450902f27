// The module file: the linked module (the `module` query's value, constants named by hash) with
// its constants' bytes put back — small ones from the import's value, weights from
// constantData. Written atomically; a file already holding the same module is left alone.
import { closeSync, linkSync, openSync, readSync, renameSync, writev, writevSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { Store } from '../../cache/store.js';
import type { Database } from '../../graph/database.js';
import { IreetsError } from '../../util/errors.js';
import { sealedBytes, sealModule, type ModuleFileLayout } from '../../vm/module-writer.js';
import { byteSize } from '../../ir/dtype.js';
import { staticSize } from '../../ir/types.js';
import { archiveIndexOf, layoutArchive, type ArchiveLayout } from '../../vm/parameter-archive.js';
import { currentStamp, sameStamp } from '../../util/file-stamp.js';
import type { ImportedModel } from './import-model.js';
import type { CompilerQueries } from './index.js';
import { layoutLinkedModule, type LinkedModule } from './module.js';
import { readOutputStamp, type OutputStamp } from './stamps.js';

/** What was written to a module file, to recognise it later. */
export type WrittenModule = OutputStamp;

/** Bytes of a module file's head compared before trusting its stamp (the header and its checksum). */
const HEAD_BYTES = 64;

export async function linkedModuleFile(
  db: Database,
  q: CompilerQueries,
  linked: LinkedModule,
  imported: ImportedModel,
  signal: AbortSignal | undefined,
): Promise<Uint8Array> {
  return sealedBytes(await linkedModuleFileLayout(db, q, linked, imported, signal));
}

/** The module file as pieces (its weights not copied), checksum not yet computed: for writeModuleFile. */
export async function linkedModuleFileLayout(
  db: Database,
  q: CompilerQueries,
  linked: LinkedModule,
  imported: ImportedModel,
  signal: AbortSignal | undefined,
): Promise<ModuleFileLayout> {
  return layoutLinkedModule(linked, await constantBytesOfModule(db, q, linked, imported, signal));
}

/**
 * The module file with its weights (the constants cached on their own, constantData) in a
 * parameter archive named `archiveFile`, as pieces: the module names the archive by id and its
 * weights by content hash. No archive when the model has no such weights (the module holds all).
 */
export async function linkedModuleFilesExternal(
  db: Database,
  q: CompilerQueries,
  linked: LinkedModule,
  imported: ImportedModel,
  archiveFile: string,
  signal: AbortSignal | undefined,
  /** Whether the archive file holds the archive of this id already: then its layout is not made (no weight bytes gathered). */
  archiveIsCurrent: (id: string) => Promise<boolean>,
): Promise<{ module: ModuleFileLayout; archive: ArchiveLayout | { id: string; current: true } | undefined }> {
  const small = smallConstants(imported);
  const keys = linked.rodata.map((hash) => (small.has(hash) ? undefined : hash));
  const smallBytes = (hash: string): Uint8Array => bytesIn(small, hash);
  const weights = [...new Set(keys.filter((k): k is string => k !== undefined))];
  if (weights.length === 0) return { module: layoutLinkedModule(linked, smallBytes), archive: undefined };
  // The weights' lengths from their types: the archive's id without their bytes.
  const types = new Map(imported.weights.map((w) => [w.hash, w]));
  const lengthOf = (key: string): number => {
    const w = types.get(key);
    if (!w) throw new IreetsError('INTERNAL', `weight ${key} of the linked module is not one of the import's`);
    return staticSize(w.shape) * byteSize(w.dtype);
  };
  const { id } = archiveIndexOf(weights.map((key) => ({ key, length: lengthOf(key) })));
  const module = layoutLinkedModule(linked, smallBytes, { file: archiveFile, archive: id, keys });
  if (await archiveIsCurrent(id)) return { module, archive: { id, current: true } };
  const bytesOf = await constantBytesOfModule(db, q, linked, imported, signal);
  const archive = layoutArchive(weights.map((key) => ({ key, bytes: bytesOf(key) })));
  if (archive.id !== id) throw new IreetsError('INTERNAL', `the weights' lengths do not match their types (archive ${archive.id}, expected ${id})`);
  return { module, archive };
}

/** Bytes of every constant the linked module names: small ones from the import's value, weights from constantData. */
async function constantBytesOfModule(
  db: Database,
  q: CompilerQueries,
  linked: LinkedModule,
  imported: ImportedModel,
  signal: AbortSignal | undefined,
): Promise<(hash: string) => Uint8Array> {
  const bytes = smallConstants(imported);
  for (const hash of linked.rodata) {
    if (bytes.has(hash)) continue;
    bytes.set(hash, viewBytes((await db.get(q.constantData, hash, { signal })).data));
  }
  return (hash) => bytesIn(bytes, hash);
}

/** The bytes of the small constants, which importModel's value holds, by hash. */
const smallConstants = (imported: ImportedModel): Map<string, Uint8Array> => new Map(imported.module.constants.map((c) => [c.hash, viewBytes(c.data)]));

function bytesIn(bytes: ReadonlyMap<string, Uint8Array>, hash: string): Uint8Array {
  const b = bytes.get(hash);
  if (!b) throw new IreetsError('INTERNAL', `constant ${hash} of the linked module is missing`);
  return b;
}

function viewBytes(data: unknown): Uint8Array {
  if (!ArrayBuffer.isView(data)) throw new IreetsError('MODEL_UNSUPPORTED', 'string constants cannot live on a device');
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Whether `output` holds the module of value fingerprint `module`: it was written so (by this
 * process, or another one over the same cache) and its stamp and head are as written then.
 */
export async function moduleFileIsCurrent(store: Store, known: Map<string, WrittenModule>, output: string, module: string): Promise<{ size: number } | undefined> {
  const record = known.get(output) ?? readOutputStamp(store, output);
  if (!record || record.module !== module) return undefined;
  const now = await currentStamp(output);
  if (!now || !sameStamp(now, record.stamp)) return undefined;
  const head = readHead(output);
  if (!head || !sameBytes(head, record.head)) return undefined;
  known.set(output, record);
  return { size: Number(now.size) };
}

/**
 * Where a module's parameter archive goes: beside it, named after it (`model.vmfb` →
 * `model.params`; a name without the .vmfb extension gets `.params` appended).
 */
export function archivePathOf(output: string): string {
  return /\.vmfb$/i.test(output) ? `${output.slice(0, -'.vmfb'.length)}.params` : `${output}.params`;
}

/** What an external-weights module file is recorded as holding: the module, and the archive it names. */
export function externalModuleId(module: string, archive: string | undefined): string {
  return `${module}/external/${archive ?? 'none'}`;
}

/**
 * Whether `output` holds the external-weights module of value fingerprint `module`, and its
 * archive the weights that module names: both as recorded when written, and untouched since.
 */
export async function externalFilesAreCurrent(
  store: Store,
  known: Map<string, WrittenModule>,
  output: string,
  archivePath: string,
  module: string,
): Promise<{ module: { size: number }; archive: { size: number } | undefined } | undefined> {
  const record = known.get(output) ?? readOutputStamp(store, output);
  const prefix = externalModuleId(module, '');
  if (!record?.module.startsWith(prefix)) return undefined;
  const archiveId = record.module.slice(prefix.length);
  const moduleFile = await moduleFileIsCurrent(store, known, output, record.module);
  if (!moduleFile) return undefined;
  if (archiveId === 'none') return { module: moduleFile, archive: undefined };
  const archive = await moduleFileIsCurrent(store, known, archivePath, archiveId);
  return archive && { module: moduleFile, archive };
}

/** Small file operations are synchronous here: see currentStamp (src/util/file-stamp.ts). */
function readHead(path: string): Uint8Array | undefined {
  try {
    const fd = openSync(path, 'r');
    try {
      const buf = new Uint8Array(HEAD_BYTES);
      return buf.subarray(0, readSync(fd, buf, 0, HEAD_BYTES, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/**
 * Writes the module file (or a parameter archive: same header) atomically (temp file beside it,
 * then rename): readers never see half a module. The layout is sealed here; a large one's
 * checksum is computed while its sections are being written, and its sections are on their way
 * before this returns its promise, so what the caller does next (committing the build) overlaps
 * the write too. The rename waits for `renameAfter`, if given.
 */
export async function writeModuleFile(output: string, file: ModuleFileLayout, module: string, renameAfter?: Promise<unknown>): Promise<WrittenModule> {
  const temp = `${output}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    const fd = openSync(temp, 'w');
    try {
      if (file.byteLength <= SYNC_WRITE_BYTES) {
        sealModule(file);
        writeAllSync(fd, [file.head, ...file.body]);
      } else {
        // The sections go out (in the thread pool) while their checksum is computed here.
        const body = writeAll(fd, file.body, file.head.length);
        try {
          sealModule(file);
        } finally {
          await body;
        }
        await writeAll(fd, [file.head], 0);
      }
    } finally {
      closeSync(fd);
    }
    // Renaming over a file makes the file system flush the new one at its next journal commit,
    // which a synced cache commit would then wait for: the caller may hold the rename until its
    // commit is through.
    await renameAfter?.catch(() => undefined);
    const old = keepAside(output);
    try {
      renameSync(temp, output);
    } finally {
      if (old) removeLater(old);
    }
  } catch (e) {
    await rm(temp, { force: true });
    throw new IreetsError('INPUT_INVALID', `cannot write the module: ${(e as Error).message}`, output, { cause: e });
  }
  const stamp = await currentStamp(output);
  if (!stamp) throw new IreetsError('INPUT_INVALID', 'the module file vanished right after it was written', output);
  return { stamp, module, head: file.head.slice(0, HEAD_BYTES) };
}

const writevAt = promisify(writev);

/**
 * Files up to this size are written on this thread (a module without its weights: a few hundred
 * kilobytes): less than two round trips through the thread pool. Larger ones go out there while
 * this thread computes their checksum and the build commits.
 */
const SYNC_WRITE_BYTES = 4 << 20;

/**
 * A second name for the file at `output`, if there is one. Renaming over a file frees its blocks
 * there and then (tens of milliseconds for a module of tens of megabytes); while another name
 * holds them, the rename is a few directory updates and the freeing moves off the build
 * (removeLater). Undefined when there is no file or the file system has no hard links. (A
 * process killed between the link and the removal leaves that `.old-` name behind.)
 */
function keepAside(output: string): string | undefined {
  const aside = `${output}.old-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    linkSync(output, aside);
    return aside;
  } catch {
    return undefined;
  }
}

const removals = new Set<Promise<void>>();

/** Unlinks `path` in the background; `removalsDone()` waits for it. */
function removeLater(path: string): void {
  const p: Promise<void> = rm(path, { force: true })
    .catch(() => undefined)
    .finally(() => removals.delete(p));
  removals.add(p);
}

/** Settles when the old module files set aside by writeModuleFile are gone. */
export async function removalsDone(): Promise<void> {
  while (removals.size > 0) await Promise.all(removals);
}

/** Parts handed to one writev: well under every system's IOV_MAX. */
const PARTS_PER_WRITE = 256;

/** writeAll's synchronous twin, from the start of the file. */
function writeAllSync(fd: number, parts: readonly Uint8Array[]): void {
  const pending = [...parts];
  let position = 0;
  let i = 0;
  while (i < pending.length) {
    const bytesWritten = writevSync(fd, pending.slice(i, i + PARTS_PER_WRITE), position);
    position += bytesWritten;
    i = consumed(pending, i, bytesWritten);
  }
}

/** Takes what a (possibly short) vectored write wrote off `pending[i..]`; the index of the next part. */
function consumed(pending: Uint8Array[], i: number, bytesWritten: number): number {
  if (bytesWritten === 0) throw new Error('the file system accepted no bytes');
  let done = bytesWritten;
  while (i < pending.length && done >= pending[i]!.length) done -= pending[i++]!.length;
  if (done > 0) pending[i] = pending[i]!.subarray(done);
  return i;
}

/** Writes `parts` in order from `position` on, without joining them; resumes short writes. */
async function writeAll(fd: number, parts: readonly Uint8Array[], position: number): Promise<void> {
  const pending = [...parts];
  let i = 0;
  while (i < pending.length) {
    const { bytesWritten } = await writevAt(fd, pending.slice(i, i + PARTS_PER_WRITE), position);
    position += bytesWritten;
    i = consumed(pending, i, bytesWritten);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
