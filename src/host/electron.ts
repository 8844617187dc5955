// Loupe inside the desktop shell: every file and project access goes through window.loupe, whose main
// process side only reaches what the user chose. Files are read in slices over IPC, never whole unless
// the engine needs a buffer.
import type { AppVersions, FileInfo, FolderPick, LoupeApi, MenuCommand, MenuLanguage } from '../../electron/api.ts';
import { CHUNK, type FileResolver, type SourceFile } from '../core/ingest/source.ts';
import { MANIFEST_FILE, SOURCES_DIR } from '../core/project/manifest.ts';
import type { ProjectStore } from '../core/project/store.ts';
import type { Host, ProjectRef } from './host.ts';

/** The main process refuses larger slices; bigger reads are split. */
const MAX_SLICE = 64 * 1024 * 1024;
/** DuckDB-wasm cannot register a buffer of 2 GiB or more. */
const MAX_BUFFER = 2 ** 31 - 1;

export class CancelledError extends Error {
  constructor(message = 'Opération annulée') {
    super(message);
    this.name = 'CancelledError';
  }
}

const isAbsolutePath = (p: string) => p.startsWith('/') || p.startsWith('\\\\') || /^[A-Za-z]:[\\/]/.test(p);

/** The absolute path behind each SourceFile this host made, for `keepSource` (their `path` may be relative). */
const absolutePaths = new WeakMap<SourceFile, string>();

export function ipcSourceFile(api: LoupeApi, info: FileInfo, path = info.path): SourceFile {
  const { size } = info;
  const read = async (start: number, end: number): Promise<Uint8Array> => {
    const from = Math.max(0, Math.min(start, size));
    const to = Math.max(from, Math.min(end, size));
    if (to - from <= MAX_SLICE) return api.readSlice(info.path, from, to);
    const out = new Uint8Array(to - from);
    for (let off = from; off < to; off += MAX_SLICE) {
      out.set(await api.readSlice(info.path, off, Math.min(off + MAX_SLICE, to)), off - from);
    }
    return out;
  };
  const file: SourceFile = {
    name: info.name,
    path,
    size,
    lastModified: info.lastModified,
    slice: read,
    bytes: () => read(0, size),
    async *chunks(chunkSize = CHUNK) {
      const step = Math.max(1, Math.min(chunkSize, MAX_SLICE));
      for (let off = 0; off < size; off += step) yield await read(off, off + step);
    },
    async registerIn(engine, name) {
      if (size > MAX_BUFFER) throw new Error(`Fichier trop volumineux pour le moteur (plus de 2 Gio) : ${info.name}`);
      await engine.registerBuffer(name, await read(0, size));
    },
  };
  absolutePaths.set(file, info.path);
  return file;
}

/** A dropped or chosen folder's files, each `path` relative to the folder's parent, with `/` separators. */
function folderSources(api: LoupeApi, pick: FolderPick): SourceFile[] {
  const rootName = pick.root.split(/[\\/]/).filter(Boolean).pop() ?? pick.root;
  return pick.files.map((f) => {
    const rel = f.path.startsWith(pick.root) ? f.path.slice(pick.root.length).replace(/^[\\/]+/, '') : f.name;
    return ipcSourceFile(api, f, `${rootName}/${rel.split('\\').join('/')}`);
  });
}

export class IpcProjectStore implements ProjectStore {
  constructor(
    private readonly api: LoupeApi,
    readonly root: string,
  ) {}
  get label() {
    return this.root;
  }
  readText(path: string) {
    return this.api.projectReadText(this.root, path);
  }
  writeTextAtomic(path: string, text: string) {
    return this.api.projectWriteTextAtomic(this.root, path, text);
  }
  appendText(path: string, text: string) {
    return this.api.projectAppendText(this.root, path, text);
  }
  writeBytes(path: string, bytes: Uint8Array) {
    return this.api.projectWriteBytes(this.root, path, bytes);
  }
  files(): FileResolver {
    return {
      open: async (path) =>
        isAbsolutePath(path)
          ? ipcSourceFile(this.api, await this.api.stat(path))
          : ipcSourceFile(this.api, await this.api.projectStat(this.root, path), path),
      list: (folder) => (isAbsolutePath(folder) ? this.api.listFolder(folder) : this.api.projectList(this.root, folder)),
    };
  }
}

