// A project handed to the app by the system (double-click on a `.loupe` file, a folder on the command
// line): the folder that holds its loupe.json, or null for anything else.
import { stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join } from 'node:path';

const MANIFEST = 'loupe.json';

async function hasManifest(dir: string): Promise<boolean> {
  return (await stat(join(dir, MANIFEST)).catch(() => null))?.isFile() ?? false;
}

export async function projectRootFor(path: string): Promise<string | null> {
  if (!isAbsolute(path) || path.length > 64 * 1024) return null;
  const st = await stat(path).catch(() => null);
  if (!st) return null;
  if (st.isDirectory()) return (await hasManifest(path)) ? path : null;
  if (st.isFile() && (path.endsWith('.loupe') || basename(path) === MANIFEST)) {
    return (await hasManifest(dirname(path))) ? dirname(path) : null;
  }
  return null;
}

/** The first command-line argument that names a project; flags and the executable itself are skipped. */
export async function projectFromArgv(argv: readonly string[]): Promise<string | null> {
  for (const arg of argv.slice(1)) {
    if (arg.startsWith('-')) continue;
    const root = await projectRootFor(arg);
    if (root) return root;
  }
  return null;
}
