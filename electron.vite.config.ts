import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import vue from '@vitejs/plugin-vue';

const alias = {
  '@renderer': resolve('src/renderer/src'),
  '@shared': resolve('src/shared'),
};

export default defineConfig({
  main: {
    // Native addons (sharp, tfjs-node-gpu, onnxruntime) and all other dependencies stay external.
    // Besides the Electron main process, this build is the `lab` command (cli.js, run by bin/lab.js on the user's
    // Node, hence the node20 target) and the processes both fork: nothing needs a TypeScript loader at run time.
    // playwright-core (a test tool, imported only when present, to check a TFLite export) is never bundled.
    build: {
      externalizeDeps: { include: ['playwright-core'] },
      target: 'node20',
      rollupOptions: {
        input: {
          index: resolve('src/main/app/index.ts'),
          cli: resolve('src/main/cli/index.ts'),
          worker: resolve('src/main/worker/training-worker.ts'),
          'validate-worker': resolve('src/main/datasets/validate-worker.ts'),
        },
      },
    },
  },
  preload: {
    // A sandboxed preload must be CommonJS.
    build: {
      externalizeDeps: true,
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('src/renderer'),
    resolve: { alias },
    plugins: [vue()],
    build: {
      rollupOptions: { input: resolve('src/renderer/index.html') },
      chunkSizeWarningLimit: 2000,
    },
  },
});
