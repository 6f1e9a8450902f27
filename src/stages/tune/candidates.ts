// The candidates `ireets tune` tries for one region on one target: the strategy's tuning space
// (which knobs its kernel reads, which values make sense for this region and target), multiplied
// out. Each candidate holds only the knobs it changes from the default, so a candidate equal to
// the default never appears and cache keys stay canonical. Single-knob changes come first: with a
// budget too small for the whole space, the tuner has at least walked every axis once.
import type { KernelTuning, KnobValue, TuningSpace } from '../../codegen/kernel-tuning.js';
import { cpuTuningSpace } from '../../codegen/strategies/tuning-space.js';
import { gpuTuningSpace } from '../../codegen/gpu/tuning-space.js';
import { deserializeRegion, type SerializedRegion } from '../../ir/serialize.js';
import type { Target } from '../compile-pipeline.js';

export function regionTuningSpace(body: SerializedRegion, target: Target): TuningSpace {
  const region = deserializeRegion(body);
  return target === 'cpu' ? cpuTuningSpace(region) : gpuTuningSpace(region);
}

/** Every combination of the space's values except the default, fewest changed knobs first. */
export function enumerateCandidates(space: TuningSpace, limit = 256): KernelTuning[] {
  let combos: { tuning: Record<string, KnobValue>; changed: number }[] = [{ tuning: {}, changed: 0 }];
  for (const knob of space.knobs) {
    const next: typeof combos = [];
    for (const c of combos) {
      knob.values.forEach((v, i) => {
        // values[0] is the default: leave the knob out.
        next.push(i === 0 ? c : { tuning: { ...c.tuning, [knob.name]: v }, changed: c.changed + 1 });
      });
    }
    combos = next;
  }
  return combos
    .filter((c) => c.changed > 0)
    .sort((a, b) => a.changed - b.changed)
    .slice(0, limit)
    .map((c) => c.tuning as KernelTuning);
}

/** `tileRows=6 unroll=2`, or `default`. */
export function formatTuning(t: KernelTuning): string {
  const parts = Object.entries(t).map(([k, v]) => `${k}=${String(v)}`);
  return parts.length > 0 ? parts.join(' ') : 'default';
}
