// The autotuner's loop on a real fixture: every trial rebuilds exactly one executable through the
// build graph and relinks the module; a second run on the same cache resumes the measured trials
// instead of repeating them; the spec it writes is one `ireets compile --tuning` accepts, and a
// kept candidate changes the module only in that region's executable.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFixture } from '../../../fixtures/generate.js';
import { CpuDevice } from '../../../src/hal/cpu/cpu-device.js';
import { randomInputs } from '../../../src/runtime/benchmark.js';
import { Session } from '../../../src/runtime/session.js';
import { openCompiler, type Compiler } from '../../../src/stages/compiler.js';
import { checkTuningSpec, tuningForRegion } from '../../../src/stages/queries/tuning.js';
import { enumerateCandidates, regionTuningSpace } from '../../../src/stages/tune/candidates.js';
import { Tuner, type TrialResult, type TuneReport } from '../../../src/stages/tune/tuner.js';

const cacheDir = mkdtempSync(join(tmpdir(), 'ireets-tune-'));
let compiler: Compiler;
let device: CpuDevice;
let model: string;

beforeAll(async () => {
  model = await ensureFixture('tiny_cnn');
  compiler = await openCompiler({ cacheDir });
  device = await CpuDevice.create({ threads: 1 });
});
afterAll(async () => {
  await compiler?.close();
  await device?.destroy();
  rmSync(cacheDir, { recursive: true, force: true });
});

async function tuneOnce(dispatch: string): Promise<{ report: TuneReport; trials: TrialResult[] }> {
  const trials: TrialResult[] = [];
  const tuner = new Tuner({ path: model, target: 'cpu', device, compiler, dispatch, budgetMs: 60_000, runs: 3, maxCandidates: 4, verifyModel: false });
  tuner.events.subscribe((e) => {
    if (e.kind === 'trial') trials.push(e.trial);
  });
  return { report: await tuner.run(), trials };
}

describe('ireets tune', () => {
  it('rebuilds one executable per trial, relinks, and resumes from the cache', async () => {
    await compiler.compile(model, { target: 'cpu' });
    const regions = await compiler.regions(model, { target: 'cpu' });
    const conv = regions.find((r) => r.label.startsWith('conv'))!;
    expect(conv).toBeDefined();
    const space = regionTuningSpace(conv.body, 'cpu');
    const expected = Math.min(4, enumerateCandidates(space).length);
    expect(expected).toBeGreaterThan(0);

    const first = await tuneOnce(conv.regionKey);
    expect(first.trials).toHaveLength(expected);
    for (const t of first.trials) {
      expect(t.resumed).toBe(false);
      // Exactly the region's executable: everything else (import, partition, the other
      // regions' executables, schedule) is reused; the module is relinked.
      expect(t.executablesCompiled).toBe(1);
      expect(t.relinked).toBe(true);
      expect(t.median_ms).toBeGreaterThan(0);
    }
    expect(first.report.regions).toHaveLength(1);
    expect(first.report.regions[0]!.trials).toBe(expected);

    // A second run over the same cache measures nothing again.
    const second = await tuneOnce(conv.regionKey);
    expect(second.trials.map((t) => t.resumed)).toEqual(first.trials.map(() => true));
    expect(second.trials.map((t) => t.tuning)).toEqual(first.trials.map((t) => t.tuning));
    expect(second.trials.map((t) => t.ratio)).toEqual(first.trials.map((t) => t.ratio));
    expect(second.trials.every((t) => t.executablesCompiled === 0)).toBe(true);
    expect(second.report.regions[0]!.resumed).toBe(expected);

    // The spec is valid input for the compiler, and tunes only that region on that target.
    const spec = second.report.spec;
    checkTuningSpec(spec);
    const kept = second.report.regions[0]!;
    const other = regions.find((r) => r.regionKey !== conv.regionKey)!;
    expect(tuningForRegion(spec, other.regionKey, 'cpu')).toEqual({});
    expect(tuningForRegion(spec, conv.regionKey, 'webgpu')).toEqual({});
    expect(tuningForRegion(spec, conv.regionKey, 'cpu')).toEqual(kept.kept ? kept.best!.tuning : {});
  }, 240_000);

  it('provenance (`about`) changes nothing: no executable, no relink', async () => {
    const regions = await compiler.regions(model, { target: 'cpu' });
    const conv = regions.find((r) => r.label.startsWith('conv'))!;
    const candidate = enumerateCandidates(regionTuningSpace(conv.body, 'cpu'))[0]!;
    const spec = { targets: { cpu: { regions: { [conv.regionKey]: candidate } } } };
    await compiler.compile(model, { target: 'cpu', tuning: { ...spec, about: { run: 1 } } });
    const again = await compiler.compile(model, { target: 'cpu', tuning: { ...spec, about: { run: 2, note: 'retuned elsewhere' } } });
    expect(again.explain.executablesCompiled).toBe(0);
    expect(again.explain.stages.find((s) => s.stage === 'module')!.executed).toBe(0);
  }, 120_000);

  it('applies a region override: only that executable changes, and the model still computes the same', async () => {
    const regions = await compiler.regions(model, { target: 'cpu' });
    const conv = regions.find((r) => r.label.startsWith('conv'))!;
    const candidate = enumerateCandidates(regionTuningSpace(conv.body, 'cpu'))[0]!;
    const spec = { targets: { cpu: { regions: { [conv.regionKey]: candidate } } } };
    const tuned = await compiler.compile(model, { target: 'cpu', tuning: spec });
    expect(tuned.explain.executablesCompiled).toBeLessThanOrEqual(1);
    const after = await compiler.regions(model, { target: 'cpu', tuning: spec });
    const changed = after.filter((r, i) => r.executables.cpu !== regions[i]!.executables.cpu).map((r) => r.regionKey);
    expect(changed.every((k) => k === conv.regionKey)).toBe(true);

    const plain = await compiler.compile(model, { target: 'cpu' });
    const outputs = async (module: Uint8Array): Promise<Float32Array> => {
      const s = await Session.load(module, device);
      try {
        return (await s.run(randomInputs(s.inputs, 7)))[0]!.data as Float32Array;
      } finally {
        s.close();
      }
    };
    const a = await outputs(plain.module);
    const b = await outputs(tuned.module);
    expect(b.length).toBe(a.length);
    const scale = Math.max(...a.map(Math.abs));
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-5 * scale + 1e-4 * Math.abs(a[i]!));
  }, 120_000);
});
