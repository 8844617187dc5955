// Files on disk, for the CLI, the tests and the desktop shell's main process.
import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, resolve } from 'node:path';
import type { FileResolver, SourceFile } from '../core/ingest/source.ts';
import { CHUNK } from '../core/ingest/source.ts';

export async function nodeSourceFile(path: string): Promise<SourceFile> {
  const abs = resolve(path);
  const st = await stat(abs).catch(() => {
    throw new Error(`Fichier introuvable : ${path}`);
  });
  if (!st.isFile()) throw new Error(`Ce n’est pas un fichier : ${path}`);
  const file: SourceFile = {
    name: basename(abs),
    path: abs,
    size: st.size,
    lastModified: st.mtimeMs,
    async slice(start, end) {
      const fh = await open(abs, 'r');
      try {
        const len = Math.max(0, Math.min(end, st.size) - start);
        const buf = new Uint8Array(len);
        await fh.read(buf, 0, len, start);
        return buf;
      } finally {
        await fh.close();
      }
    },
    async bytes() {
      return file.slice(0, st.size);
    },
    async *chunks(chunkSize = CHUNK) {
      for await (const c of createReadStream(abs, { highWaterMark: chunkSize })) yield new Uint8Array(c as Buffer);
    },
    async registerIn(engine, name) {
      await engine.registerPath(name, abs);
    },
  };
  return file;
}

async function walk(dir: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) await walk(p, out);
    else if (e.isFile()) out.push(p);
  }
}

export const nodeFileResolver: FileResolver = {
  open: (path) => nodeSourceFile(path),
  async list(folder) {
    const out: string[] = [];
    await walk(resolve(folder), out);
    return out;
  },
};

/**
 * Files outside the project, opened only when `allows` says this machine's user approved them: a
 * project from someone else must not make Loupe read /etc/passwd or ~/.ssh just by naming them.
 * Relative paths are the project's, never resolved here against the current folder.
 */
export function approvedFileResolver(allows: (absPath: string) => boolean, refusal: (path: string) => string): FileResolver {
  return {
    async open(path) {
      if (!isAbsolute(path)) throw new Error(`Fichier introuvable dans le projet : ${path}`);
      if (!allows(resolve(path))) throw new Error(refusal(path));
      return nodeSourceFile(path);
    },
    async list(folder) {
      if (!isAbsolute(folder) || !allows(resolve(folder))) return [];
      return nodeFileResolver.list(folder);
    },
  };
}
