// A project folder on disk. Writes go to a temporary file that is flushed and renamed over the old one.
// A project may come from someone else: every path it names must stay inside its folder, on disk and
// not only as text — no "..", no absolute path, no symbolic link, no hard link to a file elsewhere.
import { constants, realpathSync } from 'node:fs';
import { lstat, mkdir, open, readdir, realpath, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { PathRefusedError, type FileResolver } from '../core/ingest/source.ts';
import type { ProjectStore } from '../core/project/store.ts';
import { replaceFile } from './fs-atomic.ts';
import { nodeSourceFile } from './node-source.ts';

export class NodeProjectStore implements ProjectStore {
  readonly root: string;
  private realRoot: string | null = null;
  constructor(root: string) {
    this.root = resolve(root);
  }
  get label() {
    return this.root;
  }

  private async rootReal(): Promise<string> {
    if (this.realRoot) return this.realRoot;
    try {
      this.realRoot = await realpath(this.root);
    } catch {
      return this.root; // not created yet: nothing below it can be a link
    }
    return this.realRoot;
  }

  /**
   * The absolute path of a project entry, refused unless it is written as a plain relative path
   * and every folder on the way to it is a real folder inside the project (no link out).
   */
  private async inside(path: string): Promise<string> {
    if (isAbsolute(path) || /^[A-Za-z]:/.test(path)) throw new PathRefusedError(path, 'chemin absolu, hors du dossier du projet');
    const parts = path.split(/[\\/]+/).filter((p) => p !== '' && p !== '.');
    if (!parts.length) throw new PathRefusedError(path, 'chemin vide');
    if (parts.includes('..')) throw new PathRefusedError(path, '« .. » mène hors du dossier du projet');
    const abs = join(this.root, ...parts);
    const rel = relative(this.root, abs);
    if (rel.startsWith('..') || isAbsolute(rel)) throw new PathRefusedError(path, 'mène hors du dossier du projet');
    // Every existing folder on the way must be a folder, not a link (a linked `sources/` reads elsewhere).
    const realRoot = await this.rootReal();
    let dir = this.root;
    for (const part of parts.slice(0, -1)) {
      dir = join(dir, part);
      const st = await lstat(dir).catch(() => null);
      if (!st) break;
      if (st.isSymbolicLink()) throw new PathRefusedError(path, `« ${relative(this.root, dir)} » est un lien symbolique`);
      if (!st.isDirectory()) throw new PathRefusedError(path, `« ${relative(this.root, dir)} » n’est pas un dossier`);
    }
    const realDir = await realpath(dirname(abs)).catch(() => null);
    if (realDir && realDir !== realRoot && !realDir.startsWith(realRoot + sep))
      throw new PathRefusedError(path, 'hors du dossier du projet');
    return abs;
  }

  /** An existing entry must be a plain file with one name: a link (symbolic or hard) may lead outside. */
  private async plainFile(path: string, abs: string, opts: { allowMissing: boolean }): Promise<boolean> {
    const st = await lstat(abs).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return null;
      throw e;
    });
    if (!st) {
      if (opts.allowMissing) return false;
      throw new Error(`Fichier introuvable dans le projet : ${path}`);
    }
    if (st.isSymbolicLink()) throw new PathRefusedError(path, 'lien symbolique');
    if (!st.isFile()) throw new PathRefusedError(path, 'ce n’est pas un fichier');
    if (st.nlink > 1) throw new PathRefusedError(path, `lien physique (${st.nlink} noms pour ce fichier)`);
    return true;
  }

  async readText(path: string) {
    const abs = await this.inside(path);
    if (!(await this.plainFile(path, abs, { allowMissing: true }))) return null;
    const fh = await open(abs, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      return await fh.readFile('utf8');
    } finally {
      await fh.close();
    }
  }

  async writeTextAtomic(path: string, text: string) {
    await this.writeBytes(path, new TextEncoder().encode(text));
  }

  async writeBytes(path: string, bytes: Uint8Array) {
    const abs = await this.inside(path);
    await mkdir(dirname(abs), { recursive: true });
    // Re-checked once the folders exist: mkdir follows nothing, but one may have been a link already.
    await this.inside(path);
    await replaceFile(abs, bytes, () => stopAt(`write:${path}`));
  }

  /** Removes a plain file inside the project (never a link's target, never a folder). */
  async remove(path: string) {
    const abs = await this.inside(path);
    if (await this.plainFile(path, abs, { allowMissing: true })) await unlink(abs);
  }

  async appendText(path: string, text: string) {
    const abs = await this.inside(path);
    await mkdir(dirname(abs), { recursive: true });
    // The journal symlinked (or hard-linked) to another file would get the next entry appended there.
    await this.plainFile(path, abs, { allowMissing: true });
    const fh = await open(abs, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o644);
    try {
      // A line cut short by a killed append stays a line of its own (verify names it, repair sets it
      // aside) instead of swallowing the start of this entry.
      const { size } = await fh.stat();
      if (size > 0) {
        const last = new Uint8Array(1);
        await fh.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) text = `\n${text}`;
      }
      await stopAt(`append:${path}`, async () => {
        // Half a line: what a kill in the middle of an append leaves.
        await fh.write(text.slice(0, Math.max(1, Math.floor(text.length / 2))));
        await fh.sync();
      });
      await fh.write(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  /**
   * Temporary files of atomic writes that never reached their rename (a kill, a power cut): removed,
   * and returned so the caller can say so. The project itself is whole: each holds a write that was lost.
   */
  async cleanStrayTemporaryFiles(): Promise<string[]> {
    const found: string[] = [];
    const walk = async (dir: string, depth: number): Promise<void> => {
      const entries = await readdir(join(this.root, dir), { withFileTypes: true }).catch(() => []);
      for (const e of entries) {
        const rel = dir ? `${dir}/${e.name}` : e.name;
        if (e.isDirectory() && depth < 2) await walk(rel, depth + 1);
        // Ours (name.pid.time.tmp) and the desktop app's (name.pid.time.random.tmp).
        else if (e.isFile() && /\.\d+\.\d+(\.[a-z0-9]{1,8})?\.tmp$/.test(e.name)) {
          await unlink(join(this.root, rel)).catch(() => undefined);
          found.push(rel);
        }
      }
    };
    await walk('', 0);
    return found.sort();
  }

  files(): FileResolver {
    return {
      // A project-relative path stays relative in provenance, so the project can move.
      open: async (path) => {
        // Absolute paths are not the project's: the caller's resolver for outside files decides.
        if (isAbsolute(path) || /^[A-Za-z]:[\\/]/.test(path)) throw new Error(`Fichier introuvable dans le projet : ${path}`);
        const abs = await this.inside(path);
        await this.plainFile(path, abs, { allowMissing: false });
        const file = await nodeSourceFile(abs);
        return { ...file, path };
      },
      list: async (folder) => {
        if (isAbsolute(folder)) return [];
        const abs = await this.inside(folder);
        const st = await lstat(abs).catch(() => null);
        if (!st?.isDirectory()) return [];
        const out: string[] = [];
        const walk = async (dir: string): Promise<void> => {
          const entries = await readdir(join(this.root, dir), { withFileTypes: true });
          for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
            if (e.name.startsWith('.')) continue;
            const rel = `${dir}/${e.name}`;
            // Links are listed so that opening them reports the refusal by name, rather than hiding them.
            if (e.isDirectory()) await walk(rel);
            else if (e.isFile() || e.isSymbolicLink()) out.push(rel);
          }
        };
        await walk(folder.replace(/[\\/]+$/, ''));
        return out;
      },
    };
  }
}

/** The project's real location (links resolved), as the key of what this machine approved for it. */
export function realProjectPath(root: string): string {
  try {
    return realpathSync(resolve(root));
  } catch {
    return resolve(root);
  }
}

/**
 * Test hook: LOUPE_TEST_STOP_AT=<step> makes the process stop dead (SIGKILL on itself) at that write
 * step — `write:loupe.json` just before the rename, `append:journal.ndjson` after half a line —
 * so tests can check what a kill at each step leaves. Unset, it costs one comparison.
 */
async function stopAt(step: string, before?: () => Promise<void>): Promise<void> {
  const want = process.env.LOUPE_TEST_STOP_AT;
  if (!want || want !== step) return;
  await before?.();
  process.kill(process.pid, 'SIGKILL');
  await new Promise(() => undefined);
}
