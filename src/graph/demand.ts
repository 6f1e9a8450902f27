/** Requests: bring a slot up to date (sharing in-flight work), then produce its value. */
import type { Canceller } from './cancellation.js';
import { cycleError, findWaitPath } from './cycle.js';
import { runTask } from './runTask.js';
import { NO_REVISION, type DerivedSlot, type Memo } from './slots.js';
import type { GraphState } from './state.js';
import { Task } from './task.js';
import { waitFor } from './wait.js';
import { IreetsError } from '../util/errors.js';

/** The memo of slot, valid at the current revision. `waiter` is the slot whose compute asks. */
export async function demand(
  s: GraphState,
  slot: DerivedSlot,
  waiter: DerivedSlot | undefined,
  canceller: Canceller | undefined,
): Promise<Memo> {
  const memo = slot.memo;
  if (memo && memo.verifiedAt === s.revision) return memo;
  if (slot.failure && slot.failure.revision === s.revision) throw slot.failure.error;
  let inflight = slot.inflight;
  if (!inflight) {
    const task = new Task(s.revision, slot);
    inflight = task.claim(slot);
    s.liveTasks.add(task);
    void runTask(s, task, slot, demandValue).finally(() => s.liveTasks.delete(task));
  } else if (waiter) {
    const path = findWaitPath(slot, waiter);
    if (path) throw cycleError([...path, slot]); // from the first slot entered back to it
  }
  return waitFor(inflight, slot, waiter, canceller);
}

export interface Produced {
  memo: Memo;
  value: unknown;
}

/** demand, then the value: loaded lazily from the store, recomputed if the store can't give it. */
export async function demandValue(
  s: GraphState,
  slot: DerivedSlot,
  waiter: DerivedSlot | undefined,
  canceller: Canceller | undefined,
): Promise<Produced> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const memo = await demand(s, slot, waiter, canceller);
    if (memo.loaded) return { memo, value: memo.value };
    const found = s.store.readValue(memo.valueFp);
    if (found.found) {
      memo.value = found.value;
      memo.loaded = true;
      return { memo, value: memo.value };
    }
    if (found.problem) s.problems.next(found.problem);
    // Corrupt or collected: the memo is right but its value is gone; run the compute again.
    memo.valueLost = true;
    memo.verifiedAt = NO_REVISION;
    memo.persisted = false;
  }
  throw new IreetsError('INTERNAL', 'value still missing after recomputing it', slot.display());
}
