// NumPy .npy files (format 1.0/2.0, little-endian, C order), for CLI inputs and outputs.
import { IreetsError } from './errors.js';

const DESCR: Record<string, string> = {
  f32: '<f4', f64: '<f8', f16: '<f2', i8: '|i1', i16: '<i2', i32: '<i4', i64: '<i8',
  u8: '|u1', u16: '<u2', u32: '<u4', u64: '<u8', bool: '|b1',
};
const FROM_DESCR = new Map(Object.entries(DESCR).map(([k, v]) => [v, k]));

export interface NpyArray {
  dtype: string;
  shape: number[];
  /** Raw little-endian element bytes. */
  bytes: Uint8Array;
}

export function writeNpy(a: NpyArray): Uint8Array {
  const descr = DESCR[a.dtype];
  if (!descr) throw new IreetsError('INPUT_INVALID', `.npy has no dtype for ${a.dtype}`);
  const shape = a.shape.length === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + a.bytes.length);
  out.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(a.bytes, 10 + header.length);
  return out;
}

export function readNpy(bytes: Uint8Array, culprit: string): NpyArray {
  const bad = (msg: string): never => {
    throw new IreetsError('INPUT_INVALID', msg, culprit);
  };
  if (bytes.length < 10 || bytes[0] !== 0x93 || new TextDecoder().decode(bytes.subarray(1, 6)) !== 'NUMPY') bad('not a .npy file');
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (start + headerLen > bytes.length) bad('truncated header');
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) return bad('malformed header');
  if (fortran === 'True') bad('Fortran-order arrays are not supported');
  const dtype = FROM_DESCR.get(descr.replace('=', '<')) ?? bad(`unsupported dtype ${descr}`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) bad(`bad shape (${shapeText})`);
  const size = Number(/\d+/.exec(descr)![0]);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = bytes.subarray(start + headerLen);
  if (data.length < n * size) bad(`holds ${data.length} data bytes, shape needs ${n * size}`);
  return { dtype, shape, bytes: data.slice(0, n * size) };
}
