import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build, defineConfig, type InlineConfig, type Plugin } from 'vite';

// Main and preload as CommonJS for Electron: SSR builds with everything bundled except Electron and
// Node's own modules. They are built separately because the sandboxed preload may only
// require('electron'): a chunk shared with main would be a require() it cannot make.
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
// LOUPE_ELECTRON_OUT builds elsewhere (a check that must not replace the dist-electron/ others run).
const outDir = process.env.LOUPE_ELECTRON_OUT ?? here('../dist-electron');

function cjsEntry(name: 'main' | 'preload', emptyOutDir: boolean): InlineConfig {
  return {
    configFile: false,
    publicDir: false,
    logLevel: 'warn',
    build: {
      ssr: true,
      outDir,
      emptyOutDir,
      target: 'node20',
      minify: false,
      sourcemap: false,
      rollupOptions: {
        input: { [name]: here(`./${name}.ts`) },
        external: ['electron', ...builtinModules, ...builtinModules.map((m) => `node:${m}`)],
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
    ssr: { noExternal: true },
  };
}

const preload: Plugin = {
  name: 'loupe-preload',
  apply: 'build',
  async closeBundle() {
    await build(cjsEntry('preload', false));
  },
};

const main = cjsEntry('main', true);
export default defineConfig({ ...main, plugins: [preload] });
