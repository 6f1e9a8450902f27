// A CPU worker: instantiates every executable over the shared memory, then runs workgroups of
// whatever dispatch the control block announces until told to stop.
import { parentPort } from 'node:worker_threads';
import { CPU_MATH_IMPORTS } from '../../util/cpu-kernel-abi.js';
import { CTRL, type FromWorker, type ToWorker } from './pool-protocol.js';

type Entry = (b: number, c: number, x: number, y: number, z: number) => void;

const port = parentPort!;
let memory: WebAssembly.Memory;
let ctrl: Int32Array;
const executables = new Map<number, Entry[]>();
const send = (m: FromWorker): void => port.postMessage(m);

port.on('message', (m: ToWorker) => {
  if (m.type === 'init') {
    memory = m.memory;
    ctrl = new Int32Array(m.control);
    send({ type: 'ready' });
    setImmediate(serve);
  } else if (m.type === 'load') {
    const inst = new WebAssembly.Instance(m.module, { env: { memory }, math: CPU_MATH_IMPORTS });
    executables.set(m.id, m.entryPoints.map((n) => inst.exports[n] as Entry));
    send({ type: 'loaded', id: m.id });
  }
});

let seenGeneration = 0;
function serve(): void {
  // Right after a dispatch the next one usually follows within microseconds: wait synchronously
  // for a moment, then park on waitAsync so the event loop stays free for `load` messages.
  for (;;) {
    if (Atomics.load(ctrl, CTRL.shutdown)) return;
    const g = Atomics.load(ctrl, CTRL.generation);
    if (g !== seenGeneration) {
      seenGeneration = g;
      runWorkgroups();
      continue;
    }
    if (Atomics.wait(ctrl, CTRL.generation, g, 1) === 'timed-out') {
      const w = Atomics.waitAsync(ctrl, CTRL.generation, g);
      if (w.async) void w.value.then(serve);
      else setImmediate(serve);
      return;
    }
  }
}

function runWorkgroups(): void {
  const entries = executables.get(Atomics.load(ctrl, CTRL.executable));
  const entry = entries?.[Atomics.load(ctrl, CTRL.entry)];
  const b = ctrl[CTRL.bindings]!;
  const c = ctrl[CTRL.constants]!;
  const nx = ctrl[CTRL.countX]!;
  const ny = ctrl[CTRL.countY]!;
  const total = nx * ny * ctrl[CTRL.countZ]!;
  try {
    if (!entry) throw new Error('executable not loaded on worker');
    for (let i = Atomics.add(ctrl, CTRL.nextWorkgroup, 1); i < total; i = Atomics.add(ctrl, CTRL.nextWorkgroup, 1)) {
      entry(b, c, i % nx, Math.floor(i / nx) % ny, Math.floor(i / (nx * ny)));
    }
  } catch (e) {
    Atomics.store(ctrl, CTRL.failed, 1);
    send({ type: 'error', message: (e as Error).message });
  }
  Atomics.add(ctrl, CTRL.finishedWorkers, 1);
  Atomics.notify(ctrl, CTRL.finishedWorkers);
}
