/**
 * Cancellation sources the engine waits under: a task's own controller, or a caller's
 * AbortSignal. Callbacks live in a Set rather than as signal listeners, so thousands of waits
 * on one task don't trip Node's listener-leak warning.
 */
import { IreetsError } from '../util/errors.js';

export interface Canceller {
  readonly aborted: boolean;
  readonly reason: IreetsError;
  /** Registers cb for abort; returns the unregister function. */
  onAbort(cb: () => void): () => void;
}

export function cancelledError(reason: string, culprit?: string): IreetsError {
  return new IreetsError('QUERY_CANCELLED', `cancelled: ${reason}`, culprit);
}

export function isCancellation(e: unknown): boolean {
  return e instanceof IreetsError && e.code === 'QUERY_CANCELLED';
}

/** Adapts a caller's AbortSignal. */
export function signalCanceller(signal: AbortSignal, culprit?: string): Canceller {
  const reason = () =>
    signal.reason instanceof IreetsError && signal.reason.code === 'QUERY_CANCELLED'
      ? signal.reason
      : cancelledError('the request was aborted', culprit);
  return {
    get aborted() {
      return signal.aborted;
    },
    get reason() {
      return reason();
    },
    onAbort(cb) {
      signal.addEventListener('abort', cb, { once: true });
      return () => signal.removeEventListener('abort', cb);
    },
  };
}

/** Settles like `promise`, or rejects with the cancellation as soon as `canceller` aborts. */
export function raceCancel<T>(promise: Promise<T>, canceller: Canceller | undefined): Promise<T> {
  if (!canceller) return promise;
  if (canceller.aborted) return Promise.reject(canceller.reason);
  return new Promise<T>((resolve, reject) => {
    const off = canceller.onAbort(() => reject(canceller.reason));
    promise.then(
      (v) => {
        off();
        resolve(v);
      },
      (e: unknown) => {
        off();
        reject(e);
      },
    );
  });
}
