// What `ireets tune` prints while it works and when it is done.
import { describe, expect, it } from 'vitest';
import { regionLine, statusLine, summaryLines } from '../../../src/stages/tune/progress.js';
import type { RegionResult, TrialResult, TuneReport } from '../../../src/stages/tune/tuner.js';

const trial: TrialResult = { regionKey: 'aaaaaaaaaaaaaaaa', tuning: { tileRows: 3 }, median_ms: 0.5, ratio: 0.9, resumed: false, sameCode: false, executablesCompiled: 1, relinked: true, compile_ms: 12 };
const region: RegionResult = {
  regionKey: 'aaaaaaaaaaaaaaaa', label: 'conv 3x3, 8→16', strategy: 'conv', dispatches: 2, ordinal: 4, candidates: 10, trials: 7, resumed: 3,
  baseline_ms: 0.6, baselineAfter_ms: 0.62, drift: 0.03, noise: 0.01, kept: true, reason: 'tileRows=3: 90.0% of the default (margin 2.0%)',
  best: { tuning: { tileRows: 3 }, median_ms: 0.55, ratio: 0.9, confirmedRatio: 0.9 },
};

describe('tune progress', () => {
  it('shows trials done, the best so far and the time left', () => {
    const line = statusLine({ kind: 'trial', index: 3, of: 10, trial, best_ratio: 0.85, msLeft: 12_300 }, { index: 0, of: 2, label: 'conv 3x3, 8→16' });
    expect(line).toBe('region 1/2 conv 3x3, 8→16: trial 3/10 tileRows=3 → 500.0 µs; best -15.0%; 13 s left');
    expect(statusLine({ kind: 'trial', index: 4, of: 10, trial: { ...trial, resumed: true }, best_ratio: 0.85, msLeft: 0 }, { index: 0, of: 2, label: 'x' })).toContain('→ resumed');
  });

  it('sums up a region and the run', () => {
    expect(regionLine(region)).toBe('tuned aaaaaaaaaaaaaaaa conv 3x3, 8→16 [conv] ×2: 620.0 µs → 550.0 µs (-10.0%); 7 trials + 3 resumed of 10; tileRows=3: 90.0% of the default (margin 2.0%)');
    const report: TuneReport = { path: 'm.onnx', target: 'cpu', device: 'cpu (x, 2 threads)', spec: {}, regions: [region], trials: 7, resumed: 3, elapsed_ms: 30_000, trialsPerMinute: 14, model: { default_ms: 10, tuned_ms: 9.5, ratio: 0.95 } };
    expect(summaryLines(report, 'm.tuning.json')).toEqual([
      '1 of 1 regions tuned on cpu (x, 2 threads) in 30.0 s: 7 trials (14/min), 3 resumed from the cache',
      'whole model: 10.00 ms → 9.50 ms (-5.0%)',
      'wrote m.tuning.json (ireets compile --tuning m.tuning.json)',
    ]);
  });
});
