export { Database, type DatabaseOptions, type GetOptions, type MemoInfo } from './database.js';
export { Durability } from './durability.js';
export {
  defineInput,
  defineQuery,
  type AnyQuery,
  type DerivedQuery,
  type InputOptions,
  type InputQuery,
  type Query,
  type QueryContext,
} from './query.js';
export { summarizeEvents, formatEventSummary, type EventSummary, type OutcomeCounts, type QueryEvent, type QueryOutcome } from './events.js';
export type { CommitReport } from './commit.js';
export { formatKey } from './key-display.js';
export type { Store } from '../cache/store.js';
