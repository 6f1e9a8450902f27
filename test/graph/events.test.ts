import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/cache/memory-store.js';
import { Database } from '../../src/graph/database.js';
import { formatEventSummary, summarizeEvents, type QueryEvent } from '../../src/graph/events.js';
import { formatKey } from '../../src/graph/key-display.js';
import { defineInput, defineQuery } from '../../src/graph/query.js';
import { captureEvents } from './helpers.js';

describe('events', () => {
  it('one event per result per revision, with key display, key hash and timing', async () => {
    const n = defineInput<null, number>('n');
    const leaf = defineQuery<number, number>({ name: 'leaf', version: '1', compute: (ctx, i) => ctx.input(n, null) + i });
    const root = defineQuery<string, number>({
      name: 'root',
      version: '1',
      compute: async (ctx) => (await ctx.get(leaf, 1)) + (await ctx.get(leaf, 1)) + (await ctx.get(leaf, 2)),
    });
    const store = await MemoryStore.create();
    const db = new Database({ store });
    const ev = captureEvents(db);
    db.setInput(n, null, 0);
    await db.get(root, 'r');
    await db.get(root, 'r');
    expect(ev.events.map((e) => [e.query, e.key, e.outcome])).toEqual([
      ['leaf', '1', 'executed'],
      ['leaf', '2', 'executed'],
      ['root', '"r"', 'executed'],
    ]);
    const e = ev.events[2]!;
    expect(e.keyHash).toBe(store.fingerprintValue('r'));
    expect(e.revision).toBe(db.revision);
    expect(e.ms).toBeGreaterThanOrEqual(0);
  });

  it('summarizes by query and outcome and renders a table', () => {
    const ev = (query: string, outcome: QueryEvent['outcome'], ms = 1): QueryEvent => ({ query, key: 'k', keyHash: '0'.repeat(16), outcome, ms, revision: 1 });
    const summary = summarizeEvents([ev('lower', 'executed', 2.5), ev('lower', 'verified'), ev('lower', 'verified'), ev('import', 'reused'), ev('link', 'executed', 4)]);
    expect(summary.total).toEqual({ executed: 2, verified: 2, reused: 1, executedMs: 6.5 });
    expect(summary.queries.map((q) => [q.query, q.executed, q.verified, q.reused])).toEqual([
      ['import', 0, 0, 1],
      ['link', 1, 0, 0],
      ['lower', 1, 2, 0],
    ]);
    expect(formatEventSummary(summary)).toBe(
      [
        'query   executed  verified  reused   ms',
        'import         0         0       1  0.0',
        'link           1         0       0  4.0',
        'lower          1         2       0  2.5',
        'total          2         2       1  6.5',
      ].join('\n'),
    );
  });

  it('formats keys briefly', () => {
    expect(formatKey('a')).toBe('"a"');
    expect(formatKey({ b: [1, 2n], a: null })).toBe('{a: null, b: [1, 2n]}');
    expect(formatKey(new Float32Array(4))).toBe('Float32Array(16 bytes)');
    expect(formatKey('x'.repeat(500)).length).toBe(80);
  });
});
