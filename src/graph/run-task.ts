/**
 * Red-green verification and execution as one loop over an explicit stack, so dependency
 * chains of any depth are walked without JS recursion. Each frame is a slot this task owns:
 * it is verified dependency by dependency in recorded order (pushing a frame for a dependency
 * that needs work), executed when red, and popped when up to date. Only executions and waits on
 * other tasks await; a green walk over in-memory or persisted memos runs synchronously.
 */
import { isCancellation } from './cancellation.js';
import { findWaitPath } from './cycle.js';
import { Durability, minDurability } from './durability.js';
import { execute, type ReadFn } from './execute.js';
import type { QueryOutcome } from './events.js';
import { KEY_UNAVAILABLE, NO_REVISION, addWait, removeWait, type Dep, type DerivedSlot, type Memo } from './slots.js';
import type { GraphState } from './state.js';
import type { Task } from './task.js';
import { waitFor } from './wait.js';

interface Frame {
  readonly slot: DerivedSlot;
  /** The memo being verified; undefined once red (or if there never was one): execute. */
  candidate: Memo | undefined;
  /** Index of the next dependency to check. */
  next: number;
  durability: Durability;
  readonly start: number;
}

function newFrame(s: GraphState, slot: DerivedSlot): Frame {
  // Timings are for events; nobody listening (a plain build) means no clock reads.
  return { slot, candidate: s.candidateMemo(slot), next: 0, durability: Durability.HIGH, start: s.events.observed ? performance.now() : 0 };
}

/** A dependency came back as depMemo: green if its fingerprint is the recorded one. */
function compare(f: Frame, dep: Dep, depMemo: Memo): void {
  if (depMemo.valueFp === dep.fingerprint) {
    f.next++;
    f.durability = minDurability(f.durability, depMemo.durability);
  } else {
    f.candidate = undefined;
  }
}

export async function runTask(s: GraphState, task: Task, root: DerivedSlot, read: ReadFn): Promise<void> {
  s.liveTasks.add(task);
  // Start on a fresh JS stack: a compute awaiting ctx.get must not nest engine frames.
  await undefined;
  const stack: Frame[] = [];

  const done = (f: Frame, memo: Memo, outcome: QueryOutcome): void => {
    stack.pop();
    f.slot.memo = memo;
    f.slot.failure = undefined;
    task.settle(f.slot, { memo });
    s.emit(f.slot, outcome, f.start === 0 ? 0 : performance.now() - f.start);
    const parent = stack[stack.length - 1];
    if (parent) {
      removeWait(parent.slot, f.slot);
      compare(parent, parent.candidate!.deps[parent.next]!, memo);
    }
  };

  try {
    if (task.aborted) return;
    stack.push(newFrame(s, root));
    while (stack.length > 0) {
      if (task.aborted) return;
      const f = stack[stack.length - 1]!;
      const memo = f.candidate;

      if (!memo) {
        if (!f.slot.hasKey && !s.recoverKey(f.slot)) {
          // Met as a persisted dependency, red, and its key is gone from the store: give up on
          // it; the dependant turns red, and its re-run names this slot with the key.
          stack.pop();
          task.settle(f.slot, { error: KEY_UNAVAILABLE });
          const parent = stack[stack.length - 1];
          if (parent) {
            removeWait(parent.slot, f.slot);
            parent.candidate = undefined;
          }
          continue;
        }
        let fresh: Memo;
        try {
          fresh = await execute(s, task, f.slot, read);
        } catch (error) {
          if (task.aborted) return;
          // A failure is this slot's result for the revision; dependants that were verifying
          // turn red and re-run, meeting the same failure (or handling it) in their compute.
          stack.pop();
          if (!isCancellation(error)) f.slot.failure = { revision: task.revision, error };
          task.settle(f.slot, { error });
          const parent = stack[stack.length - 1];
          if (parent) {
            removeWait(parent.slot, f.slot);
            parent.candidate = undefined;
          }
          continue;
        }
        if (task.aborted) return;
        done(f, fresh, 'executed');
        continue;
      }

      // Durability shortcut: nothing this memo could depend on changed since it was verified.
      if (f.next === 0 && memo.verifiedAt !== NO_REVISION && s.lastChanged[memo.durability]! <= memo.verifiedAt) {
        memo.verifiedAt = task.revision;
        done(f, memo, 'reused');
        continue;
      }

      if (f.next === memo.deps.length) {
        memo.verifiedAt = task.revision;
        memo.durability = f.durability;
        done(f, memo, 'verified');
        continue;
      }

      const dep = memo.deps[f.next]!;
      if (dep.input) {
        const input = s.inputs.get(dep.query, dep.keyHash);
        if (input && input.fingerprint === dep.fingerprint) {
          f.next++;
          f.durability = minDurability(f.durability, input.durability);
        } else {
          f.candidate = undefined;
        }
        continue;
      }

      const depSlot = s.slotForDep(dep);
      if (!depSlot) {
        f.candidate = undefined; // its query is not registered here: only a re-run can tell
        continue;
      }
      const depMemo = depSlot.memo;
      if (depMemo && depMemo.verifiedAt === task.revision) {
        compare(f, dep, depMemo);
        continue;
      }
      if (depSlot.failure?.revision === task.revision) {
        f.candidate = undefined;
        continue;
      }
      if (depSlot.inflight) {
        // Old memos that loop back (code changed under them) are not a cycle yet: re-run and
        // let the compute's own reads decide.
        if (depSlot.inflight.task === task || findWaitPath(depSlot, f.slot)) {
          f.candidate = undefined;
          continue;
        }
        try {
          const m = await waitFor(depSlot.inflight, depSlot, f.slot, task);
          if (task.aborted) return;
          compare(f, dep, m);
        } catch {
          if (task.aborted) return;
          f.candidate = undefined;
        }
        continue;
      }
      const child = newFrame(s, depSlot);
      if (!child.candidate && !s.recoverKey(depSlot)) {
        f.candidate = undefined; // can't run it without its key; the parent's re-run supplies it
        continue;
      }
      task.claim(depSlot);
      addWait(f.slot, depSlot);
      stack.push(child);
    }
  } catch (error) {
    // An engine fault (e.g. the store failing): fail every frame rather than leave waiters hanging.
    if (stack.length === 0) task.settle(root, { error });
    for (const f of stack) task.settle(f.slot, { error });
  } finally {
    task.finish();
    s.liveTasks.delete(task);
  }
}
