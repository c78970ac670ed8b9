// One build for the three Electron targets (see docs/ARCHITECTURE.md, "Build"):
//   main     → out/main/index.js (Electron shell), webhost.js (browser transport), db-writer.js (worker),
//              embedded-backend.js (the built-in backend's worker)
//   preload  → out/preload/index.cjs, one CommonJS file as a sandboxed preload requires
//   renderer → out/renderer (React UI), identical for Electron and the web host
// `electron-vite build` does not need the Electron binary; only `dev`/`preview` do.
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve('electron/main.ts'),
          webhost: resolve('electron/webhost.ts'),
          'db-writer': resolve('electron/services/db/writer-worker.ts'),
          // The built-in backend (a worker thread of main, loaded by URL: electron/ never imports backend/).
          'embedded-backend': resolve('backend/embedded-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'renderer',
    plugins: [react()],
    build: {
      outDir: 'out/renderer',
      sourcemap: true,
      rollupOptions: { input: { index: resolve('renderer/index.html') } },
    },
  },
});
