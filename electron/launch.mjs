// `npm start`: runs the built app in Electron. Builds nothing — `npm run build` first — so that start
// is quick and does what the last build produced. Exits 1 with one line when Electron cannot run here.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectronBinary } from './electron-binary.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const UNAVAILABLE = "Electron n'est pas disponible sur cette machine (binaire absent) — lancez la version web : npm run web";

const bin = findElectronBinary();
if (!bin.path) {
  console.error(UNAVAILABLE);
  process.exit(1);
}
const missing = ['dist/index.html', 'dist-electron/main.cjs', 'dist-electron/preload.cjs'].filter((f) => !existsSync(join(root, f)));
if (missing.length) {
  console.error(`Loupe n’est pas construit (${missing.join(', ')} manquant) — lancez d’abord : npm run build`);
  process.exit(1);
}

const env = { ...process.env };
// Set by some shells and CI: it would make the binary behave as plain Node.
delete env.ELECTRON_RUN_AS_NODE;
const child = spawn(bin.path, [root, ...process.argv.slice(2)], { stdio: 'inherit', env, cwd: root });
child.on('error', () => {
  console.error(UNAVAILABLE);
  process.exit(1);
});
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
