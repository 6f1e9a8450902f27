// module({path, target}): links the host program, the executables and the constants into the
// module's bytes. Reads the target's tuning; asks for one executable per distinct region.
import type { Schedule } from '../../codegen/schedule.js';
import { defineQuery, type DerivedQuery } from '../../graph/query.js';
import { describeNode, type Node } from '../../ir/graph.js';
import { deserializeModule } from '../../ir/serialize.js';
import { IreetsError, isIreetsError } from '../../util/errors.js';
import { writeModule } from '../../vm/module-writer.js';
import type { VmExecutable } from '../../vm/module.js';
import { checkHostStep, constantBytesOf, linkedDispatch, type Target } from '../compile-pipeline.js';
import { linkModule, type CompiledGraph } from '../link.js';
import { executableKey, type ExecutableQuery } from './executable.js';
import type { ImportModelQuery } from './import-model.js';
import { tuningSpec } from './inputs.js';
import { materializePlan, type PartitionQuery, type PlannedGraph } from './partition.js';

export interface ModuleKey {
  path: string;
  target: Target;
}

export type ModuleQuery = DerivedQuery<ModuleKey, Uint8Array>;

export function defineModule(
  version: string,
  q: { importModel: ImportModelQuery; partition: PartitionQuery; schedule: DerivedQuery<string, Schedule>; executable: ExecutableQuery },
): ModuleQuery {
  return defineQuery<ModuleKey, Uint8Array>({
    name: 'module',
    version,
    compute: async (ctx, { path, target }) => {
      const imported = await ctx.get(q.importModel, path);
      const plan = await ctx.get(q.partition, path);
      const schedule = await ctx.get(q.schedule, path);
      const tuning = ctx.input(tuningSpec, target);
      const ir = deserializeModule(imported.module);
      const planned = materializePlan(ir, plan);

      const compiled: VmExecutable[] = [];
      for (const [i, region] of plan.regions.entries()) {
        try {
          compiled.push(await ctx.get(q.executable, executableKey(region, target, tuning)));
        } catch (e) {
          throw nameDispatch(e, firstDispatchNodes(planned, i));
        }
      }
      // Executables in the order of first use, deduplicated by code, as compileOnnx links them.
      const executables: VmExecutable[] = [];
      const byHash = new Map<string, number>();
      const link = (pg: PlannedGraph): CompiledGraph => {
        const cg: CompiledGraph = { graph: pg.graph, steps: pg.steps, dispatches: new Map(), regions: new Map() };
        pg.steps.forEach((s, i) => {
          if (s.kind === 'host') {
            checkHostStep(s.node, target);
            cg.regions.set(i, pg.nested.get(i)!.map(link));
          } else if (s.kind === 'dispatch') {
            const exe = compiled[pg.regionOf.get(i)!]!;
            let index = byHash.get(exe.hash);
            if (index === undefined) {
              index = executables.length;
              executables.push(exe);
              byHash.set(exe.hash, index);
            }
            cg.dispatches.set(i, linkedDispatch(exe, index));
          }
        });
        return cg;
      };
      const main = link(planned);
      const vm = linkModule({
        mod: ir, target, main, schedule, executables, constantBytes: constantBytesOf(ir),
        batchSymbol: imported.batchSymbol, signature: imported.signature,
      });
      return writeModule(vm);
    },
  });
}

/** The IR nodes of the first dispatch that uses region `index` (depth first, like linking). */
function firstDispatchNodes(pg: PlannedGraph, index: number): readonly Node[] | undefined {
  for (const [i, s] of pg.steps.entries()) {
    if (s.kind === 'dispatch' && pg.regionOf.get(i) === index) return s.region.nodes;
    for (const nested of pg.nested.get(i) ?? []) {
      const found = firstDispatchNodes(nested, index);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Executables compile anonymous bodies, whose errors name a node by position (`conv #2`); put
 * the model's node back in the culprit.
 */
function nameDispatch(e: unknown, nodes: readonly Node[] | undefined): unknown {
  if (!isIreetsError(e) || !nodes || !e.culprit) return e;
  const m = /^(\S+) #(\d+)$/.exec(e.culprit);
  const n = m ? nodes[Number(m[2])] : undefined;
  if (!n || n.op !== m![1]) return e;
  const prefix = `${e.culprit}: `;
  const message = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
  return new IreetsError(e.code, message, describeNode(n), { cause: e });
}
