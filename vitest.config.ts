import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    // Suites spawn real wasm builds; two cores, so keep file-level parallelism modest.
    maxWorkers: 2,
  },
});
