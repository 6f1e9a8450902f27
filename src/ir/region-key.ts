// The content key of a dispatch region: a hash of its canonical body (ops, attributes, shapes,
// dtypes, inlined constants) with value names normalized and weights excluded, so identical
// regions — in one model or across models — share one executable.
import { hashString } from '../util/hash.js';
import { hashTensor } from './constant-hash.js';
import type { AttrValue } from './graph.js';
import type { DispatchRegion } from './partition.js';
import { Tensor } from './tensor.js';
import { formatType } from './types.js';

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
