import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';
import { securityHeaders } from './src/shared/headers.ts';

// One config for the renderer (served to Chromium in web mode, loaded by Electron from app://)
// and for the test runner. The dev and preview servers send the same headers as the Electron shell,
// so the web mode is as isolated and as locked down as the desktop app.
export default defineConfig({
  root: 'src',
  base: './',
  publicDir: '../static',
  plugins: [svelte({ configFile: false, compilerOptions: { runes: true } })],
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
  },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['@duckdb/duckdb-wasm', 'parquet-wasm'] },
  server: { headers: securityHeaders(), host: '127.0.0.1' },
  preview: { headers: securityHeaders(), host: '127.0.0.1' },
  test: {
    root: '.',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'src/**/*.test.ts'], environment: 'node' } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], environment: 'node', testTimeout: 120_000 } },
      { extends: true, test: { name: 'electron', include: ['test/electron/**/*.test.ts'], environment: 'node' } },
    ],
  },
});
