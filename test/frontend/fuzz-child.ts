// A process that imports fuzz cases one at a time, sent by seed over IPC (fuzz-runner.ts). It runs
// apart from the test so a hang, a heap blow-up or a runaway typed-array allocation kills only it.
// Also a reproducer: `node --import tsx test/frontend/fuzz-child.ts SEED [--random] [--write FILE]`.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importModel } from '../../src/frontend/import-model.js';
import { registeredOpTypes } from '../../src/frontend/registry.js';
import '../../src/frontend/ops/index.js';
import { verifyModule } from '../../src/ir/verifier.js';
import { buildCase, randomBytesCase, type FuzzCase, type PoolModel } from './fuzz-cases.js';
import { judgeError, loadFuzzPool, type Outcome } from './fuzz-models.js';

export interface CaseRequest {
  readonly seed: number;
  /** 'canary': cases that misbehave on purpose (see CANARIES), to show the runner catches them. */
  readonly series: 'mutation' | 'random' | 'canary';
}

export interface CaseReply {
  readonly seed: number;
  readonly series: CaseRequest['series'];
  readonly model: string;
  readonly mutations: readonly string[];
  readonly outcome: Outcome;
  readonly ms: number;
}

function caseOf(req: CaseRequest, pool: readonly PoolModel[], opTypes: readonly string[]): FuzzCase {
  return req.series === 'random' ? randomBytesCase(req.seed) : buildCase(req.seed, pool, opTypes);
}

/** Misbehaviour the runner must catch, by canary seed: a hang, runaway typed arrays, heap exhaustion, a crash. */
const CANARIES: Record<number, () => void> = {
  0: () => {
    for (;;);
  },
  1: () => {
    const keep: Uint8Array[] = [];
    for (;;) keep.push(new Uint8Array(16 * 2 ** 20).fill(1));
  },
  2: () => {
    const keep: number[][] = [];
    for (;;) keep.push(Array.from({ length: 1e5 }, (_, i) => i + 0.5));
  },
  3: () => process.exit(3),
};

async function runCase(c: FuzzCase): Promise<Outcome> {
  let mod;
  try {
    mod = await importModel(c.bytes, { path: c.path });
  } catch (e) {
    return judgeError(e);
  }
  try {
    verifyModule(mod);
  } catch (e) {
    return { kind: 'failure', message: `imported an invalid IR: ${(e as Error).message}` };
  }
  return { kind: 'ok' };
}

async function main(): Promise<void> {
  const dir = process.env['IREETS_FUZZ_DIR'] ?? mkdtempSync(join(tmpdir(), 'ireets-fuzz-'));
  const pool = await loadFuzzPool(dir);
  const opTypes = registeredOpTypes().filter((o) => o.domain === '').map((o) => o.opType);
  const args = process.argv.slice(2);
  if (process.send) {
    process.on('message', (req: CaseRequest) => {
      if (req.series === 'canary') return CANARIES[req.seed]?.();
      let c: FuzzCase;
      try {
        c = caseOf(req, pool, opTypes);
      } catch (e) {
        const outcome: Outcome = { kind: 'failure', message: `building the case failed: ${(e as Error).stack}` };
        process.send!({ seed: req.seed, series: req.series, model: '?', mutations: [], outcome, ms: 0 } satisfies CaseReply);
        return;
      }
      const t0 = performance.now();
      void runCase(c).then((outcome) => {
        const reply: CaseReply = { seed: req.seed, series: req.series, model: c.model, mutations: c.mutations, outcome, ms: performance.now() - t0 };
        process.send!(reply);
      });
    });
    process.send('ready');
    return;
  }
  // Reproducer.
  const seed = Number(args[0]);
  const c = caseOf({ seed, series: args.includes('--random') ? 'random' : 'mutation' }, pool, opTypes);
  const write = args.indexOf('--write');
  if (write >= 0) writeFileSync(args[write + 1]!, c.bytes);
  console.log(`seed ${seed}: ${c.model}: ${c.mutations.join('; ')}`);
  console.log(await runCase(c));
}

await main();
