import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One real Neo4j for the whole run (test/support/globalSetup.ts). Test files share it, so
    // they run one after another; each file resets the database to the graph it describes.
    globalSetup: ['test/support/globalSetup.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
