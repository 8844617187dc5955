import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

// The CLI as plain JavaScript (dist-cli/main.mjs), so `loupe` does not transpile TypeScript at each
// run. Our sources and most packages are bundled (fewer files to find and read at each start); duckdb-wasm,
// its apache-arrow and parquet-wasm stay in node_modules, where they find their wasm and worker files
// (and one apache-arrow is shared with duckdb-wasm's bindings). Commands load what they need on demand:
// code split into chunks, not one file evaluated whole.
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
// LOUPE_CLI_OUT builds elsewhere (tests and benches that must not replace the dist-cli/ others run).
export const outDir = process.env.LOUPE_CLI_OUT ?? here('../../dist-cli');

const repo = resolve(here('../..'));
const shim = here('../node/node-worker-cached.cjs');

// node.ts starts duckdb-wasm's worker through a CommonJS shim found next to the module that runs it.
// inputs.json lists every source file bundled and when the build started: loupe.mjs uses the build
// only while none of them is newer (an edit during the build counts as newer).
function cliBuild(): Plugin {
  let builtAt = 0;
  return {
    name: 'loupe-cli-build',
    apply: 'build',
    buildStart() {
      builtAt = Date.now();
    },
    generateBundle(_options, bundle) {
      const ids = Object.values(bundle).flatMap((c) => (c.type === 'chunk' ? c.moduleIds : []));
      const files = ids
        .filter((id) => id.startsWith(repo + sep) && !id.includes(`${sep}node_modules${sep}`) && !id.includes('\0'))
        .map((id) => relative(repo, id.split('?')[0]!).split(sep).join('/'));
      // The lock file too: an `npm install` since the build changed the packages bundled.
      files.push(relative(repo, shim).split(sep).join('/'), 'package-lock.json');
      this.emitFile({
        type: 'asset',
        fileName: 'inputs.json',
        source: JSON.stringify({ builtAt, files: [...new Set(files)].sort() }, null, 1),
      });
      // Beside the chunk that holds node-start.ts, wherever the splitting put it.
      const starter = Object.values(bundle).find((c) => c.type === 'chunk' && c.moduleIds.some((id) => id.endsWith(`${sep}node-start.ts`)));
      if (!starter) this.error('node-start.ts is in no chunk: the engine could not find its worker shim');
      this.emitFile({
        type: 'asset',
        fileName: posix.join(posix.dirname(starter.fileName), 'node-worker-cached.cjs'),
        source: readFileSync(shim),
      });
    },
  };
}

export default defineConfig({
  publicDir: false,
  logLevel: 'warn',
  plugins: [cliBuild()],
  ssr: { noExternal: true },
  build: {
    ssr: true,
    outDir,
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    sourcemap: false,
    reportCompressedSize: false,
    rollupOptions: {
      input: { main: here('./main.ts') },
      external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`), /^@duckdb\//, /^apache-arrow/, /^parquet-wasm/],
      // Operations register in import order and `loupe ops` lists them so: chunks must not change that order.
      output: { strictExecutionOrder: true, format: 'es', entryFileNames: '[name].mjs', chunkFileNames: 'chunks/[name]-[hash].mjs' },
    },
  },
});
