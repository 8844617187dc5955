// A file to import, wherever it lives: a path on disk (CLI, desktop), a File the user picked or dropped
// (browser), or a copy kept in the project folder. Importers only see this interface.
import type { Engine } from '../engine/engine.ts';
import { sha256OfChunks } from '../util/hash.ts';

export interface SourceFile {
  name: string;
  /** Where it came from, as recorded in provenance. */
  path: string;
  size: number;
  /** Milliseconds since the epoch, when known. */
  lastModified: number | null;
  slice(start: number, end: number): Promise<Uint8Array>;
  bytes(): Promise<Uint8Array>;
  chunks(chunkSize?: number): AsyncIterable<Uint8Array>;
  /** Makes the file readable by DuckDB's `read_csv` under `name`, without a copy where the engine allows it. */
  registerIn(engine: Engine, name: string): Promise<void>;
}

export interface FileResolver {
  open(path: string): Promise<SourceFile>;
  /** Every file below a folder, recursively, as paths `open` accepts. */
  list(folder: string): Promise<string[]>;
}

export const CHUNK = 8 * 1024 * 1024;

/**
 * The threaded (COI) engine, which only the benchmark starts (src/host/engine.ts), needs a file as one
 * in-memory buffer, and wasm cannot hold one of 2 GiB; the app's engine reads a File lazily.
 */
export const COI_MAX_BYTES = 2 * 1024 ** 3 - 256 * 1024 ** 2;

export class FileTooLargeForThreadsError extends Error {
  constructor(
    readonly fileName: string,
    readonly size: number,
  ) {
    super(
      `${fileName} : trop volumineux pour le moteur multi-fil (${(size / 1024 ** 3).toFixed(2).replace('.', ',')} Gio, ` +
        `limite ${(COI_MAX_BYTES / 1024 ** 3).toFixed(2).replace('.', ',')} Gio) — le moteur à un fil de l’application le lit sans le charger en mémoire`,
    );
    this.name = 'FileTooLargeForThreadsError';
  }
}

export function sha256OfFile(file: SourceFile): Promise<string> {
  return sha256OfChunks(file.chunks());
}

export function blobSourceFile(blob: Blob, name: string, path = name, lastModified: number | null = null): SourceFile {
  return {
    name,
    path,
    size: blob.size,
    lastModified,
    async slice(start, end) {
      return new Uint8Array(await blob.slice(start, end).arrayBuffer());
    },
    async bytes() {
      return new Uint8Array(await blob.arrayBuffer());
    },
    async *chunks(chunkSize = CHUNK) {
      for (let off = 0; off < blob.size; off += chunkSize) {
        yield new Uint8Array(await blob.slice(off, off + chunkSize).arrayBuffer());
      }
    },
    async registerIn(engine, regName) {
      // Under pthreads a lazily read File handle fails on large files: the COI bundle gets a buffer.
      if (engine.kind === 'browser-coi' && blob.size > COI_MAX_BYTES) throw new FileTooLargeForThreadsError(name, blob.size);
      if (engine.kind === 'browser-coi' || engine.kind === 'node') {
        await engine.registerBuffer(regName, new Uint8Array(await blob.arrayBuffer()));
      } else {
        await engine.registerFileHandle(regName, blob);
      }
    },
  };
}

export function bytesSourceFile(bytes: Uint8Array, name: string, path = name): SourceFile {
  return blobSourceFile(new Blob([bytes as BlobPart]), name, path);
}

/** Files held in memory by path: dropped files and folders in the browser, fixtures in tests. */
export class MemoryFileResolver implements FileResolver {
  private files = new Map<string, SourceFile>();

  add(file: SourceFile): void {
    this.files.set(file.path, file);
  }

  async open(path: string): Promise<SourceFile> {
    const f = this.files.get(path);
    if (!f) throw new Error(`Fichier introuvable : ${path}`);
    return f;
  }

  async list(folder: string): Promise<string[]> {
    const prefix = folder.endsWith('/') ? folder : `${folder}/`;
    return [...this.files.keys()].filter((p) => p.startsWith(prefix)).sort();
  }
}

/**
 * A path a resolver refuses to open, as opposed to one it does not have: "../secret", a link out of
 * the project. A refusal ends the search, so no later resolver reads that path from somewhere else.
 */
export class PathRefusedError extends Error {
  constructor(
    readonly path: string,
    readonly why: string,
  ) {
    super(`Chemin refusé — ${path} : ${why} (un projet ne lit que les fichiers de son dossier)`);
    this.name = 'PathRefusedError';
  }
}

/** Tries resolvers in order: e.g. the project's own copies first, then the files the user approved. */
export function chainResolvers(...resolvers: FileResolver[]): FileResolver {
  return {
    async open(path) {
      let last: unknown;
      for (const r of resolvers) {
        try {
          return await r.open(path);
        } catch (e) {
          if (e instanceof PathRefusedError) throw e;
          last = e;
        }
      }
      throw last instanceof Error ? last : new Error(`Fichier introuvable : ${path}`);
    },
    async list(folder) {
      for (const r of resolvers) {
        const l = await r.list(folder).catch((e: unknown) => {
          if (e instanceof PathRefusedError) throw e;
          return [];
        });
        if (l.length) return l;
      }
      return [];
    },
  };
}
