// Backend tests: integration tests against a real PostgreSQL server and against PGlite (the same suite
// runs on both), plus unit tests of the backend and the shared sync protocol. Run them with
// `bash backend/test/run.sh`, which starts a throwaway PostgreSQL cluster (backend/test/pg-cluster.sh).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('.', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
