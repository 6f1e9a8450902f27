// Model files enter the build graph as content digests, not bytes: fingerprinting a digest is
// free, where re-encoding a 50 MB file on every build (and again to recheck it) is not. The
// bytes wait here, by digest, for the import that needs them. The import is still a pure
// function of its input: a digest names exactly one content. When a stamp vouched for the
// digest without a read (stamps.ts), the bytes are read on first need and checked against it.
//
// Beside the bytes, a held content keeps the large constants its import produced in this
// process (constants.ts), so a build can hand them to the cache without reading them back, and
// the external data files the model names, read with it (data-files.ts).
import { readFile } from 'node:fs/promises';
import { digestModel } from '../../frontend/model-digest.js';
import type { Tensor } from '../../ir/tensor.js';
import { IreetsError } from '../../util/errors.js';
import { readDataFiles, withDataFiles, type DataFiles, type EarlierDataFiles } from './data-files.js';
import { recycleModelFileBuffer } from './file-buffers.js';

export interface FileDigest {
  /**
   * modelDigest() of the bytes (requires initHashing()), with its external data files' part
   * when it has any (data-files.ts): every reader of a model uses it.
   */
  digest: string;
  /** Of the model file alone. */
  size: number;
}

/** What an import reads: the model file, and its external data files by absolute path. */
export interface ModelContent {
  bytes: Uint8Array;
  externalFiles: ReadonlyMap<string, Uint8Array> | undefined;
}

interface HeldContent {
  /** Undefined until first needed when the digest came from a stamp. */
  bytes: Uint8Array | undefined;
  externalFiles: ReadonlyMap<string, Uint8Array> | undefined;
  /** A path it was read from (the import resolves external data next to it). */
  path: string;
  holders: number;
  /** Large constants of its import, by constant hash, once the import ran in this process. */
  constants: ReadonlyMap<string, () => Tensor> | undefined;
}

const held = new Map<string, HeldContent>();

/** The digest of a model file's bytes read from `path`, after reading the external data files it names (or keeping them from `earlier`). */
export async function contentDigest(path: string, bytes: Uint8Array, earlier?: EarlierDataFiles): Promise<{ digest: FileDigest; data: DataFiles | undefined }> {
  const { digest, externalLocations } = digestModel(bytes);
  return withLocations(path, { digest, size: bytes.length }, externalLocations, earlier);
}

/** A model file's digest made whole: with the external data files it names, read now (or kept from `earlier`). */
export async function withLocations(
  path: string,
  file: FileDigest,
  locations: readonly string[],
  earlier?: EarlierDataFiles,
): Promise<{ digest: FileDigest; data: DataFiles | undefined }> {
  const data = locations.length > 0 ? await readDataFiles(path, locations, earlier) : undefined;
  return { digest: { digest: withDataFiles(file.digest, data), size: file.size }, data };
}

const idOf = (d: FileDigest): string => `${d.digest}/${d.size}`;

/**
 * Keeps `bytes` available under their digest until released as often as retained; without
 * bytes, they are read from `path` when first needed.
 */
export function retainContent(d: FileDigest, bytes: Uint8Array | undefined, path = 'model', externalFiles?: ReadonlyMap<string, Uint8Array>): void {
  const entry = held.get(idOf(d));
  if (entry) {
    entry.holders++;
    if (!entry.bytes && bytes) {
      entry.bytes = bytes;
      entry.externalFiles = externalFiles;
    }
  } else {
    held.set(idOf(d), { bytes, externalFiles, path, holders: 1, constants: undefined });
  }
}

/** Thrown when bytes read late no longer match the digest a stamp vouched for: build again. */
export class ContentChangedError extends IreetsError {
  constructor(path: string) {
    super('INPUT_INVALID', 'the model changed while it was being compiled; build again', path);
  }
}

/**
 * Lets go of `d` once released as often as retained; its bytes' buffer then serves a later read
 * (file-buffers.ts): whoever was handed them is done with them.
 */
export function releaseContent(d: FileDigest): void {
  const entry = held.get(idOf(d));
  if (entry && --entry.holders === 0) {
    held.delete(idOf(d));
    if (entry.bytes) recycleModelFileBuffer(entry.bytes);
  }
}

/**
 * The bytes behind a digest; only asked for while the compiler that read them holds them. Use
 * them at once and keep no view of them: once the content is released, they are overwritten.
 */
export async function contentOf(d: FileDigest, path: string): Promise<ModelContent> {
  const entry = held.get(idOf(d));
  if (!entry) throw new IreetsError('INTERNAL', `the content of the model (digest ${d.digest}) is no longer held`, path);
  if (!entry.bytes) {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(entry.path);
    } catch (e) {
      throw new IreetsError('INPUT_INVALID', `cannot read the model: ${(e as Error).message}`, entry.path, { cause: e });
    }
    const got = await contentDigest(entry.path, bytes);
    if (got.digest.digest !== d.digest || got.digest.size !== d.size) throw new ContentChangedError(entry.path);
    entry.bytes = bytes;
    entry.externalFiles = got.data?.bytes;
  }
  return { bytes: entry.bytes, externalFiles: entry.externalFiles };
}

/** The external data files held with `d`, by absolute path (undefined: none, or not read yet). */
export function externalFilesOf(d: FileDigest): ReadonlyMap<string, Uint8Array> | undefined {
  return held.get(idOf(d))?.externalFiles;
}

/** Records how to load the large constants the import of `d` produced (kept while `d` is held). */
export function rememberConstants(d: FileDigest, constants: ReadonlyMap<string, () => Tensor>): void {
  const entry = held.get(idOf(d));
  if (entry) entry.constants = constants;
}

/** A large constant by hash from the imports of held contents, if one of them has it. */
export function heldConstant(hash: string): Tensor | undefined {
  for (const entry of held.values()) {
    const load = entry.constants?.get(hash);
    if (load) return load();
  }
  return undefined;
}

/** Held contents whose import has not run in this process: what a lost constant can be re-derived from. */
export function contentsWithoutConstants(): { digest: FileDigest; path: string }[] {
  const out: { digest: FileDigest; path: string }[] = [];
  for (const [id, entry] of held) {
    if (entry.constants) continue;
    const [digest, size] = id.split('/') as [string, string];
    out.push({ digest: { digest, size: Number(size) }, path: entry.path });
  }
  return out;
}
