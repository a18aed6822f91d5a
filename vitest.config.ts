import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Node loads graphql's CommonJS build (the package has no "exports" map), and so do Apollo
    // and the other dependencies; left alone, Vite would give our own files the ESM build
    // ("module"), and two copies of graphql fail each other's instanceof checks.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
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
