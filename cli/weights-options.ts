// `--weights`: where a compile puts the weights (compile, watch), and where a module's parameter
// archive is when it is not beside the module (run, bench, dump).
const WHERE = 'external: weights in a parameter archive beside the module (MODEL.params), rewritten only when they change; embed: one self-contained module file';

export const weightsPlacementOption = (fallback: 'embed' | 'external') =>
  ({ choices: ['embed', 'external'] as const, default: fallback, describe: WHERE }) as const;

export const weightsFileOption = {
  type: 'string',
  describe: 'the parameter archive of a module compiled with --weights external (default: the file it names, beside it)',
} as const;
