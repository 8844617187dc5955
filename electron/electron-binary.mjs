// Where the Electron binary is, without downloading it. `require('electron')` tries to fetch a
// missing binary from the network, which an offline tool must never do.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The binary's path, or null with the reason it is not usable. */
export function findElectronBinary() {
  let pkgDir;
  try {
    pkgDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { path: null, reason: 'paquet electron non installé' };
  }
  const pathFile = join(pkgDir, 'path.txt');
  const rel = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const p = join(override, rel || 'electron');
    return existsSync(p) ? { path: p, reason: null } : { path: null, reason: `binaire absent : ${p}` };
  }
  if (!rel) return { path: null, reason: `binaire absent (${pathFile} manquant : le téléchargement d’Electron n’a pas eu lieu)` };
  const p = join(pkgDir, 'dist', rel);
  return existsSync(p) ? { path: p, reason: null } : { path: null, reason: `binaire absent : ${p}` };
}
