// Lint, and the import fences of ../shared/DESIGN.md §1: each folder runs in one runtime, and a wrong
// import fails `npm test` instead of a review.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const NODE_BUILTINS = ['assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises', 'http', 'https', 'http2', 'module', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'tls', 'url', 'util', 'v8', 'vm', 'worker_threads', 'zlib'];
const nodeBuiltins = [...NODE_BUILTINS, ...NODE_BUILTINS.map((m) => `node:${m}`)];

const fence = (message, paths, patterns = []) => ({
  'no-restricted-imports': ['error', { paths: paths.map((name) => ({ name, message })), patterns: patterns.length ? [{ group: patterns, message }] : [] }],
});

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.bench/**', '.tmp/**', 'test/rig/run/**', 'test/e2e/caller/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...fence('renderer/ runs in a sandboxed page: talk to the main process through window.lianluo only (the cache file format in shared/cache is the writer\'s business)', ['electron', 'better-sqlite3', 'ws', ...nodeBuiltins], ['**/electron/**', '**/backend/**', '**/shared/cache/**']),
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: fence('shared/ is pure TypeScript used by every runtime', ['electron', 'react', 'better-sqlite3', 'ws', ...nodeBuiltins], ['**/electron/**', '**/renderer/**', '**/backend/**']),
  },
  {
    // Everything in electron/ except the few adapters that are the Electron shell.
    files: ['electron/**/*.ts'],
    ignores: ['electron/main.ts', 'electron/preload.ts', 'electron/ipc.ts', 'electron/safe-storage-secrets.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'only main.ts, preload.ts, ipc.ts and safe-storage-secrets.ts may import electron: services must run in plain Node', allowTypeImports: true }],
          patterns: [{ group: ['**/renderer/**', '**/backend/**'], message: 'electron/ may use shared/ only' }],
        },
      ],
    },
  },
  {
    files: ['electron/preload.ts'],
    rules: fence('the sandboxed preload may import electron and the shared IPC names only', ['better-sqlite3', 'zod', 'ws', ...nodeBuiltins], ['**/services/**', '**/renderer/**', '**/backend/**', '**/shared/ipc', '**/shared/domain/**']),
  },
  {
    files: ['backend/**/*.ts'],
    rules: fence('backend/ may use shared/ only', ['electron', 'react'], ['**/electron/**', '**/renderer/**']),
  },
);
