// schedule(path): buffers, arena offsets, order and barriers of the main graph's steps. Target
// independent; it reads the IR (for sizes and constants) and the partition plan.
import { scheduleSteps, type Schedule } from '../../codegen/schedule.js';
import { defineQuery, type DerivedQuery } from '../../graph/query.js';
import { importedModule, type ImportModelQuery } from './import-model.js';
import { plannedGraph, type PartitionQuery } from './partition.js';

export type ScheduleQuery = DerivedQuery<string, Schedule>;

export function defineSchedule(version: string, importModel: ImportModelQuery, partition: PartitionQuery): ScheduleQuery {
  return defineQuery<string, Schedule>({
    name: 'schedule',
    version,
    compute: async (ctx, path) => {
      const imported = await ctx.get(importModel, path);
      const plan = await ctx.get(partition, path);
      const ir = importedModule(imported);
      // Schedule is plain data (its placements a Map by value id): it is stored as is.
      return scheduleSteps(ir, plannedGraph(ir, plan).steps, new Set(imported.batched));
    },
  });
}
