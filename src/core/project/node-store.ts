// A project folder on disk. Writes go to a temporary file that is flushed and renamed over the old one.
import { constants } from 'node:fs';
import { appendFile, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { nodeFileResolver } from '../ingest/node-source.ts';
import type { FileResolver } from '../ingest/source.ts';
import type { ProjectStore } from './store.ts';

export class NodeProjectStore implements ProjectStore {
  readonly root: string;
  constructor(root: string) {
    this.root = resolve(root);
  }
  get label() {
    return this.root;
  }

  /** Project-relative paths only: a manifest must not make us write outside its folder. */
  private inside(path: string): string {
    const abs = resolve(this.root, path);
    const rel = relative(this.root, abs);
    if (rel.startsWith('..') || isAbsolute(rel)) throw new Error(`Chemin hors du dossier du projet : ${path}`);
    return abs;
  }

  async readText(path: string) {
    try {
      return await readFile(this.inside(path), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  async writeTextAtomic(path: string, text: string) {
    await this.writeBytes(path, new TextEncoder().encode(text));
  }

  async writeBytes(path: string, bytes: Uint8Array) {
    const abs = this.inside(path);
    await mkdir(dirname(abs), { recursive: true });
    const tmp = `${abs}.${process.pid}.${Date.now()}.tmp`;
    const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await rename(tmp, abs);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
  }

  async appendText(path: string, text: string) {
    const abs = this.inside(path);
    await mkdir(dirname(abs), { recursive: true });
    await appendFile(abs, text, 'utf8');
  }

  files(): FileResolver {
    return {
      // A project-relative path stays relative in provenance, so the project can move.
      open: async (path) => {
        // A manifest from someone else must not reach outside the folder with "../".
        const file = await nodeFileResolver.open(isAbsolute(path) ? path : this.inside(path));
        return isAbsolute(path) ? file : { ...file, path };
      },
      list: (folder) => nodeFileResolver.list(isAbsolute(folder) ? folder : join(this.root, folder)),
    };
  }
}
