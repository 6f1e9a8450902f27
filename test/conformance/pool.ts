import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { CaseResult, CaseStatus } from './case-result.js';
import type { ConformanceCase } from './cases.js';
import { profileModel, type CaseProfile } from './classify.js';
import { withProfile } from './run-case.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

export interface PoolOptions {
  backendName: string;
  /** Worker threads running cases side by side. */
  jobs: number;
  /** A case still running after this long is recorded as an error and its worker replaced. */
  caseTimeoutMs: number;
  /** Heap limit per worker, so a runaway allocation fails one case instead of the machine. */
  workerHeapMb?: number;
  onResult?: (r: CaseResult) => void;
}

const WORKER_URL = new URL('./case-worker-entry.mjs', import.meta.url);
/** A worker that has not loaded its backend by then is stuck (e.g. a loop at module load). */
const WORKER_START_TIMEOUT_MS = 120_000;

/**
 * Runs every case in worker threads, `jobs` at a time, each under a time limit. A case that
 * times out, throws past the harness or kills its worker is recorded as an error; the run goes
 * on with a fresh worker. Results come back in the order of `cases`.
 */
export function runCasesInWorkers(cases: readonly ConformanceCase[], opts: PoolOptions): Promise<CaseResult[]> {
  const results = new Array<CaseResult>(cases.length);
  let next = 0;
  let done = 0;
  // Workers that died before becoming ready; a few in a row means they cannot start at all.
  let startupFailures = 0;
  return new Promise((resolve) => {
    if (cases.length === 0) return resolve([]);
    const finish = (index: number, r: CaseResult): void => {
      results[index] = r;
      done++;
      opts.onResult?.(r);
      if (done === cases.length) resolve(results);
    };
    const startSlot = (): void => {
      if (next >= cases.length) return;
      // The worker loads the backend once (seconds: every op module) before its first case; the
      // case timer starts only when a case is handed over.
      const worker = new Worker(WORKER_URL, {
        workerData: { backendName: opts.backendName },
        resourceLimits: { maxOldGenerationSizeMb: opts.workerHeapMb ?? 1024 },
        stdout: true,
        stderr: true,
      });
      let current: { id: number; timer: NodeJS.Timeout } | undefined;
      let retired = false;
      let ready = false;
      const startTimer = setTimeout(() => retire({
        status: 'error',
        message: `WORKER_START_TIMEOUT: the backend did not load within ${WORKER_START_TIMEOUT_MS / 1000} s`,
      }), WORKER_START_TIMEOUT_MS);
      const retire = (status: CaseStatus): void => {
        if (retired) return;
        retired = true;
        clearTimeout(startTimer);
        if (!ready && ++startupFailures >= 3) {
          // Record every case not yet handed out, so the run ends with a report, not a respawn loop.
          while (next < cases.length) {
            const index = next++;
            finish(index, withProfile(cases[index]!.name, status, safeProfile(cases[index]!)));
          }
          return;
        }
        if (current) {
          clearTimeout(current.timer);
          const index = current.id;
          current = undefined;
          finish(index, withProfile(cases[index]!.name, status, safeProfile(cases[index]!)));
        }
        void worker.terminate();
        startSlot();
      };
      const dispatch = (): void => {
        if (next >= cases.length) {
          retired = true;
          void worker.terminate();
          return;
        }
        const id = next++;
        const timer = setTimeout(() => retire({
          status: 'error',
          message: `TIMEOUT: no result within ${opts.caseTimeoutMs / 1000} s`,
        }), opts.caseTimeoutMs);
        current = { id, timer };
        worker.postMessage({ id, case: cases[id]! } satisfies ToWorker);
      };
      worker.on('message', (msg: FromWorker) => {
        if (retired) return;
        if (msg.kind === 'ready') {
          ready = true;
          clearTimeout(startTimer);
          startupFailures = 0;
          return dispatch();
        }
        if (!current || msg.id !== current.id) return;
        clearTimeout(current.timer);
        current = undefined;
        finish(msg.id, msg.result);
        dispatch();
      });
      worker.on('error', (e) => retire({ status: 'error', message: `WORKER_CRASH: ${firstLine(e.message)}` }));
      worker.on('exit', (code) => retire({ status: 'error', message: `WORKER_EXIT: worker exited with code ${code}` }));
      // Kernels should not print; keep stray output from interleaving with the report.
      worker.stdout.resume();
      worker.stderr.resume();
    };
    for (let i = 0; i < Math.max(1, Math.min(opts.jobs, cases.length)); i++) startSlot();
  });
}

function safeProfile(c: ConformanceCase): CaseProfile {
  try {
    return profileModel(readFileSync(c.modelPath));
  } catch {
    return { opTypes: [] };
  }
}

function firstLine(s: string): string {
  return s.split('\n', 1)[0]!;
}
