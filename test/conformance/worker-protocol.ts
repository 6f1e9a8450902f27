import type { CaseResult } from './case-result.js';
import type { ConformanceCase } from './cases.js';

/** Messages between the pool (pool.ts) and its case workers (case-worker.ts). */
export interface ToWorker {
  id: number;
  case: ConformanceCase;
}

export type FromWorker =
  | { kind: 'ready' }
  | { kind: 'result'; id: number; result: CaseResult };
