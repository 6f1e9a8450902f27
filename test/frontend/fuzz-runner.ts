// Runs fuzz cases in child processes (fuzz-child.ts), a few at a time. Each case has a time limit;
// each child a V8 heap limit and a resident-memory limit watched from here (typed arrays live
// outside the V8 heap, so the heap limit alone would miss a runaway tensor allocation). A child
// that overruns, dies or stops answering is killed, its case recorded as a failure, and replaced.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CaseReply, CaseRequest } from './fuzz-child.js';

export interface FuzzRunOptions {
  readonly cases: readonly CaseRequest[];
  /** Children running side by side. */
  readonly jobs: number;
  readonly caseTimeoutMs: number;
  /** --max-old-space-size of each child. */
  readonly heapMb: number;
  /** Resident set size past which a child is killed. */
  readonly rssLimitMb: number;
  /** Where the children write the external-data model. */
  readonly dir: string;
}

const CHILD = fileURLToPath(new URL('./fuzz-child.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));
/** Loading the importers and the model pool; a child slower than this is stuck. */
const START_TIMEOUT_MS = 60_000;
const RSS_POLL_MS = 20;
const PAGE = 4096;

/** Whether resident memory can be watched (Linux /proc); elsewhere only the heap limit holds. */
export const CAN_WATCH_MEMORY = existsSync('/proc/self/statm');

/** Resident bytes of a process (Linux /proc; 0 where unavailable). */
function residentBytes(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE;
  } catch {
    return 0;
  }
}

export function runFuzz(opts: FuzzRunOptions): Promise<CaseReply[]> {
  const replies: CaseReply[] = [];
  let next = 0;
  let running = 0;
  return new Promise((resolve, reject) => {
    const fail = (req: CaseRequest, message: string): void => {
      replies.push({ seed: req.seed, series: req.series, model: '?', mutations: [], outcome: { kind: 'failure', message }, ms: 0 });
    };
    const startChild = (): void => {
      if (next >= opts.cases.length) {
        if (running === 0) resolve(replies);
        return;
      }
      running++;
      const child: ChildProcess = fork(CHILD, [], {
        cwd: REPO,
        execArgv: ['--import', 'tsx', `--max-old-space-size=${opts.heapMb}`],
        env: { ...process.env, IREETS_FUZZ_DIR: opts.dir },
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      });
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
      let current: CaseRequest | undefined;
      let timer: NodeJS.Timeout | undefined;
      let done = false;
      const startTimer = setTimeout(() => retire(`the fuzz child did not start within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
      const poll = setInterval(() => {
        const rss = residentBytes(child.pid ?? 0);
        if (current && rss > opts.rssLimitMb * 2 ** 20) retire(`unbounded allocation: resident memory reached ${(rss / 2 ** 20).toFixed(0)} MB`);
      }, RSS_POLL_MS);
      const retire = (why: string): void => {
        if (done) return;
        done = true;
        clearTimeout(startTimer);
        clearTimeout(timer);
        clearInterval(poll);
        child.kill('SIGKILL');
        running--;
        if (!current) {
          // Not even one case ran: the child cannot start; stop instead of respawning forever.
          reject(new Error(`fuzz child failed: ${why}\n${stderr}`));
          return;
        }
        fail(current, `${why}\n${stderr}`);
        startChild();
      };
      const send = (): void => {
        if (next >= opts.cases.length) {
          done = true;
          clearInterval(poll);
          child.kill();
          running--;
          if (running === 0) resolve(replies);
          return;
        }
        current = opts.cases[next++]!;
        child.send(current);
        timer = setTimeout(() => retire(`no result within ${opts.caseTimeoutMs} ms (hang?)`), opts.caseTimeoutMs);
      };
      child.on('message', (m: 'ready' | CaseReply) => {
        if (done) return;
        if (m === 'ready') {
          clearTimeout(startTimer);
          send();
          return;
        }
        clearTimeout(timer);
        replies.push(m);
        send();
      });
      child.on('exit', (code, signal) => retire(`the fuzz child died (exit ${code ?? signal})`));
      child.on('error', (e) => retire(`the fuzz child failed: ${e.message}`));
    };
    for (let i = 0; i < opts.jobs; i++) startChild();
  });
}
