import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

/**
 * Three builds: main (+ the engine's utilityProcess entry and the document worker thread), a sandboxed preload bundled whole as CJS
 * (a sandboxed preload can require only 'electron'), and the renderer (same settings as renderer/vite.config.ts).
 */
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve('electron/main/index.ts'),
          engineProcess: resolve('electron/main/engineProcess.ts'),
          // Export, import and autosave packing run in a worker thread off the main thread (core/jobs/documentWorker.ts).
          documentWorker: resolve('electron/core/jobs/documentWorkerThread.ts'),
        },
        // Native addons and their loaders stay in node_modules.
        external: ['onnxruntime-node', 'sharp', 'better-sqlite3'],
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('electron/preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('renderer'),
    base: './',
    plugins: [react()],
    build: {
      outDir: resolve('out/renderer'),
      target: 'chrome120',
      rollupOptions: { input: resolve('renderer/index.html') },
    },
  },
});
