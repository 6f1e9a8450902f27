// What a process hashed and packed so far (the counters facts spare a fresh process).
import { packCounts } from '../../src/codegen/strategies/pack-weights.js';
import { reuseCounts } from '../../src/frontend/initializer-reuse.js';

export const codegenCounts = (): { hashed: number; packed: number } => ({ hashed: reuseCounts.hashed, packed: packCounts.packed });
