import type { Graph, Value } from './graph.js';

/**
 * Values a graph reads but neither defines nor takes as inputs: what a control-flow region
 * captures from the enclosing scopes. Nested regions count too. In first-use order.
 */
export function freeValues(g: Graph): Value[] {
  const defined = new Set<number>(g.inputs.map((v) => v.id));
  const seen = new Set<number>();
  const out: Value[] = [];
  for (const n of g.nodes) {
    const reads: Value[] = [];
    for (const v of n.inputs) if (v) reads.push(v);
    for (const r of n.regions) reads.push(...freeValues(r));
    for (const v of reads) {
      if (defined.has(v.id) || seen.has(v.id)) continue;
      seen.add(v.id);
      out.push(v);
    }
    for (const o of n.outputs) defined.add(o.id);
  }
  for (const v of g.outputs) {
    if (!defined.has(v.id) && !seen.has(v.id)) {
      seen.add(v.id);
      out.push(v);
    }
  }
  return out;
}
