/** Shared test fixtures: temp cache dirs with real LMDB, and event capture. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbStore } from '../../src/cache/lmdb-store.js';
import type { Database } from '../../src/graph/database.js';
import type { QueryEvent } from '../../src/graph/events.js';

export function makeTempDir(prefix = 'ireets-test-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Opens an LmdbStore in a fresh temp dir; close() closes it and deletes the dir. */
export async function tempStore(): Promise<{ store: LmdbStore; dir: string; close(): Promise<void> }> {
  const tmp = makeTempDir();
  const store = await LmdbStore.open({ cacheDir: tmp.dir });
  return {
    store,
    dir: tmp.dir,
    close: async () => {
      await store.close();
      tmp.remove();
    },
  };
}

/** Collects db's events until stop(); `take()` returns and clears what was collected. */
export function captureEvents(db: Database): { events: QueryEvent[]; take(): QueryEvent[]; stop(): void } {
  const events: QueryEvent[] = [];
  const sub = db.events$.subscribe((e) => events.push(e));
  return {
    events,
    take: () => events.splice(0, events.length),
    stop: () => sub.unsubscribe(),
  };
}

/** "query:outcome" strings, sorted, for compact assertions. */
export function outcomes(events: readonly QueryEvent[]): string[] {
  return events.map((e) => `${e.query}(${e.key}):${e.outcome}`).sort();
}
