// Every ONNX conformance case the reference backend passes, run through the CPU code generator
// (partition → lower → wasm → CpuDevice) wherever all its ops have lowering rules. Cases that
// involve movement ops must match the expected outputs; the others are reported only (their
// rules belong to other families).
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { getOpDef } from '../../src/ir/ops/registry.js';
import { NODE_TESTS_DIR } from '../conformance/cases.js';
import { useCpuDevice } from '../support/lowering-harness.js';
import { conformanceCases, refPassingCases, runCaseDirect, type DirectOutcome } from './lowering-movement-cases.js';

const hasData = existsSync(NODE_TESTS_DIR);
const isMovement = (op: string): boolean => getOpDef(op)?.kind === 'movement';

describe.skipIf(!hasData)('ONNX conformance cases through runDirect (movement ops)', () => {
  const device = useCpuDevice();
  const results = new Map<string, DirectOutcome>();

  beforeAll(async () => {
    for (const c of conformanceCases(refPassingCases())) results.set(c.name, await runCaseDirect(c, device()));
  }, 600_000);

  it('passes every runnable case that involves a movement op', () => {
    const mine = [...results].filter(([, r]) => r.ops.some(isMovement));
    const ran = mine.filter(([, r]) => r.kind !== 'skip');
    const bad = ran.filter(([, r]) => r.kind === 'fail' || r.kind === 'error').map(([n, r]) => `${n}: ${'message' in r ? r.message : ''}`);
    const frozen = ran.filter(([, r]) => r.kind === 'pass' && r.frozen).length;
    const skipped = mine.filter(([, r]) => r.kind === 'skip');
    const others = [...results].filter(([, r]) => !r.ops.some(isMovement) && (r.kind === 'fail' || r.kind === 'error'));
    console.log([
      `movement cases: ${ran.length - bad.length}/${ran.length} passed (${frozen} with shape operands frozen), ${skipped.length} not runnable`,
      ...skipped.map(([n, r]) => `  skip ${n}: ${'reason' in r ? r.reason : ''}`),
      ...others.map(([n, r]) => `  (other family) ${r.kind} ${n}: ${'message' in r ? r.message : ''}`),
    ].join('\n'));
    expect(bad).toEqual([]);
    // A floor, so a harness that silently skips everything cannot pass.
    expect(ran.length).toBeGreaterThan(100);
  });
});
