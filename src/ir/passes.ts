// The IR pipeline up to a named stage, for the CLI and tests.
import type { IRModule } from './graph.js';
import { foldConstants } from './fold-constants.js';
import { inferShapes } from './infer-shapes.js';
import { verifyModule } from './verifier.js';

/** Stages after import: 'import' (verify only), 'infer' (+ shape inference), 'fold' (+ constant folding). */
export type PipelineStage = 'import' | 'infer' | 'fold';
export const PIPELINE_STAGES: readonly PipelineStage[] = ['import', 'infer', 'fold'];

export interface PipelineOptions {
  /**
   * Verify after inference too when folding follows (default true). Inference changes only
   * types, and the verify after folding checks them again: a compiler that only wants the
   * folded module skips the one in between.
   */
  verifyInferred?: boolean;
}

/**
 * Runs the passes up to `upTo` on `mod` in place (verifying after each) and returns it. Where
 * shape inference runs right after a verify, or just ran before one, the verify checks structure
 * only: inference re-runs every op's rule and checks its result count itself, and re-running all
 * rules once more for the verifier was a quarter of an optimized import.
 */
export function runPipeline(mod: IRModule, upTo: PipelineStage, options: PipelineOptions = {}): IRModule {
  verifyModule(mod, { checkArity: upTo === 'import' });
  if (upTo === 'import') return mod;
  inferShapes(mod);
  if (upTo === 'infer' || options.verifyInferred !== false) verifyModule(mod, { checkArity: false });
  if (upTo === 'infer') return mod;
  foldConstants(mod);
  inferShapes(mod);
  verifyModule(mod, { checkArity: false });
  return mod;
}
