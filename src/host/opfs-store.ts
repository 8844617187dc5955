// A project folder in the browser's private file system (OPFS). Paths are project-relative; a manifest
// from someone else cannot make us read or write outside the project's directory.
import { blobSourceFile, PathRefusedError, type FileResolver, type SourceFile } from '../core/ingest/source.ts';
import type { ProjectStore } from '../core/project/store.ts';

type Movable = FileSystemFileHandle & { move?: (dir: FileSystemDirectoryHandle, name: string) => Promise<void> };
type Listable = FileSystemDirectoryHandle & { entries(): AsyncIterable<[string, FileSystemHandle]> };

export function splitPath(path: string): string[] {
  const parts = path.split(/[\\/]/).filter((p) => p !== '' && p !== '.');
  // A refusal, not a "not found": the resolver chain must not go on to look for it elsewhere.
  if (!parts.length) throw new PathRefusedError(path, 'chemin vide');
  if (parts.some((p) => p === '..')) throw new PathRefusedError(path, '« .. » mène hors du dossier du projet');
  return parts;
}

function isNotFound(e: unknown): boolean {
  return e instanceof DOMException && (e.name === 'NotFoundError' || e.name === 'TypeMismatchError');
}

export async function entriesOf(dir: FileSystemDirectoryHandle): Promise<[string, FileSystemHandle][]> {
  const out: [string, FileSystemHandle][] = [];
  for await (const e of (dir as Listable).entries()) out.push(e);
  return out;
}

let tmpCounter = 0;

export class OpfsProjectStore implements ProjectStore {
  constructor(
    readonly root: FileSystemDirectoryHandle,
    readonly label: string,
  ) {}

  private async dirOf(parts: string[], create: boolean): Promise<FileSystemDirectoryHandle> {
    let dir = this.root;
    for (const p of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(p, { create });
    return dir;
  }

  async fileHandle(path: string, create = false): Promise<FileSystemFileHandle | null> {
    const parts = splitPath(path);
    try {
      const dir = await this.dirOf(parts, create);
      return await dir.getFileHandle(parts[parts.length - 1]!, { create });
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  async exists(path: string): Promise<boolean> {
    return (await this.fileHandle(path)) !== null;
  }

  async readText(path: string): Promise<string | null> {
    const h = await this.fileHandle(path);
    return h ? (await h.getFile()).text() : null;
  }

  async writeTextAtomic(path: string, text: string): Promise<void> {
    await this.writeBytes(path, new TextEncoder().encode(text));
  }

  /**
   * Writes a temporary file and moves it over the target where the browser can move OPFS files.
   * Elsewhere createWritable() itself writes to a swap file that replaces the target on close(),
   * so a crash still leaves the old or the new content.
   */
  async writeBytes(path: string, bytes: Uint8Array): Promise<void> {
    await this.writeStream(path, async (w) => {
      await w.write(bytes as BufferSource);
    });
  }

  async writeStream(path: string, fill: (w: FileSystemWritableFileStream) => Promise<void>): Promise<void> {
    const parts = splitPath(path);
    const dir = await this.dirOf(parts, true);
    const name = parts[parts.length - 1]!;
    const tmpName = `.${name}.${Date.now()}.${tmpCounter++}.tmp`;
    const tmp = (await dir.getFileHandle(tmpName, { create: true })) as Movable;
    if (typeof tmp.move === 'function') {
      try {
        await writeAll(tmp, fill);
        await tmp.move(dir, name);
        return;
      } catch {
        // Moving over an existing file is refused by some versions: fall back to replace-on-close.
        await dir.removeEntry(tmpName).catch(() => undefined);
      }
    } else {
      await dir.removeEntry(tmpName).catch(() => undefined);
    }
    await writeAll(await dir.getFileHandle(name, { create: true }), fill);
  }

  async appendText(path: string, text: string): Promise<void> {
    const h = (await this.fileHandle(path, true))!;
    const size = (await h.getFile()).size;
    const w = await h.createWritable({ keepExistingData: true });
    try {
      await w.seek(size);
      await w.write(text);
      await w.close();
    } catch (e) {
      await w.abort().catch(() => undefined);
      throw e;
    }
  }

  async remove(path: string): Promise<void> {
    const parts = splitPath(path);
    const dir = await this.dirOf(parts, false);
    await dir.removeEntry(parts[parts.length - 1]!, { recursive: true });
  }

  async open(path: string): Promise<SourceFile> {
    const h = await this.fileHandle(path);
    if (!h) throw new Error(`Fichier introuvable dans le projet : ${path}`);
    const f = await h.getFile();
    return blobSourceFile(f, f.name, path, f.lastModified);
  }

  async list(folder: string): Promise<string[]> {
    const parts = folder.split(/[\\/]/).filter((p) => p !== '' && p !== '.');
    if (parts.some((p) => p === '..')) throw new PathRefusedError(folder, '« .. » mène hors du dossier du projet');
    let dir = this.root;
    try {
      for (const p of parts) dir = await dir.getDirectoryHandle(p);
    } catch (e) {
      if (isNotFound(e)) return [];
      throw e;
    }
    const out: string[] = [];
    const walk = async (d: FileSystemDirectoryHandle, prefix: string) => {
      for (const [name, h] of await entriesOf(d)) {
        if (name.endsWith('.tmp') && name.startsWith('.')) continue;
        const p = prefix ? `${prefix}/${name}` : name;
        if (h.kind === 'directory') await walk(h as FileSystemDirectoryHandle, p);
        else out.push(p);
      }
    };
    await walk(dir, parts.join('/'));
    return out.sort();
  }

  files(): FileResolver {
    return { open: (p) => this.open(p), list: (f) => this.list(f) };
  }
}

async function writeAll(h: FileSystemFileHandle, fill: (w: FileSystemWritableFileStream) => Promise<void>): Promise<void> {
  const w = await h.createWritable({ keepExistingData: false });
  try {
    await fill(w);
    await w.close();
  } catch (e) {
    await w.abort().catch(() => undefined);
    throw e;
  }
}