export interface ElectronHost extends Host {
  readonly kind: 'electron';
  /** Asks the user to point at a source a reopened project references but this session may not read. */
  locateSource(expectedPath: string): Promise<SourceFile | null>;
  onMenuCommand(listener: (cmd: MenuCommand) => void): () => void;
  versions(): Promise<AppVersions>;
  setMenuLanguage(lang: MenuLanguage): Promise<void>;
  printReportToPdf(html: string, suggestedName: string): Promise<boolean>;
}

export function createElectronHost(api: LoupeApi | undefined = globalThis.window?.loupe): ElectronHost {
  if (!api) throw new Error('window.loupe est absent : Loupe ne tourne pas dans son application de bureau');

  async function ref(root: string, fallbackName: string): Promise<ProjectRef> {
    const store = new IpcProjectStore(api!, root);
    let name = fallbackName;
    try {
      const text = await store.readText(MANIFEST_FILE);
      if (text) name = String((JSON.parse(text) as { name?: unknown }).name ?? fallbackName);
    } catch {
      // An unreadable manifest is reported when the project is opened.
    }
    return { id: root, name, store };
  }

  return {
    kind: 'electron',
    files: {
      open: async (path) => ipcSourceFile(api, await api.stat(path)),
      list: (folder) => api.listFolder(folder),
    },

    async pickFiles() {
      return (await api.openFilesDialog()).map((f) => ipcSourceFile(api, f));
    },

    async pickFolder() {
      const pick = await api.openFolderDialog();
      return pick ? folderSources(api, pick) : [];
    },

    async droppedFiles(dt) {
      const picks = await api.grantDropped([...dt.files]);
      const out = picks.flatMap((p) =>
        p.files.length === 1 && p.files[0]!.path === p.root ? [ipcSourceFile(api, p.files[0]!, p.files[0]!.name)] : folderSources(api, p),
      );
      return out.sort((a, b) => a.path.localeCompare(b.path));
    },

    async listProjects() {
      return (await api.recentProjects()).map((p) => ({ id: p.root, name: p.name }));
    },

    async openProject(id) {
      const p = await api.openRecentProject(id);
      return ref(p.root, p.name);
    },

    async newProject(name) {
      const p = await api.newProjectDialog(name);
      if (!p) throw new CancelledError('Création du projet annulée');
      return { id: p.root, name, store: new IpcProjectStore(api, p.root) };
    },

    async demoProject() {
      const p = await api.demoProject();
      return ref(p.root, p.name);
    },

    async keepSource(store: ProjectStore, file: SourceFile) {
      const abs = absolutePaths.get(file);
      // The project keeps its own copy (the main process copies it): it can be handed over and
      // replayed elsewhere, and never has to read outside its folder again.
      if (abs && store instanceof IpcProjectStore) return api.projectCopySource(store.root, abs);
      if (abs) return abs;
      // A file that never was on disk (made in memory): the project keeps a copy.
      const path = `${SOURCES_DIR}/${file.name.replace(/[\\/]/g, '_') || 'fichier'}`;
      await store.writeBytes(path, await file.bytes());
      return path;
    },

    saveAs(suggestedName, data) {
      return api.saveAs(suggestedName.replace(/[\\/]/g, '_'), data);
    },

    // The main process cleans the name (pdfFileName) and lays the report out without scripts or network.
    printReportToPdf: (html, suggestedName) => api.printReportToPdf(html, suggestedName),

    async locateSource(expectedPath) {
      const info = await api.locateFile(expectedPath);
      return info ? ipcSourceFile(api, info) : null;
    },
    onMenuCommand: (listener) => api.onMenuCommand(listener),
    versions: () => api.versions(),
    setMenuLanguage: (lang) => api.setMenuLanguage(lang),
  };
}
