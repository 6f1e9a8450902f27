import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaseResult, CaseStatus } from './case-result.js';

/** Case name → status; what status-<backend>.json holds. */
export type StatusMap = Record<string, CaseStatus>;

const HERE = dirname(fileURLToPath(import.meta.url));

/** The committed expectations of a backend: test/conformance/status-<backend>.json. */
export function committedStatusPath(backend: string): string {
  return join(HERE, `status-${backend}.json`);
}

/** Where a run without --update writes its results (tmp/ is git-ignored). */
export function freshStatusPath(backend: string): string {
  return join(HERE, '..', '..', 'tmp', 'conformance', `status-${backend}.json`);
}

export function readStatusFile(path: string): StatusMap {
  if (!existsSync(path)) return {};
  return JSON.parse(readFileSync(path, 'utf8')) as StatusMap;
}

/** Writes a status map with sorted keys and a fixed field order: equal results, equal bytes. */
export function writeStatusFile(path: string, statuses: StatusMap): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, formatStatusMap(statuses));
}

export function formatStatusMap(statuses: StatusMap): string {
  const lines = Object.keys(statuses).sort().map((name) => `  ${JSON.stringify(name)}: ${JSON.stringify(canonical(statuses[name]!))}`);
  return `{\n${lines.join(',\n')}\n}\n`;
}

function canonical(s: CaseStatus): CaseStatus {
  const out: CaseStatus = { status: s.status };
  if (s.category !== undefined) out.category = s.category;
  if (s.maxAbsError !== undefined) out.maxAbsError = s.maxAbsError;
  if (s.maxRelError !== undefined) out.maxRelError = s.maxRelError;
  if (s.message !== undefined) out.message = s.message;
  return out;
}

export function toStatusMap(results: readonly CaseResult[]): StatusMap {
  const map: StatusMap = {};
  for (const r of results) {
    const { name, opTypes: _ops, outOfScopeReason: _why, ms: _ms, ...status } = r;
    map[name] = canonical(status);
  }
  return map;
}

/** How a run differs from the committed expectations, over the cases the run covered. */
export interface StatusDiff {
  /** Committed as pass, not passing now. */
  regressions: string[];
  /** Not committed as pass (or not listed), passing now: the committed file is out of date. */
  unexpectedPasses: string[];
}

export function diffStatuses(committed: StatusMap, fresh: StatusMap): StatusDiff {
  const regressions: string[] = [];
  const unexpectedPasses: string[] = [];
  for (const name of Object.keys(fresh).sort()) {
    const was = committed[name]?.status === 'pass';
    const is = fresh[name]!.status === 'pass';
    if (was && !is) regressions.push(name);
    if (!was && is) unexpectedPasses.push(name);
  }
  return { regressions, unexpectedPasses };
}
