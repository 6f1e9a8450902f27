// The build graph's inputs: what the compiler reads from outside.
import { defineInput } from '../../graph/query.js';
import type { Target } from '../compile-pipeline.js';
import type { TuningSpec } from './tuning.js';

/** A model file's bytes, by the path the caller gave. Durability LOW: models are what people edit. */
export const modelFile = defineInput<string, Uint8Array>('modelFile');

/** The tuning spec of a target (`{}` when none). Durability HIGH: it changes rarely. */
export const tuningSpec = defineInput<Target, TuningSpec>('tuningSpec');
