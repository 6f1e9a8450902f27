/**
 * A slot being brought up to date by a task. Waiters register callbacks rather than awaiting a
 * promise of ours: a verification walk claims and settles thousands of slots that nobody
 * waits on, and a promise per slot (plus one per wait to race it against cancellation) would
 * dominate both that walk and the cost of executing a small query.
 */
import type { Memo } from './slots.js';
import type { Task } from './task.js';

type Outcome = { memo: Memo } | { error: unknown };
export interface Listener {
  onMemo(memo: Memo): void;
  onError(error: unknown): void;
}

export class InFlight {
  private settled: Outcome | undefined;
  private listeners: Listener[] | undefined;

  constructor(readonly task: Task) {}

  /** Calls back once, in a later microtask (never from inside settle), with the outcome. */
  listen(listener: Listener): void {
    if (this.settled) deliver(this.settled, [listener]);
    else (this.listeners ??= []).push(listener);
  }

  resolve(memo: Memo): void {
    this.settle({ memo });
  }

  reject(error: unknown): void {
    this.settle({ error });
  }

  private settle(outcome: Outcome): void {
    if (this.settled) return;
    this.settled = outcome;
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners) deliver(outcome, listeners);
  }
}

function deliver(outcome: Outcome, listeners: readonly Listener[]): void {
  queueMicrotask(() => {
    for (const l of listeners) {
      if ('memo' in outcome) l.onMemo(outcome.memo);
      else l.onError(outcome.error);
    }
  });
}
