// `npm start`: runs the app in Electron. On a fresh checkout it fetches Electron's binary (a set-up
// step, like `npm ci`: the app itself never goes online) and builds the app with its demo workspace.
// Exits 1 with one line when Electron cannot run here.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectronBinary } from './electron-binary.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const UNAVAILABLE = "Electron n'est pas disponible sur cette machine (binaire absent) — lancez la version web : npm run web";

let bin = findElectronBinary();
if (!bin.path) {
  // Electron's own installer, run once; where there is no network it fails within seconds.
  const installer = join(root, 'node_modules', 'electron', 'install.js');
  if (existsSync(installer)) spawnSync(process.execPath, [installer], { stdio: 'ignore', timeout: 600_000 });
  bin = findElectronBinary();
}
if (!bin.path) {
  console.error(UNAVAILABLE);
  process.exit(1);
}
const missing = ['dist/index.html', 'dist/demo/loupe.json', 'dist-electron/main.cjs', 'dist-electron/preload.cjs'].filter(
  (f) => !existsSync(join(root, f)),
);
if (missing.length) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const built = spawnSync(npm, ['run', 'build'], { stdio: 'inherit', cwd: root, shell: process.platform === 'win32' });
  if (built.status !== 0) process.exit(built.status ?? 1);
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
