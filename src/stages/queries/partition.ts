// partition(path): the host structure of the optimized model (its steps, by value and node ids,
// recursively into control flow) and the distinct dispatch regions as self-contained bodies.
// A weight edit leaves this value unchanged (weights are bindings), which cuts off everything
// downstream that reads only it.
import { defineQuery, type DerivedQuery } from '../../graph/query.js';
import { walkNodes, type Graph, type IRModule, type Node, type Value } from '../../ir/graph.js';
import type { DispatchRegion, Step } from '../../ir/partition.js';
import { regionKey, sameRegion, summarizeRegion } from '../../ir/region-key.js';
import { serializeRegion, type SerializedRegion } from '../../ir/serialize.js';
import type { Tensor } from '../../ir/tensor.js';
import { IreetsError } from '../../util/errors.js';
import { partitionForTarget } from '../compile-pipeline.js';
import { importedModule, type ImportModelQuery } from './import-model.js';

export type StepPlan =
  | { kind: 'dispatch'; region: number; output: number; inputs: number[]; nodes: number[]; inlined: number[] }
  | { kind: 'alias'; output: number; input: number; node: number }
  | { kind: 'host'; node: number; regions: GraphPlan[] };

export interface GraphPlan {
  steps: StepPlan[];
}

export interface RegionEntry {
  /** regionKey(): 16 hex digits. */
  key: string;
  /** summarizeRegion(), for --explain. */
  summary: string;
  body: SerializedRegion;
}

export interface PartitionPlan {
  main: GraphPlan;
  /** Distinct regions in first-use order; dispatch steps refer to them by index. */
  regions: RegionEntry[];
  /** Dispatch steps in all graphs, nested ones included. */
  dispatches: number;
}

export type PartitionQuery = DerivedQuery<string, PartitionPlan>;

export function definePartition(version: string, importModel: ImportModelQuery): PartitionQuery {
  return defineQuery<string, PartitionPlan>({
    name: 'partition',
    version,
    compute: async (ctx, path) => {
      const imported = await ctx.get(importModel, path);
      return planPartition(importedModule(imported), new Set(imported.batched));
    },
  });
}

/** Partitions the main graph and every control-flow region in it (those without a batch). */
export function planPartition(ir: IRModule, batched: ReadonlySet<number>): PartitionPlan {
  const regions: RegionEntry[] = [];
  // Per summary (ops and output type), the regions planned under it: equal regions share one
  // entry. Only distinct regions are keyed and serialized.
  const bySummary = new Map<string, { index: number; region: DispatchRegion }[]>();
  let dispatches = 0;
  const regionIndex = (region: DispatchRegion): number => {
    const summary = summarizeRegion(region);
    const candidates = bySummary.get(summary);
    const same = candidates?.find((c) => sameRegion(c.region, region));
    if (same) return same.index;
    const index = regions.length;
    regions.push({ key: regionKey(region), summary, body: serializeRegion(region) });
    if (candidates) candidates.push({ index, region });
    else bySummary.set(summary, [{ index, region }]);
    return index;
  };
  const planGraph = (graph: Graph, batchedHere: ReadonlySet<number>): GraphPlan => ({
    steps: partitionForTarget(ir, graph, batchedHere).map((s): StepPlan => {
      if (s.kind === 'alias') return { kind: 'alias', output: s.output.id, input: s.input.id, node: s.node.id };
      if (s.kind === 'host') return { kind: 'host', node: s.node.id, regions: s.node.regions.map((r) => planGraph(r, new Set())) };
      dispatches++;
      const r = s.region;
      return {
        kind: 'dispatch',
        region: regionIndex(r),
        output: r.output.id,
        inputs: r.inputs.map((v) => v.id),
        nodes: r.nodes.map((n) => n.id),
        inlined: [...r.inlined.keys()],
      };
    }),
  });
  const main = planGraph(ir.graph, batched);
  return { main, regions, dispatches };
}

