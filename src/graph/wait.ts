import { raceCancel, type Canceller } from './cancellation.js';
import { addWait, removeWait, type DerivedSlot, type InFlight, type Memo } from './slots.js';

/**
 * Waits for another task's in-flight slot: holds a reference on that task (so it is not
 * cancelled under us) and records the wait-for edge (so cycles are seen) for the duration.
 */
export async function waitFor(
  inflight: InFlight,
  slot: DerivedSlot,
  waiter: DerivedSlot | undefined,
  canceller: Canceller | undefined,
): Promise<Memo> {
  inflight.task.retain();
  if (waiter) addWait(waiter, slot);
  try {
    return await raceCancel(inflight.promise, canceller);
  } finally {
    if (waiter) removeWait(waiter, slot);
    inflight.task.release();
  }
}
