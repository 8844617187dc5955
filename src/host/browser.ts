// Loupe as a web page: files come from <input type=file>, the directory picker or drag-and-drop;
// projects live in the browser's private file system (OPFS) under projets/<id>/.
import { blobSourceFile, MemoryFileResolver, type SourceFile } from '../core/ingest/source.ts';
import { JOURNAL_FILE, MANIFEST_FILE, SOURCES_DIR } from '../core/project/manifest.ts';
import { CACHE_INDEX, cacheFilesOf } from '../core/project/table-cache.ts';
import type { ProjectStore } from '../core/project/store.ts';
import type { Host, ProjectRef } from './host.ts';
import { entriesOf, OpfsProjectStore, splitPath } from './opfs-store.ts';
import { errorText } from '../core/util/errors.ts';
import { slug } from '../core/util/text.ts';

const PROJECTS_DIR = 'projets';
export const DEMO_ID = 'demo';
const DEMO_URL = 'demo/';

/** The demo workspace was not generated (or not served): the app starts on an empty project instead. */
export class DemoUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DemoUnavailableError';
  }
}

type DirPicker = (opts?: { mode?: 'read' | 'readwrite' }) => Promise<FileSystemDirectoryHandle>;

export function projectIdFor(name: string): string {
  return `${slug(name, '-', 40) || 'projet'}-${Date.now().toString(36)}`;
}

function validId(id: string): string {
  if (!/^[a-z0-9][a-z0-9-]{0,80}$/.test(id)) throw new Error(`Identifiant de projet invalide : ${id}`);
  return id;
}

async function projectsRoot(): Promise<FileSystemDirectoryHandle> {
  if (!navigator.storage?.getDirectory) throw new Error('Ce navigateur ne fournit pas de stockage privé (OPFS)');
  const root = await navigator.storage.getDirectory();
  return root.getDirectoryHandle(PROJECTS_DIR, { create: true });
}

function uniqueName(name: string, taken: (n: string) => Promise<boolean>): Promise<string> {
  const m = /^(.*?)(\.[^.]*)?$/.exec(name)!;
  const base = m[1] || 'fichier';
  const ext = m[2] ?? '';
  return (async () => {
    let candidate = name;
    for (let n = 2; await taken(candidate); n++) candidate = `${base} (${n})${ext}`;
    return candidate;
  })();
}

function fileToSource(f: File, path: string): SourceFile {
  return blobSourceFile(f, f.name, path, f.lastModified);
}

async function readAllEntries(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  // readEntries hands out entries in batches (100 in Chromium) until it returns an empty batch.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
    if (!batch.length) return all;
    all.push(...batch);
  }
}

async function entryFiles(entry: FileSystemEntry, out: SourceFile[]): Promise<void> {
  if (entry.isFile) {
    const f = await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej));
    out.push(fileToSource(f, entry.fullPath.replace(/^\/+/, '')));
  } else if (entry.isDirectory) {
    for (const child of await readAllEntries(entry as FileSystemDirectoryEntry)) await entryFiles(child, out);
  }
}

async function handleFiles(dir: FileSystemDirectoryHandle, prefix: string, out: SourceFile[]): Promise<void> {
  for (const [name, h] of await entriesOf(dir)) {
    const path = `${prefix}/${name}`;
    if (h.kind === 'file') out.push(fileToSource(await (h as FileSystemFileHandle).getFile(), path));
    else await handleFiles(h as FileSystemDirectoryHandle, path, out);
  }
}

function chooseWithInput(configure: (input: HTMLInputElement) => void): Promise<File[]> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.multiple = true;
    configure(input);
    input.addEventListener('change', () => resolve([...(input.files ?? [])]), { once: true });
    input.addEventListener('cancel', () => resolve([]), { once: true });
    input.click();
  });
}

export interface BrowserHost extends Host {
  /** Files the user gave through a visible <input type=file> (the import panel's own input). */
  adoptFiles(files: Iterable<File>): SourceFile[];
}

