// The content key of a dispatch region: a hash of its canonical body (ops, attributes, shapes,
// dtypes, inlined constants) with value names normalized and weights excluded, so identical
// regions — in one model or across models — share one executable.
import { hashString } from '../util/hash.js';
import { hashTensor } from './constant-hash.js';
import type { AttrValue, Attrs } from './graph.js';
import type { DispatchRegion } from './partition.js';
import { Tensor } from './tensor.js';
import { formatType, type TensorType } from './types.js';

function formatAttr(v: AttrValue): string {
  if (v instanceof Tensor) return `tensor<${hashTensor(v)}>`;
  return JSON.stringify(v);
}

/** Canonical text of a region; equal text ⇔ the same kernel. */
export function canonicalRegionText(region: DispatchRegion): string {
  const names = new Map<number, string>();
  region.inputs.forEach((v, i) => names.set(v.id, `%in${i}:${region.batchedInputs[i] ? 'batched ' : ''}${formatType(v.type)}`));
  for (const [id, t] of region.inlined) names.set(id, `const<${hashTensor(t)}>`);
  let next = 0;
  const lines: string[] = [];
  for (const n of region.nodes) {
    const args = n.inputs.map((v) => (v ? names.get(v.id) ?? '?' : '_')).join(', ');
    const attrs = Object.keys(n.attrs).sort().map((k) => `${k}=${formatAttr(n.attrs[k]!)}`).join(', ');
    const outs = n.outputs.map((o) => {
      const name = `%${next++}`;
      names.set(o.id, name);
      return `${name}:${formatType(o.type)}`;
    });
    lines.push(`${outs.join(', ')} = ${n.op}(${args}) {${attrs}}`);
  }
  lines.push(`store ${region.batchedOutput ? 'batched ' : ''}${names.get(region.output.id)}`);
  return lines.join('\n');
}

/** 16-hex-digit region key. Requires initHashing(). */
export function regionKey(region: DispatchRegion): string {
  return hashString(canonicalRegionText(region));
}

/** Short human summary for --explain: ops and output shape, e.g. `conv+add+max → f32[1,96,56,56]`. */
export function summarizeRegion(region: DispatchRegion): string {
  return `${region.nodes.map((n) => n.op).join('+')} → ${formatType(region.output.type)}`;
}

/**
 * Whether two regions are one kernel: equal serialized bodies (hence equal canonical text and
 * key), decided without rendering either. Values compare by their place in the region (input
 * i, or the results of node k in order), inlined constants by content, attributes exactly (the
 * text's JSON would fold -0 into 0 and NaN into null).
 */
export function sameRegion(a: DispatchRegion, b: DispatchRegion): boolean {
  if (a === b) return true;
  if (a.nodes.length !== b.nodes.length || a.inputs.length !== b.inputs.length) return false;
  if (a.kind !== b.kind || a.batchedOutput !== b.batchedOutput) return false;
  const placeA = new Map<number, number>();
  const placeB = new Map<number, number>();
  for (let i = 0; i < a.inputs.length; i++) {
    if (a.batchedInputs[i] !== b.batchedInputs[i] || !sameType(a.inputs[i]!.type, b.inputs[i]!.type)) return false;
    placeA.set(a.inputs[i]!.id, i);
    placeB.set(b.inputs[i]!.id, i);
  }
  let next = a.inputs.length;
  for (let i = 0; i < a.nodes.length; i++) {
    const na = a.nodes[i]!;
    const nb = b.nodes[i]!;
    if (na.op !== nb.op || na.inputs.length !== nb.inputs.length || na.outputs.length !== nb.outputs.length) return false;
    if (na.regions.length > 0 || nb.regions.length > 0 || !sameAttrs(na.attrs, nb.attrs)) return false;
    for (let k = 0; k < na.inputs.length; k++) {
      const va = na.inputs[k];
      const vb = nb.inputs[k];
      if (!va || !vb) {
        if (va !== vb) return false;
        continue;
      }
      const ta = a.inlined.get(va.id);
      const tb = b.inlined.get(vb.id);
      if (ta || tb) {
        if (!ta || !tb || !sameTensor(ta, tb)) return false;
        continue;
      }
      const pa = placeA.get(va.id);
      if (pa === undefined || pa !== placeB.get(vb.id)) return false;
    }
    for (let j = 0; j < na.outputs.length; j++) {
      if (!sameType(na.outputs[j]!.type, nb.outputs[j]!.type)) return false;
      placeA.set(na.outputs[j]!.id, next);
      placeB.set(nb.outputs[j]!.id, next);
      next++;
    }
  }
  const out = placeA.get(a.output.id);
  return out !== undefined && out === placeB.get(b.output.id);
}

function sameType(x: TensorType, y: TensorType): boolean {
  if (x.dtype !== y.dtype) return false;
  const sx = x.shape;
  const sy = y.shape;
  if (sx === null || sy === null) return sx === sy;
  if (sx.length !== sy.length) return false;
  for (let i = 0; i < sx.length; i++) if (sx[i] !== sy[i]) return false;
  return true;
}

function sameAttrs(a: Attrs, b: Attrs): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) {
    if (!Object.prototype.hasOwnProperty.call(b, k) || !sameAttr(a[k], b[k])) return false;
  }
  return true;
}

function sameAttr(x: AttrValue | undefined, y: AttrValue | undefined): boolean {
  if (x instanceof Tensor || y instanceof Tensor) return x instanceof Tensor && y instanceof Tensor && sameTensor(x, y);
  if (Array.isArray(x) || Array.isArray(y)) {
    if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!sameScalar(x[i], y[i])) return false;
    return true;
  }
  return sameScalar(x, y);
}

/** The encoding's equality: -0 is not 0, every NaN is one NaN. */
const sameScalar = (x: unknown, y: unknown): boolean => Object.is(x, y);

function sameTensor(a: Tensor, b: Tensor): boolean {
  if (a === b) return true;
  if (a.dtype !== b.dtype || a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) return false;
  if (a.dtype === 'string') return JSON.stringify(a.data) === JSON.stringify(b.data);
  const da = a.data as ArrayBufferView;
  const db = b.data as ArrayBufferView;
  if (da.byteLength !== db.byteLength) return false;
  const ba = new Uint8Array(da.buffer, da.byteOffset, da.byteLength);
  const bb = new Uint8Array(db.buffer, db.byteOffset, db.byteLength);
  for (let i = 0; i < ba.length; i++) if (ba[i] !== bb[i]) return false;
  return true;
}
