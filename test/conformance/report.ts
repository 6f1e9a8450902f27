import type { CaseResult } from './case-result.js';
import type { StatusDiff } from './status-file.js';

/** One line per case that did not pass (and, verbose, per case that did). */
export function caseLines(results: readonly CaseResult[], verbose: boolean): string[] {
  return results
    .filter((r) => verbose || r.status !== 'pass')
    .map((r) => {
      const scope = r.category === 'out-of-scope' ? ` [out of scope: ${r.outOfScopeReason}]` : r.category ? ` [${r.category}]` : '';
      return `${r.status.padEnd(5)} ${r.name}${scope}${r.message ? `  ${r.message}` : ''}`;
    });
}

export function diffLines(diff: StatusDiff, backend: string): string[] {
  const lines: string[] = [];
  if (diff.regressions.length) {
    lines.push(`REGRESSIONS (committed as pass in status-${backend}.json, not passing now): ${diff.regressions.length}`);
    for (const n of diff.regressions) lines.push(`  ${n}`);
  }
  if (diff.unexpectedPasses.length) {
    lines.push(`newly passing (not pass in status-${backend}.json): ${diff.unexpectedPasses.length}; `
      + `record them with: npm run conformance -- --backend ${backend} --update`);
    for (const n of diff.unexpectedPasses) lines.push(`  ${n}`);
  }
  return lines;
}

/** Out-of-scope and random cases, counted apart so the in-scope pass rate is visible. */
export function scopeLines(results: readonly CaseResult[]): string[] {
  const random = results.filter((r) => r.category === 'random');
  const randomLine = random.length
    ? [`random outputs (compared where both sides are nonzero): ${random.length} cases, ${random.filter((r) => r.status === 'pass').length} pass`]
    : [];
  const out = results.filter((r) => r.category === 'out-of-scope');
  if (!out.length) return randomLine;
  const byReason = new Map<string, number>();
  for (const r of out) byReason.set(r.outOfScopeReason ?? '?', (byReason.get(r.outOfScopeReason ?? '?') ?? 0) + 1);
  const inScope = results.filter((r) => r.category !== 'out-of-scope');
  const reasons = [...byReason].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k} ${n}`).join(', ');
  return [
    ...randomLine,
    `out of scope: ${out.length} cases (${reasons}), ${out.filter((r) => r.status === 'pass').length} of them pass`,
    `in scope: ${inScope.filter((r) => r.status === 'pass').length} of ${inScope.length} pass`,
  ];
}

/**
 * Pass counts per ONNX op: the case's single op type; `_expanded` cases count under their
 * original's op, marked "(expanded)"; anything else under its op types joined with "+".
 */
export function perOpLines(results: readonly CaseResult[]): string[] {
  const opOfCase = new Map<string, string>();
  for (const r of results) {
    const ops = r.opTypes.filter((o) => o !== 'Constant');
    opOfCase.set(r.name, ops.length === 1 ? ops[0]! : (ops.length ? ops.join('+') : r.opTypes.join('+') || '?'));
  }
  const groups = new Map<string, { pass: number; total: number }>();
  for (const r of results) {
    const m = /^(.*)_expanded/.exec(r.name);
    const original = m ? opOfCase.get(m[1]!) : undefined;
    const key = original ? `${original} (expanded)` : opOfCase.get(r.name)!;
    const g = groups.get(key) ?? { pass: 0, total: 0 };
    g.total++;
    if (r.status === 'pass') g.pass++;
    groups.set(key, g);
  }
  const keys = [...groups.keys()].sort((a, b) => a.localeCompare(b));
  const width = Math.min(48, Math.max(...keys.map((k) => k.length)));
  return ['per op (passed/total):', ...keys.map((k) => {
    const g = groups.get(k)!;
    return `  ${k.padEnd(width)} ${g.pass}/${g.total}${g.pass < g.total ? '  <' : ''}`;
  })];
}

/** When the backend could not even load, say so once, loudly, instead of only per case. */
export function backendLoadLines(results: readonly CaseResult[]): string[] {
  const failed = results.find((r) => r.message?.startsWith('BACKEND_LOAD: '));
  if (!failed) return [];
  const n = results.filter((r) => r.message?.startsWith('BACKEND_LOAD: ')).length;
  return [`THE BACKEND FAILED TO LOAD in ${n} cases: ${failed.message}`];
}

/** The slowest cases, where a kernel may want a faster loop (or a timeout may loom). */
export function slowestLines(results: readonly CaseResult[], count = 10): string[] {
  const timed = results.filter((r) => r.ms !== undefined).sort((a, b) => b.ms! - a.ms! || a.name.localeCompare(b.name));
  return [`slowest ${Math.min(count, timed.length)} cases:`, ...timed.slice(0, count).map((r) => `  ${(r.ms! / 1000).toFixed(2).padStart(7)} s  ${r.name}`)];
}