/** A plan applied to a copy of the IR: real steps, and per control-flow step its regions' steps. */
export interface PlannedGraph {
  graph: Graph;
  steps: Step[];
  /** The plan's region index per dispatch step. */
  regionOf: Map<number, number>;
  nested: Map<number, PlannedGraph[]>;
}

const planned = new WeakMap<PartitionPlan, WeakMap<IRModule, PlannedGraph>>();

/**
 * materializePlan, once per plan and IR in this process: schedule and module both apply the
 * partition's plan to the import's (shared) IR, and read the result only.
 */
export function plannedGraph(ir: IRModule, plan: PartitionPlan): PlannedGraph {
  let byIr = planned.get(plan);
  if (!byIr) planned.set(plan, (byIr = new WeakMap()));
  let pg = byIr.get(ir);
  if (!pg) byIr.set(ir, (pg = materializePlan(ir, plan)));
  return pg;
}

/** Rebuilds the steps of `plan` over `ir` (a deserialized copy of the module it was made from). */
export function materializePlan(ir: IRModule, plan: PartitionPlan): PlannedGraph {
  const values = new Map<number, Value>();
  const nodes = new Map<number, Node>();
  const producer = new Map<number, Node>();
  const addGraph = (g: Graph): void => {
    for (const v of g.inputs) values.set(v.id, v);
  };
  addGraph(ir.graph);
  for (const n of walkNodes(ir.graph)) {
    nodes.set(n.id, n);
    for (const o of n.outputs) {
      values.set(o.id, o);
      producer.set(o.id, n);
    }
    n.regions.forEach(addGraph);
  }
  const lookup = <T>(m: Map<number, T>, id: number, what: string): T => {
    const x = m.get(id);
    if (x === undefined) throw new IreetsError('INTERNAL', `partition plan names ${what} ${id}, which the module lacks`);
    return x;
  };
  const value = (id: number) => lookup(values, id, 'value');
  const node = (id: number) => lookup(nodes, id, 'node');
  const constantTensor = (id: number): Tensor => {
    const p = producer.get(id);
    const entry = p?.op === 'constant' ? ir.constants.get(p.attrs['hash'] as string) : undefined;
    if (!entry) throw new IreetsError('INTERNAL', `partition plan inlines value ${id}, which is not a constant`);
    return entry.load();
  };
  const build = (graph: Graph, gp: GraphPlan): PlannedGraph => {
    const out: PlannedGraph = { graph, steps: [], regionOf: new Map(), nested: new Map() };
    gp.steps.forEach((s, i) => {
      if (s.kind === 'alias') {
        out.steps.push({ kind: 'alias', output: value(s.output), input: value(s.input), node: node(s.node) });
      } else if (s.kind === 'host') {
        const n = node(s.node);
        out.steps.push({ kind: 'host', node: n });
        out.nested.set(i, s.regions.map((r, k) => build(n.regions[k]!, r)));
      } else {
        const body = plan.regions[s.region]!.body;
        out.steps.push({
          kind: 'dispatch',
          region: {
            output: value(s.output),
            nodes: s.nodes.map(node),
            inputs: s.inputs.map(value),
            inlined: new Map(s.inlined.map((id) => [id, constantTensor(id)])),
            kind: body.kind,
            batchedInputs: body.inputs.map((t) => t.batched),
            batchedOutput: body.batchedOutput,
          },
        });
        out.regionOf.set(i, s.region);
      }
    });
    return out;
  };
  return build(ir.graph, plan.main);
}

/** How many dispatches of one run use each region (control-flow bodies included). */
export function dispatchesPerRegion(plan: PartitionPlan): number[] {
  const counts = plan.regions.map(() => 0);
  const walk = (g: GraphPlan): void => {
    for (const s of g.steps) {
      if (s.kind === 'dispatch') counts[s.region]!++;
      else if (s.kind === 'host') s.regions.forEach(walk);
    }
  };
  walk(plan.main);
  return counts;
}