export function createBrowserHost(): BrowserHost {
  const files = new MemoryFileResolver();

  const adopt = (list: SourceFile[]): SourceFile[] => {
    for (const f of list) files.add(f);
    return list;
  };

  async function projectRef(id: string, create: boolean): Promise<ProjectRef & { store: OpfsProjectStore }> {
    const dir = await (await projectsRoot()).getDirectoryHandle(validId(id), { create });
    const store = new OpfsProjectStore(dir, `${PROJECTS_DIR}/${id}`);
    let name = id;
    try {
      const text = await store.readText(MANIFEST_FILE);
      if (text) name = String((JSON.parse(text) as { name?: unknown }).name ?? id);
    } catch {
      // An unreadable manifest is reported when the project is opened.
    }
    return { id, name, store };
  }

  async function copyDemo(store: OpfsProjectStore): Promise<void> {
    const res = await fetch(`${DEMO_URL}${MANIFEST_FILE}`, { cache: 'no-cache' }).catch((e: unknown) => {
      throw new DemoUnavailableError(errorText(e));
    });
    if (!res.ok) throw new DemoUnavailableError(`${DEMO_URL}${MANIFEST_FILE} : HTTP ${res.status}`);
    const text = await res.text();
    let manifest: { sources?: { path?: unknown }[] };
    try {
      manifest = JSON.parse(text) as typeof manifest;
    } catch {
      // A static server answers unknown paths with index.html: that is "no demo", not a broken one.
      throw new DemoUnavailableError(`${DEMO_URL}${MANIFEST_FILE} absent`);
    }
    const copy = async (rel: string) => {
      const r = await fetch(DEMO_URL + rel.split('/').map(encodeURIComponent).join('/'));
      if (!r.ok) throw new DemoUnavailableError(`${DEMO_URL}${rel} : HTTP ${r.status}`);
      await store.writeBytes(rel, new Uint8Array(await r.arrayBuffer()));
    };
    // All at once: a first start waits for the slowest file, not for their sum.
    await Promise.all((manifest.sources ?? []).map((s) => copy(splitPath(String(s.path ?? '')).join('/'))));
    // The copies of the demo's tables (src/cli/demo.ts): the project opens from them instead of
    // re-importing every file (#15.8). A demo generated without them still opens, from its sources.
    const c = await fetch(DEMO_URL + CACHE_INDEX, { cache: 'no-cache' }).catch(() => null);
    const index = c?.ok ? await c.text() : '';
    const cached = index ? cacheFilesOf(index) : [];
    if (cached.length) {
      await Promise.all(cached.map(copy));
      await store.writeTextAtomic(CACHE_INDEX, index);
    }
    const j = await fetch(`${DEMO_URL}${JOURNAL_FILE}`, { cache: 'no-cache' });
    const journal = j.ok ? await j.text() : '';
    if (journal && !journal.trimStart().startsWith('<')) await store.writeTextAtomic(JOURNAL_FILE, journal);
    // The manifest goes last: a demo copy interrupted half-way is not mistaken for a complete one.
    await store.writeTextAtomic(MANIFEST_FILE, text);
  }

  // The demo is copied into OPFS once; a start without a project in its address (a first visit) begins
  // that copy at once, while the engine starts, rather than after it (#15.8).
  let demoCopy: Promise<void> | null = null;
  function prepareDemo(): Promise<void> {
    demoCopy ??= (async () => {
      const ref = await projectRef(DEMO_ID, true);
      if (await ref.store.exists(MANIFEST_FILE)) return;
      void navigator.storage.persist?.().catch(() => false);
      await copyDemo(ref.store);
    })().catch((e: unknown) => {
      demoCopy = null; // asked again, it is tried again
      throw e;
    });
    return demoCopy;
  }
  if (!new URL(location.href).searchParams.has('project')) prepareDemo().catch(() => {});

  return {
    kind: 'browser',
    files,

    adoptFiles(list) {
      return adopt([...list].map((f) => fileToSource(f, f.webkitRelativePath || f.name)));
    },

    async pickFiles() {
      const chosen = await chooseWithInput(() => undefined);
      return adopt(chosen.map((f) => fileToSource(f, f.name)));
    },

    async pickFolder() {
      const picker = (window as unknown as { showDirectoryPicker?: DirPicker }).showDirectoryPicker;
      if (picker) {
        let dir: FileSystemDirectoryHandle;
        try {
          dir = await picker({ mode: 'read' });
        } catch (e) {
          if (e instanceof DOMException && e.name === 'AbortError') return [];
          throw e;
        }
        const out: SourceFile[] = [];
        await handleFiles(dir, dir.name, out);
        return adopt(out.sort((a, b) => a.path.localeCompare(b.path)));
      }
      const chosen = await chooseWithInput((input) => {
        input.webkitdirectory = true;
      });
      return adopt(chosen.map((f) => fileToSource(f, f.webkitRelativePath || f.name)));
    },

    droppedFiles(dt) {
      // Items are only readable during the drop event: take the entries before the first await.
      const entries = [...dt.items].filter((i) => i.kind === 'file').map((i) => i.webkitGetAsEntry?.() ?? null);
      const plain = [...dt.files];
      return (async () => {
        const out: SourceFile[] = [];
        if (entries.length && entries.every((e) => e !== null)) {
          for (const e of entries) await entryFiles(e!, out);
        } else {
          for (const f of plain) out.push(fileToSource(f, f.name));
        }
        return adopt(out.sort((a, b) => a.path.localeCompare(b.path)));
      })();
    },

    async listProjects() {
      const root = await projectsRoot();
      const out: { id: string; name: string }[] = [];
      for (const [id, h] of await entriesOf(root)) {
        if (h.kind !== 'directory') continue;
        try {
          const ref = await projectRef(id, false);
          if (await ref.store.exists(MANIFEST_FILE)) out.push({ id, name: ref.name });
        } catch {
          // A folder that is not a project (or a bad name) is not listed.
        }
      }
      return out.sort((a, b) => a.name.localeCompare(b.name, 'fr'));
    },

    async openProject(id) {
      const ref = await projectRef(id, false).catch((e: unknown) => {
        throw new Error(`Projet introuvable : ${id}`, { cause: e });
      });
      if (!(await ref.store.exists(MANIFEST_FILE))) throw new Error(`Projet introuvable : ${id}`);
      return ref;
    },

    async newProject(name) {
      const ref = await projectRef(projectIdFor(name), true);
      return { ...ref, name };
    },

    async demoProject() {
      await prepareDemo();
      return projectRef(DEMO_ID, false);
    },

    async keepSource(store: ProjectStore, file: SourceFile) {
      const name = file.name.replace(/[\\/]/g, '_') || 'fichier';
      if (store instanceof OpfsProjectStore) {
        const fileName = await uniqueName(name, (n) => store.exists(`${SOURCES_DIR}/${n}`));
        const path = `${SOURCES_DIR}/${fileName}`;
        await store.writeStream(path, async (w) => {
          for await (const chunk of file.chunks()) await w.write(chunk as BufferSource);
        });
        return path;
      }
      const path = `${SOURCES_DIR}/${name}`;
      await store.writeBytes(path, await file.bytes());
      return path;
    },

    async saveAs(suggestedName, data, mime) {
      const blob = new Blob([data as BlobPart], { type: mime });
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = suggestedName;
      a.rel = 'noopener';
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      return true;
    },
  };
}
