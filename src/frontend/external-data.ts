// Tensor bytes stored outside the model file (TensorProto.data_location = EXTERNAL): the
// `external_data` entries name a file relative to the model's directory, an offset and a length.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { IreetsError } from '../util/errors.js';
import type { TensorProto } from './onnx-proto.js';

export interface ExternalDataRef {
  /** Absolute path of the data file. */
  readonly path: string;
  /** The location as the model wrote it, and the tensor's name: named in errors. */
  readonly location: string;
  readonly tensor: string | undefined;
  readonly offset: number;
  /** Byte count, or undefined for "to the end of the file". */
  readonly length: number | undefined;
}

/** DataLocation.EXTERNAL in onnx.proto. */
const EXTERNAL = 1;

export function isExternalTensor(proto: TensorProto): boolean {
  return proto.dataLocation === EXTERNAL;
}

/**
 * The file an external data location names, relative to the model's directory `baseDir`;
 * undefined for a location that leaves it (absolute, or climbing out with "..").
 */
export function dataFilePath(baseDir: string, location: string): string | undefined {
  const path = resolve(baseDir, location);
  const rel = relative(resolve(baseDir), path);
  return isAbsolute(location) || rel.startsWith('..') || isAbsolute(rel) ? undefined : path;
}

/** Where an external tensor's bytes are. Refuses locations that leave the model's directory. */
export function externalDataRef(proto: TensorProto, baseDir: string, culprit: string): ExternalDataRef {
  const entries = new Map<string, string>();
  for (const e of proto.externalData ?? []) entries.set(e.key ?? '', e.value ?? '');
  const location = entries.get('location');
  if (!location) throw new IreetsError('MODEL_INVALID', 'external tensor has no "location"', culprit);
  const path = dataFilePath(baseDir, location);
  if (path === undefined) {
    throw new IreetsError('MODEL_INVALID', `external data location "${location}" is outside the model's directory`, culprit);
  }
  const offset = parseCount(entries.get('offset'), 'offset', culprit) ?? 0;
  const length = parseCount(entries.get('length'), 'length', culprit);
  return { path, location, tensor: proto.name || undefined, offset, length };
}

function parseCount(text: string | undefined, what: string, culprit: string): number | undefined {
  if (text === undefined || text === '') return undefined;
  if (!/^\d+$/.test(text)) throw new IreetsError('MODEL_INVALID', `external data ${what} "${text}" is not a byte count`, culprit);
  return Number(text);
}

/**
 * Reads the bytes of an external tensor (synchronously: constants load on demand inside kernels),
 * from `files` (whole files by absolute path, read before) when it holds the file.
 */
export function readExternalBytes(ref: ExternalDataRef, culprit: string, files?: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const held = files?.get(ref.path);
  if (held) {
    const length = ref.length ?? held.length - ref.offset;
    if (ref.offset + length > held.length || length < 0) {
      throw new IreetsError('MODEL_CORRUPT', `external data ${ref.path} has ${held.length} bytes, needs ${ref.offset + length}`, culprit);
    }
    return held.slice(ref.offset, ref.offset + length);
  }
  let fd: number;
  try {
    fd = openSync(ref.path, 'r');
  } catch (e) {
    const what = `external data file ${ref.path} (location "${ref.location}"${ref.tensor ? ` of tensor "${ref.tensor}"` : ''})`;
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    const message = missing ? `${what} does not exist` : `cannot open ${what}: ${(e as Error).message}`;
    throw new IreetsError('MODEL_INVALID', message, culprit, { cause: e });
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new IreetsError('MODEL_INVALID', `external data location "${ref.location}" is not a file`, culprit);
    const size = stat.size;
    const length = ref.length ?? size - ref.offset;
    if (ref.offset + length > size || length < 0) {
      throw new IreetsError('MODEL_CORRUPT', `external data ${ref.path} has ${size} bytes, needs ${ref.offset + length}`, culprit);
    }
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = readSync(fd, out, done, length - done, ref.offset + done);
      if (n === 0) break;
      done += n;
    }
    if (done !== length) throw new IreetsError('MODEL_CORRUPT', `short read from ${ref.path}`, culprit);
    return out;
  } finally {
    closeSync(fd);
  }
}
