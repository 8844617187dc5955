// The bench page: Loupe's browser engine and nothing else, built like the app (ES workers, assets
// served by the page's own origin). Output goes to the git-ignored data folder.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { duckdbHeapViews } from '../../../src/build/duckdb-heap-views.ts';

const here = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  logLevel: 'warn',
  publicDir: false,
  plugins: [duckdbHeapViews()],
  build: {
    outDir: join(here, '..', 'data', 'page'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 8192,
  },
  worker: { format: 'es' },
});
