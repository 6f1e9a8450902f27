/**
 * Red-green verification and execution as one loop over an explicit stack, so dependency
 * chains of any depth are walked without JS recursion. Each frame is a slot this task owns:
 * it is verified dependency by dependency in recorded order (pushing a frame for a dependency
 * that needs work), executed when red, and popped when up to date. Only executions and waits on
 * other tasks await; a green walk over in-memory or persisted memos runs synchronously.
 */
import { isCancellation } from './cancellation.js';
import { coldIsCurrent, inputsMatch, loadDependency, promote } from './cold.js';
import { findWaitPath } from './cycle.js';
import { Durability, minDurability } from './durability.js';
import { execute, type ReadFn } from './execute.js';
import type { QueryOutcome } from './events.js';
import { KEY_UNAVAILABLE, NO_REVISION, type DerivedSlot, type Memo } from './slots.js';
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

/**
 * Walks f's dependencies from f.next, in one tight loop, while each is an input or a cold
 * memo (see slot-index.ts; loaded now if never met) at its recorded fingerprint: the bulk of
 * a fresh process's verification, kept out of the frame loop. Returns the slot of the
 * dependency it stopped at, for the frame loop to verify or run; undefined when it went
 * through them all, or met a red one (f.candidate is then undefined).
 */
function advance(s: GraphState, f: Frame, revision: number): DerivedSlot | undefined {
  const deps = f.candidate!.deps;
  const n = deps.length;
  const index = s.index;
  while (f.next < n) {
    const i = f.next;
    if (deps.isInput(i)) {
      const input = s.inputs.getByWords(deps.query(i), deps.keyHashHigh(i), deps.keyHashLow(i));
      if (!input || input.fingerprintLow !== deps.fingerprintLow(i) || input.fingerprintHigh !== deps.fingerprintHigh(i)) {
        f.candidate = undefined;
        return undefined;
      }
      f.next++;
      f.durability = minDurability(f.durability, input.slot.durability);
      continue;
    }
    // Found by the key hash's words, not its string.
    const id = s.derivedId(deps.query(i));
    if (id < 0) {
      f.candidate = undefined; // its query is not registered here: only a re-run can tell
      return undefined;
    }
    const high = deps.keyHashHigh(i);
    const low = deps.keyHashLow(i);
    let e = index.find(id, high, low);
    if (e < 0) {
      const loaded = loadDependency(s, deps, i, id, high, low, revision);
      if (typeof loaded !== 'number') return loaded;
      e = loaded;
    } else {
      const slot = index.slot[e];
      if (slot) return slot;
      if (!coldIsCurrent(s, e, revision)) return promote(s, e);
    }
    if (deps.fingerprintLow(i) !== index.valueLow[e] || deps.fingerprintHigh(i) !== index.valueHigh[e]) {
      f.candidate = undefined;
      return undefined;
    }
    f.next++;
    f.durability = minDurability(f.durability, index.durability[e] as Durability);
  }
  return undefined;
}

/** The dependency f is at came back as depMemo: green if its fingerprint is the recorded one. */
function compare(f: Frame, depMemo: Memo): void {
  if (f.candidate!.deps.fingerprintIs(f.next, depMemo.valueFp)) {
    f.next++;
    f.durability = minDurability(f.durability, depMemo.durability);
  } else {
    f.candidate = undefined;
  }
}

/**
 * Verifies on the spot a dependency whose memo reads inputs only (most memos of a large graph
 * are such leaves): no frame and nothing put in flight, as the walk does not yield before it
 * is settled, so no other task could see it in between. undefined: walk it with a frame
 * (it reads derived queries, is red, or has no memo to verify).
 */
function verifyInputsOnly(s: GraphState, slot: DerivedSlot, revision: number): Memo | undefined {
  const memo = s.candidateMemo(slot);
  if (!memo) return undefined;
  // An older memo that the durability shortcut may reuse takes the frame path, which says so.
  if (memo.verifiedAt !== NO_REVISION && s.lastChanged[memo.durability]! <= memo.verifiedAt) return undefined;
  const durability = inputsMatch(s, memo.deps);
  if (durability === -1) return undefined;
  memo.verifiedAt = revision;
  memo.durability = durability;
  return memo;
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
      parent.slot.waitsOnFrame = undefined;
      compare(parent, memo);
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
            parent.slot.waitsOnFrame = undefined;
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
            parent.slot.waitsOnFrame = undefined;
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

      // Inputs and cold memos in one tight loop; then the dependency it stopped at, if any.
      const depSlot = advance(s, f, task.revision);
      if (!depSlot) continue;
      const depMemo = depSlot.memo;
      if (depMemo && depMemo.verifiedAt === task.revision) {
        compare(f, depMemo);
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
          compare(f, m);
        } catch {
          if (task.aborted) return;
          f.candidate = undefined;
        }
        continue;
      }
      const start = s.events.observed ? performance.now() : 0;
      const green = verifyInputsOnly(s, depSlot, task.revision);
      if (green) {
        depSlot.failure = undefined;
        s.emit(depSlot, 'verified', start === 0 ? 0 : performance.now() - start);
        compare(f, green);
        continue;
      }
      const child = newFrame(s, depSlot);
      if (!child.candidate && !s.recoverKey(depSlot)) {
        f.candidate = undefined; // can't run it without its key; the parent's re-run supplies it
        continue;
      }
      task.claim(depSlot);
      f.slot.waitsOnFrame = depSlot;
      stack.push(child);
    }
  } catch (error) {
    // An engine fault (e.g. the store failing): fail every frame rather than leave waiters hanging.
    if (stack.length === 0) task.settle(root, { error });
    for (let i = stack.length - 1; i >= 0; i--) task.settle(stack[i]!.slot, { error });
  } finally {
    task.finish();
    s.liveTasks.delete(task);
  }
}
