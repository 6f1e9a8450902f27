// The module file: the linked module (the `module` query's value, constants named by hash) with
// its constants' bytes put back — small ones from the import's value, weights from
// constantData. Written atomically; a file already holding the same module is left alone.
import { open, rename, rm, writeFile } from 'node:fs/promises';
import type { Store } from '../../cache/store.js';
import type { Database } from '../../graph/database.js';
import { IreetsError } from '../../util/errors.js';
import { currentStamp, sameStamp } from './file-snapshot.js';
import type { ImportedModel } from './import-model.js';
import type { CompilerQueries } from './index.js';
import { writeLinkedModule, type LinkedModule } from './module.js';
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
  const bytes = new Map<string, Uint8Array>();
  for (const c of imported.module.constants) bytes.set(c.hash, viewBytes(c.data));
  for (const hash of linked.rodata) {
    if (bytes.has(hash)) continue;
    bytes.set(hash, viewBytes((await db.get(q.constantData, hash, { signal })).data));
  }
  return writeLinkedModule(linked, (hash) => {
    const b = bytes.get(hash);
    if (!b) throw new IreetsError('INTERNAL', `constant ${hash} of the linked module is missing`);
    return b;
  });
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
  const head = await readHead(output);
  if (!head || !sameBytes(head, record.head)) return undefined;
  known.set(output, record);
  return { size: Number(now.size) };
}

async function readHead(path: string): Promise<Uint8Array | undefined> {
  try {
    const fd = await open(path, 'r');
    try {
      const buf = new Uint8Array(HEAD_BYTES);
      const { bytesRead } = await fd.read(buf, 0, HEAD_BYTES, 0);
      return buf.subarray(0, bytesRead);
    } finally {
      await fd.close();
    }
  } catch {
    return undefined;
  }
}

/** Writes the module file atomically (temp file beside it, then rename): readers never see half a module. */
export async function writeModuleFile(output: string, bytes: Uint8Array, module: string): Promise<WrittenModule> {
  const temp = `${output}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    await writeFile(temp, bytes);
    await rename(temp, output);
  } catch (e) {
    await rm(temp, { force: true });
    throw new IreetsError('INPUT_INVALID', `cannot write the module: ${(e as Error).message}`, output, { cause: e });
  }
  const stamp = await currentStamp(output);
  if (!stamp) throw new IreetsError('INPUT_INVALID', 'the module file vanished right after it was written', output);
  return { stamp, module, head: bytes.slice(0, HEAD_BYTES) };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
