import { Worker } from 'node:worker_threads';
import { CTRL, CTRL_SLOTS, type FromWorker, type ToWorker } from './pool-protocol.js';

/**
 * Persistent worker threads that share the dispatching thread's wasm memory. A dispatch is
 * announced through an Int32Array control block (no message per dispatch, no thread start-up);
 * every thread, the caller included, claims workgroups with an atomic counter.
 */
export class WorkerPool {
  readonly ctrl = new Int32Array(new SharedArrayBuffer(CTRL_SLOTS * 4));
  private readonly workers: Worker[] = [];
  private errors: string[] = [];

  private constructor(readonly size: number) {}

  static async start(workerCount: number, memory: WebAssembly.Memory): Promise<WorkerPool> {
    const pool = new WorkerPool(workerCount);
    const here = new URL(import.meta.url);
    const fromSource = here.pathname.endsWith('.ts');
    const script = new URL(fromSource ? './worker-main.ts' : './worker-main.js', here);
    await Promise.all(Array.from({ length: workerCount }, async () => {
      // Running from TypeScript sources (tests): register tsx inside the worker, then load the script.
      const w = fromSource
        ? new Worker(`import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(script.href)}); })`, { eval: true })
        : new Worker(script);
      w.unref();
      w.on('message', (m: FromWorker) => {
        if (m.type === 'error') pool.errors.push(m.message);
      });
      pool.workers.push(w);
      await pool.request(w, { type: 'init', memory, control: pool.ctrl.buffer as SharedArrayBuffer }, (m) => m.type === 'ready');
    }));
    return pool;
  }

  private request(w: Worker, msg: ToWorker, done: (m: FromWorker) => boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: FromWorker): void => {
        if (done(m)) {
          w.off('message', onMessage);
          w.off('error', reject);
          resolve();
        }
      };
      w.on('message', onMessage);
      w.once('error', reject);
      w.postMessage(msg);
    });
  }

  async load(id: number, module: WebAssembly.Module, entryPoints: string[]): Promise<void> {
    await Promise.all(this.workers.map((w) => this.request(w, { type: 'load', id, module, entryPoints }, (m) => m.type === 'loaded' && m.id === id)));
  }

  /** Runs all workgroups of one dispatch across the pool and the calling thread; returns when all are done. */
  dispatch(
    exeId: number, entry: number, local: (b: number, c: number, x: number, y: number, z: number) => void,
    bindings: number, constants: number, [nx, ny, nz]: readonly [number, number, number],
  ): void {
    const c = this.ctrl;
    c[CTRL.executable] = exeId;
    c[CTRL.entry] = entry;
    c[CTRL.bindings] = bindings;
    c[CTRL.constants] = constants;
    c[CTRL.countX] = nx;
    c[CTRL.countY] = ny;
    c[CTRL.countZ] = nz;
    Atomics.store(c, CTRL.nextWorkgroup, 0);
    Atomics.store(c, CTRL.finishedWorkers, 0);
    Atomics.add(c, CTRL.generation, 1);
    Atomics.notify(c, CTRL.generation);
    const total = nx * ny * nz;
    let failure: unknown;
    try {
      for (let i = Atomics.add(c, CTRL.nextWorkgroup, 1); i < total; i = Atomics.add(c, CTRL.nextWorkgroup, 1)) {
        local(bindings, constants, i % nx, Math.floor(i / nx) % ny, Math.floor(i / (nx * ny)));
      }
    } catch (e) {
      failure = e;
      Atomics.store(c, CTRL.nextWorkgroup, total);
    }
    for (let d = Atomics.load(c, CTRL.finishedWorkers); d < this.size; d = Atomics.load(c, CTRL.finishedWorkers)) {
      Atomics.wait(c, CTRL.finishedWorkers, d);
    }
    if (failure) throw failure;
    if (Atomics.load(c, CTRL.failed)) {
      Atomics.store(c, CTRL.failed, 0);
      throw new Error(`a kernel trapped on a worker thread${this.errors.length ? `: ${this.errors.shift()}` : ''}`);
    }
  }

  async stop(): Promise<void> {
    Atomics.store(this.ctrl, CTRL.shutdown, 1);
    Atomics.add(this.ctrl, CTRL.generation, 1);
    Atomics.notify(this.ctrl, CTRL.generation);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
