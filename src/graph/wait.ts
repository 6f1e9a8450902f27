import type { Canceller } from './cancellation.js';
import type { InFlight, Listener } from './inflight.js';
import { addWait, removeWait, type DerivedSlot, type Memo } from './slots.js';

/**
 * Waits for another task's in-flight slot: holds a reference on that task (so it is not
 * cancelled under us) and records the wait-for edge (so cycles are seen) for the duration.
 * Rejects with the canceller's reason as soon as it aborts.
 */
export function waitFor(inflight: InFlight, slot: DerivedSlot, waiter: DerivedSlot | undefined, canceller: Canceller | undefined): Promise<Memo> {
  if (canceller?.aborted) return Promise.reject(canceller.reason);
  inflight.task.retain();
  if (waiter) addWait(waiter, slot);
  return new Promise<Memo>((resolve, reject) => new Wait(inflight, slot, waiter, canceller, resolve, reject));
}

/** One wait's state; a class rather than closures, as every executed query makes one. */
class Wait implements Listener {
  private done = false;
  private readonly offAbort: (() => void) | undefined;

  constructor(
    private readonly inflight: InFlight,
    private readonly slot: DerivedSlot,
    private readonly waiter: DerivedSlot | undefined,
    private readonly canceller: Canceller | undefined,
    private readonly resolve: (memo: Memo) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    this.offAbort = canceller?.onAbort(() => this.onError(this.canceller!.reason));
    inflight.listen(this);
  }

  onMemo(memo: Memo): void {
    if (this.finish()) this.resolve(memo);
  }

  onError(error: unknown): void {
    if (this.finish()) this.reject(error);
  }

  private finish(): boolean {
    if (this.done) return false;
    this.done = true;
    this.offAbort?.();
    if (this.waiter) removeWait(this.waiter, this.slot);
    this.inflight.task.release();
    return true;
  }
}
