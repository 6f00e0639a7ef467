import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // Real-time end-to-end suites measure milliseconds: they run one file at a time, after
    // the fast unit suites (which run in parallel and inject their clocks). A 2-core CI
    // machine can lose the CPU for tens of ms to another process; such a test gets one more
    // try (retry: 1) with its bounds unchanged, so a real timing bug still fails twice.
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: ['test/e2e/**'] } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], fileParallelism: false, retry: 1, sequence: { groupOrder: 1 } } },
    ],
  },
});
