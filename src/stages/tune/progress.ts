// What `ireets tune` prints: a status line per trial on a terminal (trials done, best so far,
// time left), one line per finished region, and the summary at the end.
import type { RegionResult, TuneEvent, TuneReport } from './tuner.js';
import { formatTuning } from './candidates.js';

const pct = (r: number): string => `${((r - 1) * 100).toFixed(1)}%`;
const ms = (x: number): string => (x >= 1 ? `${x.toFixed(2)} ms` : `${(x * 1000).toFixed(1)} µs`);

/** The status line for a trial (a terminal rewrites it in place), or undefined. */
export function statusLine(e: TuneEvent, region: { index: number; of: number; label: string } | undefined): string | undefined {
  if (e.kind === 'ranking') return `timing ${e.regions} tunable regions to pick the slowest…`;
  if (e.kind !== 'trial' || !region) return undefined;
  const t = e.trial;
  const what = t.resumed ? 'resumed' : t.sameCode ? 'same code' : ms(t.median_ms);
  return `region ${region.index + 1}/${region.of} ${region.label}: trial ${e.index}/${e.of} ${formatTuning(t.tuning)} → ${what}; best ${pct(e.best_ratio)}; ${Math.ceil(e.msLeft / 1000)} s left`;
}

export function regionLine(r: RegionResult): string {
  const head = `${r.kept ? 'tuned' : 'kept default'} ${r.regionKey} ${r.label} [${r.strategy}] ×${r.dispatches}`;
  const counts = `${r.trials} trials${r.resumed > 0 ? ` + ${r.resumed} resumed` : ''} of ${r.candidates}`;
  const timing = r.kept && r.best ? `${ms(r.baselineAfter_ms)} → ${ms(r.best.median_ms)} (${pct(r.best.confirmedRatio)})` : `default ${ms(r.baseline_ms)}`;
  return `${head}: ${timing}; ${counts}; ${r.reason}`;
}

export function summaryLines(report: TuneReport, output: string | undefined): string[] {
  const kept = report.regions.filter((r) => r.kept).length;
  const lines = [`${kept} of ${report.regions.length} regions tuned on ${report.device} in ${(report.elapsed_ms / 1000).toFixed(1)} s: ${report.trials} trials (${report.trialsPerMinute.toFixed(0)}/min)${report.resumed > 0 ? `, ${report.resumed} resumed from the cache` : ''}`];
  if (report.model) lines.push(`whole model: ${ms(report.model.default_ms)} → ${ms(report.model.tuned_ms)} (${pct(report.model.ratio)})`);
  if (output) lines.push(`wrote ${output} (ireets compile --tuning ${output})`);
  return lines;
}
