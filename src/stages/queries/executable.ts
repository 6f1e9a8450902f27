// executable({region, target, tuning}): one region body compiled for one target. Keyed by
// content alone (the body is canonical: no names, weights excluded), so it reads nothing else:
// every model holding an equal region shares the result, and identical layers compile once.
import { defineQuery, type DerivedQuery } from '../../graph/query.js';
import { deserializeRegion, type SerializedRegion } from '../../ir/serialize.js';
import type { VmExecutable } from '../../vm/module.js';
import { compileRegion, type Target } from '../compile-pipeline.js';
import { tuningForRegion, type RegionTuning, type TuningSpec } from './tuning.js';

export interface ExecutableKey {
  region: SerializedRegion;
  target: Target;
  /** Only the tuning that applies to this region. */
  tuning: RegionTuning;
}

export type ExecutableQuery = DerivedQuery<ExecutableKey, VmExecutable>;

export function defineExecutable(version: string): ExecutableQuery {
  return defineQuery<ExecutableKey, VmExecutable>({
    name: 'executable',
    version,
    compute: (_ctx, key) => compileRegion(deserializeRegion(key.region), key.target, key.tuning),
  });
}

/** The key of a region's executable: what `module` asks for and `--explain` looks up. */
export function executableKey(region: { key: string; body: SerializedRegion }, target: Target, spec: TuningSpec): ExecutableKey {
  return { region: region.body, target, tuning: tuningForRegion(spec, region.key, target) };
}
