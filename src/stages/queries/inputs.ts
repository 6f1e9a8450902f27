// The build graph's inputs: what the compiler reads from outside.
import { defineInput } from '../../graph/query.js';
import type { Target } from '../compile-pipeline.js';
import type { FileDigest } from './file-contents.js';
import type { TuningSpec } from './tuning.js';

/**
 * A model file's content digest, by the path the caller gave (the bytes: file-contents.ts).
 * Durability LOW: models are what people edit.
 */
export const modelFile = defineInput<string, FileDigest>('modelFile');

/** The tuning spec of a target (`{}` when none). Durability HIGH: it changes rarely. */
export const tuningSpec = defineInput<Target, TuningSpec>('tuningSpec');
