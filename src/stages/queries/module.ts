// module({path, targets}): links the host program of each target and the executables into a
// module. Reads each target's tuning and asks for one executable per distinct region and target.
// Its value leaves the constants out (rodata segments are named by constant hash): importModel's
// value and constantData hold them, and a copy of a large model in every cached module would
// double what each edit writes. layoutLinkedModule puts them back, byte for byte.
import type { Schedule } from '../../codegen/schedule.js';
import { defineQuery, type DerivedQuery } from '../../graph/query.js';
import { describeNode, type Node } from '../../ir/graph.js';
import { IreetsError, isIreetsError } from '../../util/errors.js';
import { layoutModule, type ExternalParameters, type ModuleFileLayout } from '../../vm/module-writer.js';
import type { VmExecutable, VmModule } from '../../vm/module.js';
import { checkHostStep, linkedDispatch, type Target } from '../compile-pipeline.js';
import { linkModule, type CompiledGraph, type TargetProgram } from '../link.js';
import { executableKey, type ExecutableQuery } from './executable.js';
import { importedModule, type ImportModelQuery } from './import-model.js';
import { tuningSpec } from './inputs.js';
import { plannedGraph, type PartitionQuery, type PlannedGraph } from './partition.js';

export interface ModuleKey {
  path: string;
  /** One host program per target, in this order (a module may carry several). */
  targets: Target[];
}

export interface LinkedModule {
  /** The linked module with `rodata` empty. */
  vm: VmModule;
  /** The constant hash of each rodata segment, in order. */
  rodata: string[];
}

export type ModuleQuery = DerivedQuery<ModuleKey, LinkedModule>;

export function defineModule(
  version: string,
  q: { importModel: ImportModelQuery; partition: PartitionQuery; schedule: DerivedQuery<string, Schedule>; executable: ExecutableQuery },
): ModuleQuery {
  return defineQuery<ModuleKey, LinkedModule>({
    name: 'module',
    version,
    compute: async (ctx, { path, targets }) => {
      if (targets.length === 0) throw new IreetsError('INPUT_INVALID', 'name at least one target', path);
      const imported = await ctx.get(q.importModel, path);
      const plan = await ctx.get(q.partition, path);
      const schedule = await ctx.get(q.schedule, path);
      const ir = importedModule(imported);
      const planned = plannedGraph(ir, plan);
      const programs: TargetProgram[] = [];
      for (const target of targets) {
        const tuning = ctx.input(tuningSpec, target);
        const compiled: VmExecutable[] = [];
        for (const [i, region] of plan.regions.entries()) {
          try {
            compiled.push(await ctx.get(q.executable, executableKey(region, target, tuning)));
          } catch (e) {
            throw nameDispatch(e, firstDispatchNodes(planned, i));
          }
        }
        programs.push(linkProgram(target, planned, compiled, schedule));
      }
      const rodata: string[] = [];
      const constantBytes = (hash: string): Uint8Array => {
        // Refuses what a device cannot hold, here rather than when the file is written.
        if (ir.constants.get(hash)?.type.dtype === 'string') throw new IreetsError('MODEL_UNSUPPORTED', 'string constants cannot live on a device');
        rodata.push(hash);
        return new Uint8Array(0);
      };
      const vm = linkModule({ mod: ir, programs, constantBytes, batchSymbol: imported.batchSymbol, signature: imported.signature });
      return { vm: { ...vm, rodata: [] }, rodata };
    },
  });
}

/**
 * The same file as pieces that view the constants' bytes instead of copying them; not sealed yet
 * (sealModule). With `external`, the constants it names stay out (bytesOf is not asked for them).
 */
export function layoutLinkedModule(linked: LinkedModule, bytesOf: (hash: string) => Uint8Array, external?: ExternalParameters): ModuleFileLayout {
  const rodata = linked.rodata.map((hash, i) => (external?.keys[i] === undefined ? bytesOf(hash) : new Uint8Array(0)));
  return layoutModule({ ...linked.vm, rodata }, external);
}

/** One target's host program: executables in order of first use, deduplicated by code, as compileOnnx links them. */
function linkProgram(target: Target, planned: PlannedGraph, compiled: readonly VmExecutable[], schedule: Schedule): TargetProgram {
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
  return { target, main: link(planned), schedule, executables };
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
