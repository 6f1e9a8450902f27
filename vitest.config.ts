import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // 2-core machines: keep parallel workers bounded so suites stay predictable.
    maxWorkers: 2,
    // Recycled model-file buffers are overwritten: a stale view of released bytes fails tests.
    env: { IREETS_POISON_RECYCLED: '1' },
  },
});
