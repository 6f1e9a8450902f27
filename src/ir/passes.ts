// The IR pipeline up to a named stage, for the CLI and tests.
import type { IRModule } from './graph.js';
import { foldConstants } from './fold-constants.js';
import { inferShapes } from './infer-shapes.js';
import { verifyModule } from './verifier.js';

/** Stages after import: 'import' (verify only), 'infer' (+ shape inference), 'fold' (+ constant folding). */
export type PipelineStage = 'import' | 'infer' | 'fold';
export const PIPELINE_STAGES: readonly PipelineStage[] = ['import', 'infer', 'fold'];

/** Runs the passes up to `upTo` on `mod` in place (verifying after each) and returns it. */
export function runPipeline(mod: IRModule, upTo: PipelineStage): IRModule {
  verifyModule(mod);
  if (upTo === 'import') return mod;
  inferShapes(mod);
  verifyModule(mod);
  if (upTo === 'infer') return mod;
  foldConstants(mod);
  inferShapes(mod);
  verifyModule(mod);
  return mod;
}
