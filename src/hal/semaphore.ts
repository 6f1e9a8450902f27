import type { HalSemaphore } from './types.js';

/** A timeline semaphore in host memory, for drivers whose queues complete on the JS side. */
export class TimelineSemaphore implements HalSemaphore {
  private current: number;
  private waiters: { value: number; resolve: () => void }[] = [];

  constructor(initial = 0) {
    this.current = initial;
  }

  get value(): number {
    return this.current;
  }

  signal(value: number): void {
    if (value < this.current) throw new Error(`semaphore cannot go back from ${this.current} to ${value}`);
    this.current = value;
    const ready = this.waiters.filter((w) => w.value <= value);
    this.waiters = this.waiters.filter((w) => w.value > value);
    for (const w of ready) w.resolve();
  }

  wait(value: number): Promise<void> {
    if (this.current >= value) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ value, resolve }));
  }
}
