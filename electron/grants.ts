// The paths the user chose (in a dialog, by drag-and-drop, by opening a project): the only places the
// renderer may read, and project folders the only places it may write. Everything is compared by
// real path, so a symlink cannot lead a granted path somewhere the user never chose.
import { lstat, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';

export class AccessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccessError';
  }
}

export function isInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** The real path of `p`, or of its nearest existing ancestor with the missing tail appended (for files about to be created). */
export async function realpathAllowMissing(p: string): Promise<string> {
  try {
    return await realpath(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    const parent = dirname(p);
    if (parent === p) throw e;
    // A dangling symlink is "missing" to realpath but must not be written through.
    const st = await lstat(p).catch(() => null);
    if (st?.isSymbolicLink()) throw new AccessError(`Lien symbolique refusé : ${p}`);
    return resolve(await realpathAllowMissing(parent), p.slice(parent.length + 1));
  }
}

export type GrantKind = 'file' | 'folder' | 'project';

export class Grants {
  private readonly files = new Set<string>();
  private readonly folders = new Set<string>();
  private readonly projects = new Set<string>();

  /** Records a path the user chose; returns its real path. */
  async grant(kind: GrantKind, path: string): Promise<string> {
    const real = await realpath(path);
    const set = kind === 'file' ? this.files : kind === 'folder' ? this.folders : this.projects;
    set.add(real);
    return real;
  }

  isProject(realRoot: string): boolean {
    return this.projects.has(realRoot);
  }

  /** Throws unless the real path lies in something the user chose. Returns the real path. */
  async checkRead(path: string): Promise<string> {
    const real = await realpath(path).catch(() => {
      throw new AccessError(`Fichier introuvable : ${path}`);
    });
    if (this.files.has(real)) return real;
    for (const root of [...this.folders, ...this.projects]) if (isInside(root, real)) return real;
    throw new AccessError(`Accès refusé : ${path} n’a pas été choisi par l’utilisateur`);
  }

  /** The real project root, which must have been granted as a project. */
  async checkProject(root: string): Promise<string> {
    const real = await realpath(root).catch(() => {
      throw new AccessError(`Dossier de projet introuvable : ${root}`);
    });
    if (!this.projects.has(real)) throw new AccessError(`Accès refusé : ${root} n’est pas un dossier de projet ouvert`);
    return real;
  }

  /**
   * Where a project-relative path lands, checked to stay inside the project once symlinks are resolved
   * (also for files that do not exist yet).
   */
  async resolveInProject(root: string, rel: string): Promise<string> {
    const realRoot = await this.checkProject(root);
    const target = resolve(realRoot, rel);
    if (!isInside(realRoot, target) || target === realRoot) throw new AccessError(`Chemin hors du dossier du projet : ${rel}`);
    const real = await realpathAllowMissing(target);
    if (!isInside(realRoot, real)) throw new AccessError(`Chemin hors du dossier du projet (lien symbolique) : ${rel}`);
    return real;
  }
}
