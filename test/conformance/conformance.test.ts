// The conformance gate, after IREE's expected-failure lists: every backend with a committed
// status-<backend>.json runs the whole ONNX node suite, and the test fails when a case committed
// as passing no longer passes (a regression) or a case not committed as passing now passes (the
// file is stale: record the progress so it is protected from then on).
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BACKEND_NAMES } from './backend.js';
import type { CaseResult } from './case-result.js';
import { listCases } from './cases.js';
import { runCasesInWorkers } from './pool.js';
import { committedStatusPath, diffStatuses, readStatusFile, toStatusMap } from './status-file.js';

const gated = BACKEND_NAMES.filter((b) => existsSync(committedStatusPath(b)));

it('has a committed status file for the ref backend', () => {
  expect(gated).toContain('ref');
});

describe.each(gated)('ONNX conformance, backend %s', (backend) => {
  it('matches the committed status file', async () => {
    const results = await runCasesInWorkers(listCases(), { backendName: backend, jobs: 2, caseTimeoutMs: 30_000 });
    const committed = readStatusFile(committedStatusPath(backend));
    const diff = diffStatuses(committed, toStatusMap(results));
    const byName = new Map<string, CaseResult>(results.map((r) => [r.name, r]));
    const regressions = diff.regressions.map((n) => `${n}: ${byName.get(n)!.status} ${byName.get(n)!.message ?? ''}`);
    expect.soft(regressions, `cases committed as pass in status-${backend}.json no longer pass`).toEqual([]);
    expect.soft(diff.unexpectedPasses,
      `cases now pass that status-${backend}.json does not mark pass; update the file with `
      + `\`npm run conformance -- --backend ${backend} --update\``).toEqual([]);
  }, 900_000);
});
