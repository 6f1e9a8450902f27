// The GPU run's results as a markdown table (written next to the JSON, and printed).
import type { RunReport } from './run-gpu.js';

const ms = (v: number | undefined): string => (v === undefined ? '–' : v.toFixed(2));
const exp = (v: number): string => (Number.isFinite(v) ? v.toExponential(2) : String(v));

export function formatMarkdown(r: RunReport): string {
  const lines = [
    `GPU adapter: ${r.adapter}; CPU: ${r.cpu}, ${r.threads} threads; ${r.runs} timed runs after ${r.warmup} warm-up; Node ${r.node}; ${r.started}`,
    '',
    '| model | weights | GPU vs CPU: max abs err (of max\\|out\\|) | worst/tol | pass | webgpu median (min–max) ms | cpu median (min–max) ms | compile ms |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const m of r.models) {
    if (m.error) {
      lines.push(`| ${m.model} | ${m.source} | error: ${m.error.split('\n')[0]} | | | | | |`);
      continue;
    }
    const c = m.gpu_vs_cpu ?? [];
    const err = c.map((o) => `${exp(o.max_abs)} (${exp(o.max_abs / o.max_expected)})`).join(', ');
    const worst = c.map((o) => o.worst.toFixed(3)).join(', ');
    const pass = c.every((o) => o.pass) ? 'yes' : 'NO';
    const lat = (s: typeof m.cpu): string => (s ? `${ms(s.median_ms)} (${ms(s.min_ms)}–${ms(s.max_ms)})` : '–');
    lines.push(`| ${m.model} | ${m.source} | ${err} | ${worst} | ${pass} | ${lat(m.webgpu)} | ${lat(m.cpu)} | ${ms(m.compile_ms)} |`);
  }
  const ort = r.models.filter((m) => m.vs_ort);
  if (ort.length) {
    lines.push('', '| model | webgpu vs onnxruntime: max abs err, worst/tol | cpu vs onnxruntime |', '|---|---|---|');
    for (const m of ort) {
      const f = (cs: NonNullable<typeof m.vs_ort>['cpu']): string => cs.map((o) => `${exp(o.max_abs)}, ${o.worst.toFixed(3)}`).join('; ');
      lines.push(`| ${m.model} | ${f(m.vs_ort!.webgpu)} | ${f(m.vs_ort!.cpu)} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}
