// Dead-node elimination: IR ops are pure, so a node none of whose results is read goes away.
import type { Graph, IRModule } from './graph.js';

/** Removes unread nodes (regions included) and pool constants no node references. Mutates `mod`. */
export function removeDeadNodes(mod: IRModule): number {
  const live = new Set<number>();
  const removed = sweep(mod.graph, live);
  const used = new Set<string>();
  collectConstantHashes(mod.graph, used);
  for (const hash of [...mod.constants.keys()]) if (!used.has(hash)) mod.constants.delete(hash);
  return removed;
}

// Walks nodes last to first: a node is live when a later live node (or the graph's outputs)
// reads one of its results. Value ids are unique module-wide, so one set serves all regions,
// and a region's reads of outer values mark them live before the outer producer is visited.
function sweep(g: Graph, live: Set<number>): number {
  let removed = 0;
  for (const v of g.outputs) live.add(v.id);
  const kept = [];
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i]!;
    if (!n.outputs.some((v) => live.has(v.id))) {
      removed++;
      continue;
    }
    for (const r of n.regions) removed += sweep(r, live);
    for (const v of n.inputs) if (v) live.add(v.id);
    kept.push(n);
  }
  g.nodes = kept.reverse();
  return removed;
}

function collectConstantHashes(g: Graph, used: Set<string>): void {
  for (const n of g.nodes) {
    if (n.op === 'constant') used.add(n.attrs['hash'] as string);
    for (const r of n.regions) collectConstantHashes(r, used);
  }
}
