// Import fuzzing: 1,000 seeded mutations of the fixture models and a few conformance models
// (bit flips, truncations, fields and byte ranges spliced from one place or model into another,
// odd integers, dropped and duplicated fields, decoded-node edits such as another op's importer
// on this node's inputs), plus random bytes. Every import must end in a typed IreetsError or a
// module verifyModule accepts, within a time limit, in a child process whose heap and resident
// memory are bounded, so a hang or a runaway allocation fails its case instead of the machine.
// A failure names its seed: `node --import tsx test/frontend/fuzz-child.ts SEED [--write FILE]`.
// IREETS_FUZZ_CASES / IREETS_FUZZ_SEED run more or other seeds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCase } from './fuzz-cases.js';
import type { CaseReply, CaseRequest } from './fuzz-child.js';
import { loadFuzzPool } from './fuzz-models.js';
import { CAN_WATCH_MEMORY, runFuzz } from './fuzz-runner.js';
import { encodeMessage } from './fuzz-wire.js';

const MUTATIONS = Number(process.env['IREETS_FUZZ_CASES'] ?? 1000);
const FIRST_SEED = Number(process.env['IREETS_FUZZ_SEED'] ?? 0);
const RANDOM_BYTES = 100;
/** Imports take milliseconds (MobileNetV2: ~50 ms); the limit leaves room for a loaded machine. */
const CASE_TIMEOUT_MS = 10_000;

const dir = mkdtempSync(join(tmpdir(), 'ireets-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function summarize(replies: readonly CaseReply[]): string {
  const counts = new Map<string, number>();
  for (const r of replies) {
    const key = r.outcome.kind === 'error' ? r.outcome.code : r.outcome.kind === 'ok' ? 'valid IR' : 'FAILURE';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const slowest = replies.reduce((a, b) => (b.ms > a.ms ? b : a), replies[0]!);
  return `${[...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')}; slowest case ${slowest.ms.toFixed(0)} ms (seed ${slowest.seed}, ${slowest.model})`;
}

describe('import of mutated models', () => {
  it('the wire tree re-encodes every pool model byte for byte, and cases are reproducible', async () => {
    const pool = await loadFuzzPool(dir);
    expect(pool.length).toBeGreaterThanOrEqual(5);
    for (const m of pool) expect(Buffer.from(encodeMessage(m.tree)).equals(Buffer.from(m.bytes)), m.name).toBe(true);
    const a = buildCase(1234, pool, ['Relu', 'Add']);
    const b = buildCase(1234, pool, ['Relu', 'Add']);
    expect(a.mutations).toEqual(b.mutations);
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
  });

  it(`${MUTATIONS} seeded mutations and ${RANDOM_BYTES} random files end in a typed error or a valid IR`, async () => {
    const cases: CaseRequest[] = [
      ...Array.from({ length: MUTATIONS }, (_, i) => ({ seed: FIRST_SEED + i, series: 'mutation' as const })),
      ...Array.from({ length: RANDOM_BYTES }, (_, i) => ({ seed: FIRST_SEED + i, series: 'random' as const })),
    ];
    const t0 = performance.now();
    const replies = await runFuzz({ cases, jobs: 2, caseTimeoutMs: CASE_TIMEOUT_MS, heapMb: 512, rssLimitMb: 1024, dir });
    const seconds = (performance.now() - t0) / 1000;
    console.log(`import fuzz: ${cases.length} cases in ${seconds.toFixed(1)} s: ${summarize(replies)}`);
    const failures = replies
      .filter((r) => r.outcome.kind === 'failure')
      .map((r) => `${r.series} seed ${r.seed} (${r.model}: ${r.mutations.join('; ')}): ${(r.outcome as { message: string }).message}`);
    expect(failures).toEqual([]);
    expect(replies).toHaveLength(cases.length);
    // Mutations must reach the importers, not only the protobuf decoder.
    expect(replies.filter((r) => r.outcome.kind === 'ok').length).toBeGreaterThan(MUTATIONS / 10);
    expect(replies.filter((r) => r.outcome.kind === 'error' && r.outcome.code === 'MODEL_INVALID').length).toBeGreaterThan(MUTATIONS / 10);
  }, 300_000);

  it('catches a hang, a runaway typed-array allocation, heap exhaustion and a crash', async () => {
    const canary = (seed: number) => ({ seed, series: 'canary' as const });
    // A heap near its limit spends seconds in last-resort GCs: only the hang gets a short limit.
    const [hang, others] = await Promise.all([
      runFuzz({ cases: [canary(0)], jobs: 1, caseTimeoutMs: 2_000, heapMb: 256, rssLimitMb: 768, dir }),
      // Without /proc the typed-array canary would run the machine out of memory: left out there.
      runFuzz({ cases: (CAN_WATCH_MEMORY ? [1, 2, 3] : [2, 3]).map(canary), jobs: 2, caseTimeoutMs: 60_000, heapMb: 256, rssLimitMb: 768, dir }),
    ]);
    const why = new Map([...hang, ...others].map((r) => [r.seed, r.outcome.kind === 'failure' ? r.outcome.message : r.outcome.kind]));
    expect(why.get(0)).toMatch(/^no result within 2000 ms/);
    if (CAN_WATCH_MEMORY) expect(why.get(1)).toMatch(/^unbounded allocation: resident memory reached/);
    expect(why.get(2)).toMatch(/^the fuzz child died \(exit \w+\)[\s\S]*heap/);
    expect(why.get(3)).toMatch(/^the fuzz child died \(exit 3\)/);
  }, 120_000);
});
