// The regions of a compiled model as a table: for each distinct region, its key, labels, how
// many dispatches run it, and per target the hash of its executable (the module names
// executables by that hash, so a runtime dispatch maps back to its region). What `ireets tune`
// and `ireets bench --dispatch` print and pick from.
import type { Database } from '../../graph/database.js';
import type { SerializedRegion } from '../../ir/serialize.js';
import type { Target } from '../compile-pipeline.js';
import { executableKey } from './executable.js';
import type { CompilerQueries } from './index.js';
import { dispatchesPerRegion } from './partition.js';
import { regionLabel } from './region-label.js';
import type { TuningSpec } from './tuning.js';

export interface RegionInfo {
  regionKey: string;
  summary: string;
  /** e.g. "conv 3x3, 96→96". */
  label: string;
  /** Dispatches of one run that use this region. */
  dispatches: number;
  /** The region's canonical body (what its executable is compiled from). */
  body: SerializedRegion;
  /** Executable hash per target, under the tuning given. */
  executables: Partial<Record<Target, string>>;
}

/** Needs a build of `path` for these targets and tuning first (it reads that build's results). */
export async function regionTable(db: Database, q: CompilerQueries, path: string, targets: readonly Target[], tuning: TuningSpec): Promise<RegionInfo[]> {
  const plan = await db.get(q.partition, path);
  const uses = dispatchesPerRegion(plan);
  const rows: RegionInfo[] = [];
  for (const [i, r] of plan.regions.entries()) {
    const executables: Partial<Record<Target, string>> = {};
    for (const t of targets) executables[t] = (await db.get(q.executable, executableKey(r, t, tuning))).hash;
    rows.push({ regionKey: r.key, summary: r.summary, label: regionLabel(r.body), dispatches: uses[i]!, body: r.body, executables });
  }
  return rows;
}
