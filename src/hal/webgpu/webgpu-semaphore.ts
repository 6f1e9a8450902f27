import type { HalSemaphore } from '../types.js';

/**
 * A timeline semaphore signalled from the GPU queue's completion callbacks. Unlike the CPU's, it
 * can fail: a submission the GPU rejected (validation, out of memory, device lost) rejects every
 * wait at or past its value instead of hanging.
 */
export class GpuTimelineSemaphore implements HalSemaphore {
  private current: number;
  private failure: Error | undefined;
  private failedAt = Infinity;
  private waiters: { value: number; resolve: () => void; reject: (e: Error) => void }[] = [];

  constructor(initial = 0) {
    this.current = initial;
  }

  get value(): number {
    return this.current;
  }

  signal(value: number): void {
    if (value < this.current) throw new Error(`semaphore cannot go back from ${this.current} to ${value}`);
    this.current = value;
    this.settle();
  }

  fail(value: number, error: Error): void {
    if (value < this.failedAt) {
      this.failedAt = value;
      this.failure = error;
    }
    this.settle();
  }

  wait(value: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ value, resolve, reject });
      this.settle();
    });
  }

  private settle(): void {
    const pending: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (this.current >= w.value) w.resolve();
      else if (this.failure && w.value >= this.failedAt) w.reject(this.failure);
      else pending.push(w);
    }
    this.waiters = pending;
  }
}
