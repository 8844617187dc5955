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
    return { path: null, reason: 'le paquet electron n’est pas installé' };
  }
  const pathFile = join(pkgDir, 'path.txt');
  const rel = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const p = join(override, rel || 'electron');
    return existsSync(p) ? { path: p, reason: null } : { path: null, reason: `${p} n’existe pas` };
  }
  if (!rel) return { path: null, reason: `${pathFile} manquant : Electron n’a pas été téléchargé` };
  const p = join(pkgDir, 'dist', rel);
  return existsSync(p) ? { path: p, reason: null } : { path: null, reason: `${p} n’existe pas` };
}
