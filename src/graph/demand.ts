/** Requests: bring a slot up to date (sharing in-flight work), then produce its value. */
import type { Canceller } from './cancellation.js';
import { cycleError, findWaitPath } from './cycle.js';
import { runTask } from './run-task.js';
import { KEY_UNAVAILABLE, NO_REVISION, type DerivedSlot, type Memo } from './slots.js';
import type { GraphState } from './state.js';
import { Task } from './task.js';
import { waitFor } from './wait.js';
import { IreetsError } from '../util/errors.js';

/** The memo of slot, valid at the current revision. `waiter` is the slot whose compute asks. */
export function demand(s: GraphState, slot: DerivedSlot, waiter: DerivedSlot | undefined, canceller: Canceller | undefined): Promise<Memo> {
  const memo = slot.memo;
  if (memo && memo.verifiedAt === s.revision) return Promise.resolve(memo);
  if (slot.failure && slot.failure.revision === s.revision) return Promise.reject(slot.failure.error);
  let inflight = slot.inflight;
  if (!inflight) {
    const task = new Task(s.revision, slot);
    inflight = task.claim(slot);
    void runTask(s, task, slot, demandValue); // registers in s.liveTasks while it runs
  } else if (waiter) {
    const path = findWaitPath(slot, waiter);
    if (path) return Promise.reject(cycleError([...path, slot])); // from the first slot entered back to it
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
    let memo: Memo;
    try {
      memo = await demand(s, slot, waiter, canceller);
    } catch (e) {
      // Another task met this slot keyless and gave up on it; we have the key: run it again.
      if (e === KEY_UNAVAILABLE && slot.hasKey) continue;
      throw e;
    }
    if (memo.loaded) return retained(s, slot, { memo, value: memo.value });
    const found = s.store.readValue(memo.valueFp);
    if (found.found) {
      memo.value = found.value;
      memo.loaded = true;
      return retained(s, slot, { memo, value: memo.value });
    }
    if (found.problem) s.problems.next(found.problem);
    // Corrupt or collected: the memo is right but its value is gone; run the compute again.
    memo.valueLost = true;
    memo.verifiedAt = NO_REVISION;
    memo.persisted = false;
  }
  throw new IreetsError('INTERNAL', 'value still missing after recomputing it', slot.display());
}

/** Notes the use of a retain-query's value (the engine keeps those within a budget). */
function retained(s: GraphState, slot: DerivedSlot, produced: Produced): Produced {
  const policy = slot.query.retain;
  if (policy) s.retained.used(slot, policy.sizeOf(produced.value));
  return produced;
}
