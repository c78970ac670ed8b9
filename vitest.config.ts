// Unit and integration tests (plain Node). End-to-end tests have their own runner (test/e2e/run.mjs),
// because they drive real Chromium processes and a real Kamailio inside a network namespace.
import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.{ts,tsx}', 'test/integration/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
  resolve: {
    // Never evaluate the real 'electron' package in tests: from Electron 42 it downloads its binary on
    // first require, which cannot work here. Services do not import it (eslint fences); adapters that
    // do are tested against this stand-in.
    alias: { electron: fileURLToPath(new URL('./test/mocks/electron.ts', import.meta.url)) },
  },
});
