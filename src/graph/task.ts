/**
 * One unit of engine work: bringing a root slot (and the dependencies it verifies on the way)
 * up to date. Frames it owns are in flight under it; anyone waiting on one of them holds a
 * reference, and when the last reference goes — or an input changes — the task is cancelled:
 * its frames are rejected at once and it leaves no memo behind.
 */
import { cancelledError, type Canceller } from './cancellation.js';
import { InFlight } from './inflight.js';
import type { DerivedSlot, Memo } from './slots.js';
import type { IreetsError } from '../util/errors.js';

export class Task implements Canceller {
  /** Created on first use of `signal`: most computes never look at it. */
  private controller: AbortController | undefined;
  private abortReason: IreetsError | undefined;
  /** Made on first use, like owned: most tasks execute one query that nobody cancels. */
  private callbacks: Set<() => void> | undefined;
  private refs = 0;
  private finished = false;
  /**
   * Slots whose in-flight record belongs to this task: its root, then its stack of frames, so
   * claims and settles come and go in LIFO order (an array, not a Set).
   */
  private owned: DerivedSlot[] = [];

  constructor(
    readonly revision: number,
    private readonly root: DerivedSlot,
  ) {}

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortReason) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.abortReason !== undefined;
  }

  get reason(): IreetsError {
    return this.abortReason!;
  }

  onAbort(cb: () => void): () => void {
    const callbacks = (this.callbacks ??= new Set());
    callbacks.add(cb);
    return () => callbacks.delete(cb);
  }

  retain(): void {
    this.refs++;
  }

  release(): void {
    if (--this.refs === 0 && !this.finished) this.abort(cancelledError('no one is waiting for the result', this.root.display()));
  }

  finish(): void {
    this.finished = true;
    this.callbacks = undefined;
  }

  abort(reason: IreetsError): void {
    if (this.aborted || this.finished) return;
    this.abortReason = reason;
    this.controller?.abort(reason);
    for (const slot of this.owned) {
      const inflight = slot.inflight;
      if (inflight?.task === this) {
        slot.inflight = undefined;
        inflight.reject(reason);
      }
      slot.waitsOn = undefined;
      slot.waitsOnFrame = undefined;
    }
    this.owned = [];
    for (const cb of [...(this.callbacks ?? [])]) cb();
    this.callbacks = undefined;
  }

  /** Marks slot as in flight under this task. */
  claim(slot: DerivedSlot): InFlight {
    const inflight = new InFlight(this);
    slot.inflight = inflight;
    this.owned.push(slot);
    return inflight;
  }

  settle(slot: DerivedSlot, outcome: { memo: Memo } | { error: unknown }): void {
    const inflight = slot.inflight;
    if (inflight?.task !== this) return;
    slot.inflight = undefined;
    slot.waitsOn = undefined;
    slot.waitsOnFrame = undefined;
    const owned = this.owned;
    if (owned[owned.length - 1] === slot) owned.pop();
    else owned.splice(owned.lastIndexOf(slot), 1);
    if ('memo' in outcome) inflight.resolve(outcome.memo);
    else inflight.reject(outcome.error);
  }
}
