import { defineConfig } from 'vitest/config';

// `npm run test:packages`: the whole upstream package set with every check, twice (see
// test/packages/full-set.packages.ts). Not part of `npm test`, which builds a subset.
export default defineConfig({
  test: {
    include: ['test/packages/**/*.packages.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 600_000,
    hookTimeout: 7_200_000,
    maxWorkers: 1,
  },
});
