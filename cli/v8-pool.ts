// V8 runs its optimizing compiler and garbage-collection helpers on a pool of background threads,
// four by default whatever the machine. A watch session keeps that pool busy: each of its first
// rebuilds brings more of the importer's per-node functions to the optimizing compiler (60-130 ms
// of background compiling per rebuild of MiniLM, for ~45 ms of work on the main thread). On two
// cores, four such threads take turns with the main thread, and a rebuild waits for them:
// MiniLM's first one-op edit after the startup build took 69 ms with V8's default pool and 56 ms
// with one thread, and its startup build was no slower (bench/incremental.ts, 2 cores).
//
// The pool's size is fixed when Node starts (--v8-pool-size), so `ireets watch` runs itself
// again once with it, sized to leave the main thread a core: cores − 1, at most V8's four.
// IREETS_V8_POOL_SIZE=N picks another size (0: V8's default); a --v8-pool-size given to Node
// (on its command line or in NODE_OPTIONS) is left as it is.
import { spawn } from 'node:child_process';
import { availableParallelism, constants } from 'node:os';

/** V8's own pool size (Node's default for --v8-pool-size). */
const V8_DEFAULT_POOL = 4;

/** Background threads for V8 on a machine with `cores` cores. */
export function v8PoolSizeFor(cores: number): number {
  return Math.min(V8_DEFAULT_POOL, Math.max(1, cores - 1));
}

/** The pool size a long-running compile process should get, or undefined to leave Node's. */
export function wantedV8PoolSize(execArgv: readonly string[], env: NodeJS.ProcessEnv, cores: number): number | undefined {
  if (execArgv.some((a) => a.startsWith('--v8-pool-size')) || /(^|\s)--v8-pool-size/.test(env['NODE_OPTIONS'] ?? '')) return undefined;
  const asked = env['IREETS_V8_POOL_SIZE'];
  if (asked !== undefined && asked !== '') {
    const n = Number(asked);
    return Number.isInteger(n) && n > 0 ? n : undefined;
  }
  const size = v8PoolSizeFor(cores);
  return size === V8_DEFAULT_POOL ? undefined : size;
}

/** The Node arguments that run this same command line again with `--v8-pool-size=size`. */
export function rerunArgs(execArgv: readonly string[], argv: readonly string[], size: number): string[] {
  return [...execArgv, `--v8-pool-size=${size}`, ...argv.slice(1)];
}

/** Set in the child's environment: it stops when its parent goes (stopWithParent). */
const CHILD_ENV = 'IREETS_V8_POOL_PARENT';

/**
 * Runs this command again in a child Node with the V8 pool this machine wants, and resolves with
 * its exit code; undefined when this process already has it (then the caller goes on itself).
 * Signals sent to this process are passed on: the child decides what they mean (a Ctrl-C at a
 * terminal reaches both, and watch takes a second one during its shutdown as the same request).
 * The child is tied to this process by an IPC channel: if this one dies without a word (SIGKILL),
 * the child sees the channel close and stops (stopWithParent).
 */
export async function rerunWithV8Pool(): Promise<number | undefined> {
  const size = wantedV8PoolSize(process.execArgv, process.env, availableParallelism());
  if (size === undefined) return undefined;
  const child = spawn(process.execPath, rerunArgs(process.execArgv, process.argv, size), {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, [CHILD_ENV]: String(process.pid) },
  });
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const forward = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  for (const s of signals) process.on(s, forward);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 1)));
    });
  } finally {
    for (const s of signals) process.off(s, forward);
  }
}

/**
 * In a child of rerunWithV8Pool: sends this process SIGTERM (the command's own way to stop) when
 * the parent is gone. The channel does not keep this process alive by itself.
 */
export function stopWithParent(): void {
  if (!process.env[CHILD_ENV] || !process.send) return;
  process.channel?.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
