// Emits SPIR-V for the kernels of every dispatch region of every ONNX conformance model (import,
// the IR pipeline up to folding, partition) and checks that `spirv-val --target-env vulkan1.1`
// accepts each module: one module per region for the GPU strategy's kernel, and one module per
// model holding the CPU strategy's kernels of all its regions (loops, workgroup size 1; its
// f32x4 SIMD kernels are for the CPU only and are counted apart).
// Models or regions the compiler cannot take that far (import, partition or lowering errors) are
// counted separately; they say nothing about the emitter. SPIRV_CASES=<regex> runs a subset.
import { readFileSync, existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { lowerRegionGpu } from '../../src/codegen/gpu/lower-region-gpu.js';
import type { Kernel, Stmt } from '../../src/codegen/kernel-ir.js';
import { lowerRegion } from '../../src/codegen/lower-region.js';
import { emitSpirvExecutable, validateSpirv } from '../../src/codegen/spirv/index.js';
import { importModel } from '../../src/frontend/import-model.js';
import type { DispatchRegion } from '../../src/ir/partition.js';
import { partitionGraph } from '../../src/ir/partition.js';
import { runPipeline } from '../../src/ir/passes.js';
import { listCases, NODE_TESTS_DIR } from '../conformance/cases.js';

const HAVE_SPIRV_VAL = validateSpirv(new Uint8Array(0)) !== undefined;

interface CaseRegions {
  readonly name: string;
  readonly regions: readonly DispatchRegion[];
}

/** Why a lowering failed, shortened to group similar failures. */
const reason = (e: unknown): string => (e instanceof Error ? e.message : String(e)).replace(/node "[^"]*" /, '').slice(0, 70);

async function collectCases(): Promise<{ cases: CaseRegions[]; skipped: Map<string, string> }> {
  const cases: CaseRegions[] = [];
  const skipped = new Map<string, string>();
  if (!existsSync(NODE_TESTS_DIR)) return { cases, skipped };
  const filter = process.env['SPIRV_CASES'] ? new RegExp(process.env['SPIRV_CASES']) : undefined;
  for (const c of listCases(NODE_TESTS_DIR, filter)) {
    try {
      const mod = runPipeline(await importModel(readFileSync(c.modelPath), { path: c.modelPath }), 'fold');
      const regions = partitionGraph(mod).flatMap((s) => (s.kind === 'dispatch' ? [s.region] : []));
      if (regions.length > 0) cases.push({ name: c.name, regions });
    } catch (e) {
      skipped.set(c.name, `import/partition: ${reason(e)}`);
    }
  }
  return { cases, skipped };
}

const { cases, skipped } = await collectCases();
const counts = { regions: 0, gpuValid: 0, gpuNotLowered: 0, cpuModules: 0, cpuKernelsValid: 0, cpuNotLowered: 0, cpuSimd: 0 };
const notLowered = new Map<string, number>();

/** Lowers with `lower`, counting (not failing on) regions the strategy cannot lower. */
function tryLower(region: DispatchRegion, name: string, lower: (r: DispatchRegion, n: string) => Kernel): Kernel | undefined {
  try {
    return lower(region, name);
  } catch (e) {
    const why = reason(e);
    notLowered.set(why, (notLowered.get(why) ?? 0) + 1);
    return undefined;
  }
}

/** Whether a kernel holds f32x4 statements (CPU SIMD strategies), which GPU emitters reject. */
function hasVectorStatements(stmts: readonly Stmt[]): boolean {
  return stmts.some((s) => s.k === 'vlet' || s.k === 'vstore' || s.k === 'vunpack'
    || (s.k === 'for' && hasVectorStatements(s.body)) || (s.k === 'if' && (hasVectorStatements(s.then) || hasVectorStatements(s.else ?? []))));
}

function expectValid(kernels: readonly Kernel[], what: string): void {
  const r = validateSpirv(emitSpirvExecutable(kernels).code, 'vulkan1.1')!;
  expect(r.valid ? 'valid' : `${what}: ${r.message}`).toBe('valid');
}

afterAll(() => {
  if (!HAVE_SPIRV_VAL || cases.length === 0) return;
  const why = [...notLowered].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n}× ${k}`);
  console.log(
    `SPIR-V conformance: ${cases.length} models, ${counts.regions} regions; GPU strategy: ${counts.gpuValid} modules valid, ${counts.gpuNotLowered} regions not lowered; ` +
    `CPU strategy: ${counts.cpuModules} modules (${counts.cpuKernelsValid} kernels) valid, ${counts.cpuSimd} SIMD kernels (CPU only), ${counts.cpuNotLowered} regions not lowered; ` +
    `${skipped.size} models not imported or partitioned`,
    why,
  );
});

describe.skipIf(!HAVE_SPIRV_VAL)('SPIR-V of every region of the ONNX conformance models validates for Vulkan 1.1', () => {
  it.skipIf(cases.length > 0)('has conformance models', () => {
    expect(existsSync(NODE_TESTS_DIR)).toBe(false);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const cpuKernels: Kernel[] = [];
    c.regions.forEach((region, i) => {
      counts.regions++;
      const gpu = tryLower(region, `dispatch_${i}`, lowerRegionGpu);
      if (gpu) {
        expectValid([gpu], `GPU kernel of region ${i}`);
        counts.gpuValid++;
      } else {
        counts.gpuNotLowered++;
      }
      const cpu = tryLower(region, `dispatch_${i}`, lowerRegion);
      if (!cpu) counts.cpuNotLowered++;
      else if (hasVectorStatements(cpu.body)) counts.cpuSimd++;
      else cpuKernels.push(cpu);
    });
    if (cpuKernels.length > 0) {
      expectValid(cpuKernels, 'CPU kernels');
      counts.cpuModules++;
      counts.cpuKernelsValid += cpuKernels.length;
    }
  });
});

describe.skipIf(HAVE_SPIRV_VAL)('SPIR-V conformance validation', () => {
  it('is skipped: spirv-val is not installed (apt-get install spirv-tools)', () => {
    expect(HAVE_SPIRV_VAL).toBe(false);
  });
});
