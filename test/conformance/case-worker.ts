// Worker thread that runs conformance cases one at a time for the pool (pool.ts), so a case
// that hangs or crashes takes down only this worker, which the pool then replaces.
import { parentPort, workerData } from 'node:worker_threads';
import { loadBackend, type Backend } from './backend.js';
import type { ConformanceCase } from './cases.js';
import { runCase } from './run-case.js';
import type { ToWorker, FromWorker } from './worker-protocol.js';

const port = parentPort!;
const { backendName } = workerData as { backendName: string };

// A backend that fails to load is reported against every case rather than killing the run.
const backend: Backend | Error = await loadBackend(backendName).catch((e: unknown) =>
  new Error(`BACKEND_LOAD: ${e instanceof Error ? e.message : String(e)}`, { cause: e }));

port.on('message', (msg: ToWorker) => {
  void runCase(msg.case as ConformanceCase, backend).then((result) => {
    port.postMessage({ kind: 'result', id: msg.id, result } satisfies FromWorker);
  });
});
port.postMessage({ kind: 'ready' } satisfies FromWorker);
