// ONNX conformance cases through the GPU code generator: partition → lowerRegionGpu → WGSL →
// the WebGPU device (Dawn; lavapipe on machines without a GPU), every tensor in one arena buffer
// at 256-byte-aligned offsets, as the linker lays them out. Covered: every case that passes on
// the reference backend and that the CPU direct runner can take (all ops have lowering rules; no
// host/control/special ops; shape operands frozen where needed).
//
// By default a deterministic subset runs (every 10th case, plus every case whose name mentions a
// dtype with emulated storage or narrowed compute); GPU_CONFORMANCE=all runs them all, and
// GPU_CONFORMANCE=<regex> the matching ones.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NODE_TESTS_DIR } from '../conformance/cases.js';
import { conformanceCases, refPassingCases } from './lowering-movement-cases.js';
import { runCaseGpu, useWebGpuDevice, webGpuUnavailable, type GpuOutcome, type GpuRunStats } from './gpu-direct-runner.js';

/**
 * Cases known to fail on the GPU, with the reason. Empty: i64/f64 cases pass narrowed because
 * their values fit 32 bits / f32 precision within the tolerances.
 */
const EXPECTED_FAILURES: Readonly<Record<string, string>> = {};

const STORAGE_DTYPES = /cast|int64|uint64|double|float16|bfloat16|bool|int8|uint8|int16|uint16/;

function selectedCases(): string[] {
  const names = refPassingCases();
  const mode = process.env['GPU_CONFORMANCE'];
  if (mode === 'all') return names;
  if (mode) return names.filter((n) => new RegExp(mode).test(n));
  return names.filter((n, i) => i % 10 === 0 || STORAGE_DTYPES.test(n));
}

const unavailable = await webGpuUnavailable();
const hasData = existsSync(NODE_TESTS_DIR);

describe.skipIf(!!unavailable || !hasData)('ONNX conformance cases on the WebGPU device (GPU direct runner)', () => {
  const device = useWebGpuDevice();

  it('passes every runnable case', async () => {
    const results = new Map<string, GpuOutcome>();
    const stats: GpuRunStats = { dispatches: 0, narrowed: new Set() };
    for (const c of conformanceCases(selectedCases())) results.set(c.name, await runCaseGpu(c, device(), stats));
    const ran = [...results].filter(([, r]) => r.kind !== 'skip');
    const bad = ran.filter(([n, r]) => (r.kind === 'fail' || r.kind === 'error') && !(n in EXPECTED_FAILURES));
    const expectedBad = ran.filter(([n, r]) => r.kind !== 'pass' && n in EXPECTED_FAILURES);
    const fixed = ran.filter(([n, r]) => r.kind === 'pass' && n in EXPECTED_FAILURES).map(([n]) => n);
    const passed = ran.filter(([, r]) => r.kind === 'pass').length;
    console.log([
      `GPU conformance: ${passed}/${ran.length} passed (${expectedBad.length} expected failures), ${results.size - ran.length} not runnable by the code generator, ${stats.dispatches} dispatches`,
      ...bad.map(([n, r]) => `  ${r.kind} ${n}: ${'message' in r ? r.message : ''}`),
      `  narrowed: ${[...stats.narrowed].join('; ')}`,
    ].join('\n'));
    expect(bad.map(([n, r]) => `${n}: ${'message' in r ? r.message : ''}`)).toEqual([]);
    expect(fixed).toEqual([]);
    // A floor, so a harness that silently skips everything cannot pass.
    expect(ran.length).toBeGreaterThan(process.env['GPU_CONFORMANCE'] ? 0 : 120);
  }, 900_000);
});

describe.skipIf(!unavailable)('GPU conformance (skipped)', () => {
  it.skip(`no WebGPU device: ${unavailable ?? ''}`, () => {});
});
