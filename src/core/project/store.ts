// Where a project folder lives: a directory on disk (CLI, desktop), a folder chosen through the
// File System Access API or the browser's private file system (web mode), or memory (tests).
import type { FileResolver } from '../ingest/source.ts';
import { blobSourceFile } from '../ingest/source.ts';
import type { JournalSink } from '../journal/journal.ts';
import { JOURNAL_FILE } from './manifest.ts';

export interface ProjectStore {
  /** For messages: the folder's path or name. */
  readonly label: string;
  readText(path: string): Promise<string | null>;
  /** Whole-file write that leaves either the old or the new content, never a mix. */
  writeTextAtomic(path: string, text: string): Promise<void>;
  appendText(path: string, text: string): Promise<void>;
  writeBytes(path: string, bytes: Uint8Array): Promise<void>;
  /** Removes a file the project no longer needs (the table cache's old copies); absent where it cannot. */
  remove?(path: string): Promise<void>;
  /** Opens files by project-relative path (copies of sources the project keeps). */
  files(): FileResolver;
}

export class MemoryProjectStore implements ProjectStore {
  readonly files_ = new Map<string, Uint8Array>();
  constructor(readonly label = 'mémoire') {}
  async readText(path: string) {
    const b = this.files_.get(path);
    return b ? new TextDecoder().decode(b) : null;
  }
  async writeTextAtomic(path: string, text: string) {
    this.files_.set(path, new TextEncoder().encode(text));
  }
  async appendText(path: string, text: string) {
    const prev = this.files_.get(path) ?? new Uint8Array();
    const add = new TextEncoder().encode(text);
    const next = new Uint8Array(prev.length + add.length);
    next.set(prev);
    next.set(add, prev.length);
    this.files_.set(path, next);
  }
  async writeBytes(path: string, bytes: Uint8Array) {
    this.files_.set(path, bytes);
  }
  async remove(path: string) {
    this.files_.delete(path);
  }
  files(): FileResolver {
    return {
      open: async (path) => {
        const b = this.files_.get(path);
        if (!b) throw new Error(`Fichier introuvable dans le projet : ${path}`);
        return blobSourceFile(new Blob([b as BlobPart]), path.split('/').pop()!, path);
      },
      list: async (folder) => [...this.files_.keys()].filter((k) => k.startsWith(folder.replace(/\/?$/, '/'))),
    };
  }
}

/** The project's journal file, as the journal reads and appends it. */
export function storeJournalSink(store: ProjectStore): JournalSink {
  return {
    read: async () => (await store.readText(JOURNAL_FILE)) ?? '',
    append: (line) => store.appendText(JOURNAL_FILE, line),
  };
}
