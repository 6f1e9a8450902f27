// The compiler as queries of the build graph. Built once per process, on first use: their
// version salts hash the compiler's source (salt.ts), which takes a few milliseconds to read.
import type { AnyQuery } from '../../graph/query.js';
import { defineConstantData, type ConstantDataQuery } from './constants.js';
import { defineExecutable, type ExecutableQuery } from './executable.js';
import { defineImportModel, type ImportModelQuery } from './import-model.js';
import { defineModule, type ModuleQuery } from './module.js';
import { definePartition, type PartitionQuery } from './partition.js';
import { formatSalt, sourceSalt } from './salt.js';
import { defineSchedule, type ScheduleQuery } from './schedule.js';

export interface CompilerQueries {
  importModel: ImportModelQuery;
  /** A weight's bytes by content hash: what the module file needs beside the linked module. */
  constantData: ConstantDataQuery;
  partition: PartitionQuery;
  executable: ExecutableQuery;
  schedule: ScheduleQuery;
  module: ModuleQuery;
  /** All of them, for `new Database({queries})`: a fresh process verifies through known queries only. */
  all: readonly AnyQuery[];
}

/** Stage names in pipeline order, as --explain lists them. */
export const STAGES = ['importModel', 'partition', 'executable', 'schedule', 'module'] as const;
export type StageName = (typeof STAGES)[number];

let queries: CompilerQueries | undefined;

export function compilerQueries(): CompilerQueries {
  if (queries) return queries;
  // Import ends with packWeights (src/codegen): its salt must change with that code too.
  const importModel = defineImportModel(sourceSalt(['frontend', 'ir', 'codegen', 'util', 'stages']));
  // Content-addressed: the bytes under a hash never change meaning, whatever the compiler's version.
  const constantData = defineConstantData(formatSalt('tensor'));
  const partition = definePartition(sourceSalt(['ir', 'codegen', 'util', 'stages']), importModel);
  const executable = defineExecutable(sourceSalt(['ir', 'codegen', 'util', 'stages']));
  const schedule = defineSchedule(sourceSalt(['ir', 'codegen', 'util', 'stages']), importModel, partition);
  const module = defineModule(sourceSalt(['ir', 'codegen', 'util', 'stages', 'vm']), { importModel, partition, schedule, executable });
  queries = {
    importModel,
    constantData,
    partition,
    executable,
    schedule,
    module,
    all: [importModel, constantData, partition, executable, schedule, module],
  };
  return queries;
}

export { modelFile, tuningSpec } from './inputs.js';
export { executableKey, type ExecutableKey } from './executable.js';
export type { ImportedModel, WeightRef } from './import-model.js';
export type { LinkedModule, ModuleKey } from './module.js';
export { materializePlan, planPartition, type GraphPlan, type PartitionPlan, type PlannedGraph, type RegionEntry, type StepPlan } from './partition.js';
export { checkTuningSpec, tuningForRegion, type RegionTuning, type TuningSpec } from './tuning.js';
