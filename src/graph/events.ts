/**
 * What the engine did, one event per (query, key) each time it is brought up to date in a
 * revision — repeated reads in the same revision emit nothing, so counts mean "how many
 * results were produced how":
 *   executed  the compute ran (no memo, a dependency's fingerprint changed, or the value was lost);
 *   verified  a memo from an earlier revision or from the store was proven valid by checking
 *             every dependency's fingerprint, in recorded order, without running the compute;
 *   reused    a memo was valid without looking at its dependencies: nothing of its durability
 *             changed since it was last verified (the durability shortcut).
 * ms is wall time from starting on the result to having it, nested work included.
 */
import { formatKey } from './key-display.js';

export type QueryOutcome = 'executed' | 'verified' | 'reused';

export interface QueryEvent {
  readonly query: string;
  /** Display form of the key (truncated); keyHash identifies it exactly. */
  readonly key: string;
  readonly keyHash: string;
  readonly outcome: QueryOutcome;
  readonly ms: number;
  readonly revision: number;
}

/**
 * An event whose key display is rendered when first read: most listeners count outcomes and
 * never look, and rendering every executable's key (a region body) is not free.
 */
export function queryEvent(query: string, rawKey: unknown, keyHash: string, outcome: QueryOutcome, ms: number, revision: number): QueryEvent {
  let key: string | undefined;
  return {
    query,
    get key(): string {
      return (key ??= formatKey(rawKey));
    },
    keyHash,
    outcome,
    ms,
    revision,
  };
}

export interface OutcomeCounts {
  executed: number;
  verified: number;
  reused: number;
  /** Sum of ms over executed events (nested executions are counted in their parents too). */
  executedMs: number;
}

export interface EventSummary {
  total: OutcomeCounts;
  /** Sorted by query name. */
  queries: Array<{ query: string } & OutcomeCounts>;
}

const zero = (): OutcomeCounts => ({ executed: 0, verified: 0, reused: 0, executedMs: 0 });

export function summarizeEvents(events: Iterable<QueryEvent>): EventSummary {
  const total = zero();
  const byQuery = new Map<string, OutcomeCounts>();
  for (const e of events) {
    let c = byQuery.get(e.query);
    if (!c) byQuery.set(e.query, (c = zero()));
    for (const counts of [c, total]) {
      counts[e.outcome]++;
      if (e.outcome === 'executed') counts.executedMs += e.ms;
    }
  }
  const queries = [...byQuery].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([query, c]) => ({ query, ...c }));
  return { total, queries };
}

/** A short fixed-width table, e.g. for `--explain`. */
export function formatEventSummary(summary: EventSummary): string {
  const rows: string[][] = [['query', 'executed', 'verified', 'reused', 'ms']];
  const row = (name: string, c: OutcomeCounts) => [name, `${c.executed}`, `${c.verified}`, `${c.reused}`, c.executedMs.toFixed(1)];
  for (const q of summary.queries) rows.push(row(q.query, q));
  rows.push(row('total', summary.total));
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')).join('\n');
}
