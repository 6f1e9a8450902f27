// A strategy's analysis of a region (operand access fitted over the whole index grid: the costly
// part of lowering), remembered per region object: the tuning space and the tuner lower the same
// region once per candidate, and the knobs never change what the analysis finds.
import type { DispatchRegion } from '../../ir/partition.js';

export function memoByRegion<T>(analyse: (region: DispatchRegion) => T): (region: DispatchRegion) => T {
  const cache = new WeakMap<DispatchRegion, { value: T }>();
  return (region) => {
    let hit = cache.get(region);
    if (!hit) {
      hit = { value: analyse(region) };
      cache.set(region, hit);
    }
    return hit.value;
  };
}
